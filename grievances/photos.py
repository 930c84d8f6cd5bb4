"""Photos attached to a case: validated as real images, bounded in size, location data stripped.

A phone photo carries EXIF: GPS coordinates of where a worker stood (often their home), the
device, the time. The portal keeps only the pixels: each upload is decoded, turned upright
according to its EXIF orientation, and re-encoded as JPEG without any metadata.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_EDGE = 2560
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def clean_photo(upload, index: int = 1) -> ContentFile:
    """Return a metadata-free JPEG of ``upload`` or raise ValidationError naming the photo."""
    label = f"第{index}张照片"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(f"{label}超过 5MB，请压缩后再上传")
    try:
        upload.seek(0)
        probe = Image.open(upload)
        fmt = probe.format
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(f"{label}格式不支持，请上传 JPG、PNG 或 WEBP 图片")
        if probe.width * probe.height > MAX_PIXELS:
            raise ValidationError(f"{label}像素过大")
        probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"{label}不是有效的图片文件") from exc
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    # No exif= argument: Pillow writes no EXIF/GPS block unless told to.
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"photo{index}.jpg")


def clean_photos(uploads) -> list[ContentFile]:
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(f"最多上传 {MAX_PHOTOS} 张照片")
    return [clean_photo(u, i) for i, u in enumerate(uploads, start=1)]
