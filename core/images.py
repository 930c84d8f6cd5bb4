"""Photos uploaded from phones (inspections, cases, 随手拍, claims): the one sanitiser.

Validated, size-limited, re-encoded without metadata.

A phone photo carries EXIF, often with the GPS position of the person who took it. Re-encoding
the pixels with Pillow (after applying the EXIF orientation) drops every metadata block, so the
stored file proves what was seen, not where the inspector lives.

Stored photos are never linked as /media/ paths (nothing serves MEDIA_URL): each app's view
finds the owning record through its door and answers with ``photo_response``.
"""

from __future__ import annotations

import uuid
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is the largest a phone takes; more is a bomb
MAX_EDGE = 2560  # stored photos are scaled down to this longest edge


def max_bytes() -> int:
    return settings.PHOTO_MAX_BYTES


def sanitize_photo(upload, *, label: str = "照片") -> ContentFile:
    """Check ``upload`` is a real JPEG/PNG/WebP within the limits; return a clean re-encoded copy.

    Raises ValidationError with a Chinese message naming ``label`` and the reason.
    """
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"{label}太大：{size / 1048576:.1f} MB，上限 {limit / 1048576:.0f} MB")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(f"{label}格式不支持（{fmt or '未知'}），请上传 JPEG、PNG 或 WebP 图片")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(f"{label}像素过多（{probe.width}×{probe.height}）")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img.thumbnail((MAX_EDGE, MAX_EDGE))
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            out = BytesIO()
            # No exif=/pnginfo= arguments: the copy carries pixels only.
            img.save(out, format=fmt, quality=85) if fmt != "PNG" else img.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"{label}不是有效的图片文件") from exc
    except Exception as exc:
        # Pillow's decoders raise many kinds for a damaged or hostile file (oversized zTXt/iCCP
        # chunks, truncated data, bad palettes…): each one means the same to the uploader.
        raise ValidationError(f"{label}无法解码（文件已损坏或含有异常数据）") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}")


def photo_response(field_file) -> FileResponse:
    """The stored photo inline, its content type guessed from the stored name (JPEG, PNG, WebP).

    Call only after the owning record came through its door. A row whose file is gone from
    storage answers 404 like a missing id. ``private``: a shared cache must not hand a scoped
    photo to the next user.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    return response
