"""A multipart/related body (RFC 2387, as DICOMweb STOW-RS sends it) split into its parts. Pure: no
database, no settings.

The whole body is read and checked before any part is used, so a body with a wrong boundary, a broken
part or no closing delimiter is refused as a whole and nothing of it is stored. Each part is spooled to
a temporary file past a few MB, so a many-instance request is not held in memory at once.
"""

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from qa.errors import FusqaError, InvalidInput, PayloadTooLarge

_CHUNK_BYTES = 256 * 1024
_SPOOL_BYTES = 4 * 1024 * 1024
_HEADER_BYTES = 16 * 1024
# RFC 2046: a boundary is 1 to 70 characters from a limited set.
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$")


class UnsupportedMediaType(FusqaError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass
class BodyPart:
    content_type: str  # lower case, without parameters; "" when the part has no Content-Type
    file: IO[bytes]
    size: int
    too_large: bool = False  # larger than the part limit: its bytes were dropped, `file` is empty
    headers: dict[str, str] = field(default_factory=dict)


def media_type_parameters(header: str) -> tuple[str, dict[str, str]]:
    """`multipart/related; type="application/dicom"; boundary=abc` → ("multipart/related", {type, boundary}).
    Names are lower-cased; quoted values unquoted (RFC 7231 quoted-string)."""
    media_type, _, rest = header.partition(";")
    parameters: dict[str, str] = {}
    for match in re.finditer(r'\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*(?:;|$)', rest):
        name, value = match.group(1).lower(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        parameters[name] = value
    return media_type.strip().lower(), parameters


def related_boundary(content_type: str, *, part_type: str) -> str:
    """The boundary of a `multipart/related; type="<part_type>"` request, or the 415/400 that says why not."""
    media_type, parameters = media_type_parameters(content_type or "")
    if media_type != "multipart/related":
        raise UnsupportedMediaType(
            f"The request's Content-Type is {media_type or 'missing'!r}; STOW-RS takes "
            f'multipart/related; type="{part_type}" with a boundary.'
        )
    sent_type = parameters.get("type", "").lower()
    if sent_type and sent_type != part_type:
        raise UnsupportedMediaType(
            f'The parts are declared as type="{sent_type}"; this server stores only {part_type} parts.'
        )
    boundary = parameters.get("boundary", "")
    if not boundary:
        raise InvalidInput("The Content-Type has no boundary parameter.", code="invalid_multipart")
    if not _BOUNDARY.match(boundary):
        raise InvalidInput(
            "The boundary in the Content-Type is not a valid multipart boundary (RFC 2046: 1 to 70 characters).",
            code="invalid_multipart",
        )
    return boundary


def read_parts(stream, *, boundary: str, max_body_bytes: int, max_part_bytes: int, max_parts: int) -> list[BodyPart]:
    """Every part of the body, each in its own temporary file (closed by the caller with `close_parts`).
    A part over `max_part_bytes` is kept as an empty, `too_large` part, so that it fails alone."""
    parts: list[BodyPart] = []
    try:
        for part in _split(_chunks(stream, max_body_bytes), boundary.encode("latin-1"), max_part_bytes):
            parts.append(part)
            if len(parts) > max_parts:
                raise PayloadTooLarge(f"The request has more than {max_parts} parts; send at most {max_parts}.")
    except BaseException:
        close_parts(parts)
        raise
    if not parts:
        raise InvalidInput("The multipart body has no part.", code="invalid_multipart")
    return parts


def close_parts(parts: list[BodyPart]) -> None:
    for part in parts:
        part.file.close()


def _chunks(stream, max_body_bytes: int) -> Iterator[bytes]:
    total = 0
    while True:
        chunk = stream.read(_CHUNK_BYTES)
        if not chunk:
            return
        total += len(chunk)
        if total > max_body_bytes:
            raise PayloadTooLarge(f"The request body is over {max_body_bytes} bytes, the largest this server takes.")
        yield chunk


def _split(chunks: Iterator[bytes], boundary: bytes, max_part_bytes: int) -> Iterator[BodyPart]:
    delimiter = b"--" + boundary
    buffer = bytearray()
    chunks = iter(chunks)

    def more() -> bool:
        chunk = next(chunks, b"")
        buffer.extend(chunk)
        return bool(chunk)

    # The preamble: anything before the first delimiter, which opens the body or follows a line break.
    while True:
        if buffer.startswith(delimiter):
            del buffer[: len(delimiter)]
            break
        at = buffer.find(b"\r\n" + delimiter)
        if at >= 0:
            del buffer[: at + 2 + len(delimiter)]
            break
        if len(buffer) > len(delimiter) + 2:
            del buffer[: len(buffer) - len(delimiter) - 2]  # the preamble is not kept, only what may start a delimiter
        if not more():
            raise InvalidInput(
                "The body has no part delimited by the boundary given in the Content-Type: the boundary is wrong "
                "or the body is not multipart.",
                code="invalid_multipart",
            )
    closing = b"\r\n" + delimiter
    while True:
        while len(buffer) < 2 and more():
            pass
        if buffer.startswith(b"--"):
            return  # the close delimiter; the epilogue is ignored
        line_end = _find_more(buffer, b"\r\n", more, limit=256)
        if line_end < 0 or buffer[:line_end].strip(b" \t"):
            raise InvalidInput("A boundary delimiter is not followed by a line break.", code="invalid_multipart")
        del buffer[: line_end + 2]
        headers = _headers(buffer, more)
        part = _body(buffer, more, closing, headers, max_part_bytes)
        yield part


def _find_more(buffer: bytearray, needle: bytes, more, *, limit: int) -> int:
    while True:
        at = buffer.find(needle)
        if at >= 0 or len(buffer) > limit or not more():
            return at


def _headers(buffer: bytearray, more) -> dict[str, str]:
    while len(buffer) < 2 and more():
        pass
    if buffer.startswith(b"\r\n"):  # no headers: the part's type is the request's `type`
        del buffer[:2]
        return {}
    end = _find_more(buffer, b"\r\n\r\n", more, limit=_HEADER_BYTES)
    if end < 0:
        raise InvalidInput("A part's headers do not end in an empty line.", code="invalid_multipart")
    headers = {}
    for line in bytes(buffer[:end]).decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise InvalidInput(f"A part has a malformed header line: {line[:80]!r}.", code="invalid_multipart")
        headers[name.strip().lower()] = value.strip()
    del buffer[: end + 4]
    return headers


def _body(buffer: bytearray, more, closing: bytes, headers: dict[str, str], max_part_bytes: int) -> BodyPart:
    file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="fusqa-stow-")  # noqa: SIM115 - the caller closes it
    size = 0
    too_large = False
    keep = len(closing) - 1
    try:
        while True:
            at = buffer.find(closing)
            end = at if at >= 0 else max(0, len(buffer) - keep)
            if end:
                size += end
                if size > max_part_bytes:
                    too_large = True
                    file.seek(0)
                    file.truncate()
                elif not too_large:
                    file.write(buffer[:end])
                del buffer[:end]
            if at >= 0:
                del buffer[: len(closing)]
                break
            if not more():
                raise InvalidInput(
                    "The body ends inside a part: the closing boundary delimiter is missing (truncated request?).",
                    code="invalid_multipart",
                )
    except BaseException:
        file.close()
        raise
    file.seek(0)
    content_type, _ = media_type_parameters(headers.get("content-type", ""))
    return BodyPart(content_type=content_type, file=file, size=size, too_large=too_large, headers=headers)
