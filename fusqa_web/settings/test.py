"""The test suite: fast hashing, media in a throwaway folder, tasks queued only where a test asks."""

import tempfile
from pathlib import Path

from fusqa_web.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="fusqa-test-media-"))
FUSQA_PATIENT_KEY_SECRET = "test-patient-key-secret"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
