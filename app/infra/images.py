"""Decoding uploaded images before they are stored: only files that really decode as the JPEG, PNG or WebP
their first bytes claim are kept, and they are re-encoded from pixels, so nothing else rides along
(markup after a JPEG header, EXIF with the GPS position, XMP, comments).

The pixel count is checked from the header before anything is decoded: a small file can declare a huge
image (a decompression bomb).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from app.domain.ports import CleanImage
from app.errors import ValidationFailed

# sniffed extension -> Pillow's format name and the options it is written back with
FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "jpg": ("JPEG", {"quality": 90, "optimize": True}),
    "png": ("PNG", {"optimize": True}),
    "webp": ("WEBP", {"quality": 90}),
}
RENDERING_INFO = frozenset({"icc_profile", "transparency"})  # colours and PNG transparency, nothing personal


def clean_image(data: bytes, extension: str, *, field: str, max_pixels: int) -> CleanImage:
    """The image re-encoded in its own format without metadata, upright (EXIF orientation applied).

    400 naming `field` when the bytes do not decode as that format, or declare more than `max_pixels`.
    CPU-bound: call it in a worker thread.
    """
    name, options = FORMATS[extension]
    too_many = ValidationFailed(
        f"The image has more than {max_pixels:,} pixels.".replace(",", " "),
        code="IMAGE_TOO_LARGE",
        fields={field: "too_many_pixels"},
    )
    try:
        # Pillow's own bomb check (Image.MAX_IMAGE_PIXELS) stays on as a second guard; ours comes first
        with Image.open(io.BytesIO(data), formats=[name]) as image:
            if image.width * image.height > max_pixels:
                raise too_many
            image.load()  # the whole file must decode, not only its header
            upright = ImageOps.exif_transpose(image)
        # Pillow writes some metadata back from `info` (comments, XMP): keep only what rendering needs
        upright.info = {k: v for k, v in upright.info.items() if k in RENDERING_INFO}
        icc_profile = upright.info.get("icc_profile")
        out = io.BytesIO()
        upright.save(out, format=name, **options, **({"icc_profile": icc_profile} if icc_profile else {}))
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise too_many from None
    except Exception:
        raise ValidationFailed(
            "The file is not a readable JPEG, PNG or WebP image.", code="INVALID_IMAGE", fields={field: "undecodable"}
        ) from None
    return CleanImage(data=out.getvalue(), width=upright.width, height=upright.height)


class PillowImages:
    """The `ImageCleaner` port on Pillow."""

    def clean(self, data: bytes, extension: str, *, field: str, max_pixels: int) -> CleanImage:
        return clean_image(data, extension, field=field, max_pixels=max_pixels)
