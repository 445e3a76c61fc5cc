"""What an image may cost, read from the DICOM header before a pixel is decoded or inflated.

Memory is budgeted in bytes, not pixels: rows x columns x frames x samples x bytes per sample. A
4096² RGB image of 32-bit samples weighs twelve times an 8-bit grey one of the same size.
"""

from dataclasses import dataclass

from pydicom.dataset import Dataset

from qa.errors import InvalidInput

DEFAULT_MAX_PIXEL_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ImageLimits:
    max_side: int
    max_frames: int
    max_pixel_bytes: int = DEFAULT_MAX_PIXEL_BYTES
    min_side: int = 1


@dataclass(frozen=True)
class ImageSize:
    rows: int
    cols: int
    frames: int
    samples: int
    bits_allocated: int

    @property
    def pixel_bytes(self) -> int:
        """Bytes of the native pixel data: what decoding the whole image costs at the least."""
        bits = self.rows * self.cols * self.frames * self.samples * self.bits_allocated
        return (bits + 7) // 8


def check_sides(width: int, height: int, limits: ImageLimits) -> None:
    """Refuse a decoded raster (PNG, JPEG) whose width or height is past the largest or smallest side."""
    if width > limits.max_side or height > limits.max_side:
        raise InvalidInput(
            f"The image is {width} x {height} pixels; the largest accepted side is {limits.max_side}.",
            code="image_too_large",
        )
    if width < limits.min_side or height < limits.min_side:
        raise InvalidInput(
            f"The image is {width} x {height} pixels; the smallest accepted side is {limits.min_side}.",
            code="image_too_small",
        )


def checked_size(dataset: Dataset, limits: ImageLimits) -> ImageSize:
    """The image's size from the header, refused with a named reason when it is past any limit."""
    try:
        size = ImageSize(
            rows=int(dataset.Rows),
            cols=int(dataset.Columns),
            frames=int(dataset.get("NumberOfFrames") or 1),
            samples=int(dataset.get("SamplesPerPixel") or 1),
            bits_allocated=int(dataset.BitsAllocated),
        )
    except (AttributeError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "The DICOM file lacks valid Rows, Columns, NumberOfFrames, SamplesPerPixel or BitsAllocated.",
            code="invalid_dicom",
        ) from exc
    rows, cols, n_frames = size.rows, size.cols, size.frames
    if rows < 1 or cols < 1 or n_frames < 1:
        raise InvalidInput(
            f"The DICOM image has an empty size ({cols} x {rows}, {n_frames} frames).", code="invalid_dicom"
        )
    if size.samples not in (1, 3) or size.bits_allocated not in (1, 8, 16, 32):
        raise InvalidInput(
            f"The DICOM image has {size.samples} samples of {size.bits_allocated} bits per pixel; "
            "1 or 3 samples of 1, 8, 16 or 32 bits are accepted.",
            code="invalid_dicom",
        )
    if rows > limits.max_side or cols > limits.max_side:
        raise InvalidInput(
            f"The image is {cols} x {rows} pixels; the largest accepted side is {limits.max_side}.",
            code="image_too_large",
        )
    if n_frames > limits.max_frames:
        raise InvalidInput(
            f"The DICOM file holds {n_frames} frames; at most {limits.max_frames} are accepted per upload.",
            code="too_many_frames",
        )
    if size.pixel_bytes > limits.max_pixel_bytes:
        raise InvalidInput(
            f"The DICOM image needs {size.pixel_bytes} bytes of pixels ({cols} x {rows} x {n_frames} frames x "
            f"{size.samples} samples x {size.bits_allocated} bits); the limit is {limits.max_pixel_bytes} bytes.",
            code="image_too_large",
        )
    return size
