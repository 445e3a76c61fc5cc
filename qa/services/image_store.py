"""Writing frame PNGs and de-identified DICOM files, and taking them back if the transaction fails."""

import io
import uuid

import numpy as np
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image


# Level 1: about ten times faster than the default on an ultrasound frame, for files ~15% larger.
def grey_png_bytes(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class StoredFiles:
    """Files written for one upload. Names are random: nothing about the patient is in a path."""

    def __init__(self) -> None:
        self._written: list[tuple[models.FileField, str]] = []

    def save(self, *, instance: models.Model, field_name: str, extension: str, data: bytes) -> str:
        field = instance._meta.get_field(field_name)
        name = field.generate_filename(instance, f"{uuid.uuid4().hex}.{extension}")
        stored = field.storage.save(name, ContentFile(data))
        self._written.append((field, stored))
        return stored

    def delete_all(self) -> None:
        """Remove every file written so far; used when the rows that would point to them roll back."""
        for field, name in reversed(self._written):
            field.storage.delete(name)
        self._written.clear()
