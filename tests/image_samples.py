"""Image bytes for upload tests: a photo with an EXIF location, a JPEG/HTML polyglot, a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

OSLO_GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (59.0, 54.0, 47.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (10.0, 45.0, 7.0),
}
ROTATE_90_CW = 6  # EXIF orientation: the stored pixels must be turned a quarter clockwise to be upright


def photo_with_location(width: int = 40, height: int = 20, fmt: str = "JPEG") -> bytes:
    """A landscape-stored photo whose EXIF says "rotate 90°" and carries a GPS position and a camera comment."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = ROTATE_90_CW
    exif[ExifTags.Base.Make] = "MinBilCam"
    exif[ExifTags.Base.GPSInfo] = OSLO_GPS
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes(), **({"comment": b"home address"} if fmt == "JPEG" else {}))
    return out.getvalue()


def jpeg_then_html() -> bytes:
    """Passes a magic-bytes check as JPEG, renders as HTML when sniffed."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><body><script>alert(document.cookie)</script></body></html>" * 4
    )


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG header declaring side x side pixels (10 gigapixels by default) in a few dozen bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def metadata_of(data: bytes) -> dict[str, object]:
    """What a stored image still says about itself."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {
            "format": image.format,
            "size": image.size,
            "exif": dict(exif),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
            "comment": image.info.get("comment"),
            "info_keys": set(image.info) - {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"},
        }


def pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    """Size and RGBA pixels: what must survive re-encoding (lossless formats only)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert("RGBA").tobytes()
