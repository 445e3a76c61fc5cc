"""Splitting a multipart/related body (RFC 2046 / 2387): pure, no database."""

import io

import pytest

from qa.errors import InvalidInput, PayloadTooLarge
from qa.services.multipart_related import UnsupportedMediaType, read_parts, related_boundary


def split(body: bytes, boundary: str = "b0und", *, max_part_bytes: int = 1000):
    return read_parts(
        io.BytesIO(body), boundary=boundary, max_body_bytes=10_000_000, max_part_bytes=max_part_bytes, max_parts=10
    )


def test_parts_are_split_with_preamble_padding_and_epilogue_ignored():
    body = (
        b"a preamble\r\n--b0und  \r\nContent-Type: application/dicom\r\n\r\nFIRST\r\n--b0und\r\n"
        b"Content-Type: Application/DICOM; x=1\r\n\r\nSECOND\r\nwith a line\r\n--b0und--\r\nan epilogue"
    )

    parts = split(body)

    assert [(part.content_type, part.file.read(), part.size) for part in parts] == [
        ("application/dicom", b"FIRST", 5),
        ("application/dicom", b"SECOND\r\nwith a line", 19),
    ]


def test_a_part_over_the_limit_is_kept_empty_and_marked():
    body = b"--b0und\r\n\r\n" + b"x" * 5000 + b"\r\n--b0und\r\n\r\nsmall\r\n--b0und--"

    big, small = split(body)

    assert (big.too_large, big.size, big.file.read()) == (True, 5000, b"")
    assert (small.too_large, small.file.read()) == (False, b"small")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"--other\r\n\r\nx\r\n--other--", "boundary is wrong"),
        (b"--b0und\r\n\r\nx\r\n", "closing boundary delimiter is missing"),
        (b"--b0und\r\nContent-Type application/dicom\r\n\r\nx\r\n--b0und--", "malformed header"),
        (b"--b0und--", "no part"),
    ],
)
def test_a_malformed_body_is_refused_with_the_reason(body, words):
    with pytest.raises(InvalidInput, match=words):
        split(body)


def test_a_body_over_the_limit_is_refused():
    with pytest.raises(PayloadTooLarge):
        read_parts(io.BytesIO(b"x" * 600_000), boundary="b", max_body_bytes=500_000, max_part_bytes=1, max_parts=1)


def test_the_boundary_comes_from_a_multipart_related_content_type():
    assert (
        related_boundary('multipart/related; type="application/dicom"; boundary="a b:c"', part_type="application/dicom")
        == "a b:c"
    )
    assert related_boundary("Multipart/Related; boundary=xyz", part_type="application/dicom") == "xyz"
    with pytest.raises(UnsupportedMediaType, match="'application/dicom'"):
        related_boundary("application/dicom", part_type="application/dicom")
    with pytest.raises(UnsupportedMediaType, match="application/dicom\\+xml"):
        related_boundary('multipart/related; type="application/dicom+xml"; boundary=x', part_type="application/dicom")
    with pytest.raises(InvalidInput, match="no boundary"):
        related_boundary('multipart/related; type="application/dicom"', part_type="application/dicom")
    with pytest.raises(InvalidInput, match="not a valid multipart boundary"):
        related_boundary("multipart/related; boundary=" + "x" * 71, part_type="application/dicom")


class Trickle(io.RawIOBase):
    """A stream that hands out a few bytes at a time, so delimiters and headers straddle reads."""

    def __init__(self, data: bytes):
        self._data, self._at, self._step = data, 0, 0

    def read(self, size: int = -1) -> bytes:
        self._step = self._step % 7 + 1
        chunk = self._data[self._at : self._at + self._step]
        self._at += len(chunk)
        return chunk


def test_parts_straddling_reads_are_split_the_same():
    body = b"\r\n--b0und\r\nContent-Type: application/dicom\r\n\r\nFIRST\r\n--b0und\r\n\r\n\r\n--b0und--"

    parts = read_parts(Trickle(body), boundary="b0und", max_body_bytes=1000, max_part_bytes=1000, max_parts=10)

    assert [part.file.read() for part in parts] == [b"FIRST", b""]
