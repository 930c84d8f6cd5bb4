"""The one photo sanitiser refuses every kind of damaged or hostile image with a message."""

import pytest


def _png_with_chunk(kind: bytes, payload: bytes) -> bytes:
    import io
    import struct
    import zlib

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format="PNG")
    data = out.getvalue()
    chunk = struct.pack(">I", len(payload)) + kind + payload
    chunk += struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    return data[:33] + chunk + data[33:]  # after the 8-byte signature and the 25-byte IHDR


@pytest.mark.parametrize("kind", [b"zTXt", b"iCCP"])
def test_a_png_with_an_oversized_compressed_chunk_is_refused_with_a_message(kind):
    import zlib

    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.images import sanitize_photo

    payload = b"comment\x00\x00" + zlib.compress(b"x" * (64 << 20), 9)  # 64 MB inflated
    upload = SimpleUploadedFile("p.png", _png_with_chunk(kind, payload), content_type="image/png")
    with pytest.raises(ValidationError) as info:
        sanitize_photo(upload, label="第1张照片")
    assert "第1张照片" in info.value.messages[0]
