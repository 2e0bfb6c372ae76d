"""Photo rules: JPEG, PNG or WebP recognised by content, a size limit (pure)."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
EXTENSIONS = {ext: media for media, ext in FORMATS.values()}


class PhotoRejected(Exception):
    """Not an accepted image, or too large; carries a Chinese message."""


def _magic(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def inspect_photo(data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(media type, extension) of an acceptable photo; PhotoRejected otherwise (the file name is ignored)."""
    if not data:
        raise PhotoRejected("照片为空")
    if len(data) > max_bytes:
        raise PhotoRejected(f"照片不能超过{max_bytes // (1024 * 1024)}MB")
    kind = _magic(data)
    if kind is None:
        raise PhotoRejected("仅支持 JPEG、PNG 或 WebP 格式的照片")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise PhotoRejected("照片内容与格式不符")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejected("照片已损坏，无法识别") from exc
    return FORMATS[kind]
