"""Photos attached to a case: at most three, each through the one sanitiser in ``core.images``.

A phone photo carries EXIF: GPS coordinates of where a worker stood (often their home), the
device, the time. The sanitiser keeps only the pixels.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from core.images import sanitize_photo

MAX_PHOTOS = 3


def clean_photos(uploads) -> list[ContentFile]:
    uploads = [u for u in (uploads or ()) if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(f"最多上传 {MAX_PHOTOS} 张照片")
    return [sanitize_photo(u, label=f"第{i}张照片") for i, u in enumerate(uploads, start=1)]
