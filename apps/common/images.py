"""Evidence photos: re-encoded without EXIF/GPS/XMP/ICC metadata (SECURITY.md §14)."""
import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90

UNREADABLE = "图片无法读取，请上传 JPG 或 PNG 照片"
TOO_LARGE = "图片尺寸过大"

# Pillow format -> (format written, extension). MPO is how Pillow reads many camera JPEGs.
OUTPUT = {"JPEG": ("JPEG", ".jpg"), "MPO": ("JPEG", ".jpg"), "PNG": ("PNG", ".png")}


def strip_metadata(uploaded, *, max_pixels: int = MAX_PIXELS) -> ContentFile:
    """A copy of a JPEG or PNG photo with its pixels only, upright, as a ContentFile.

    EXIF orientation is applied to the pixels; EXIF (with GPS), XMP, ICC profiles, JPEG
    comments and PNG text chunks are all dropped. PNG transparency is kept. Only the first
    frame of a multi-frame file is kept.

    Raises ValidationError for anything Pillow cannot read as a JPEG or PNG, and for images
    of more than ``max_pixels`` pixels, which are refused from the header alone, before any
    pixel data is decompressed. Pillow's global Image.MAX_IMAGE_PIXELS is never changed (a
    temporary change would race between threads); its own decompression-bomb error still
    applies on top and is reported the same way.
    """
    data = _read_all(uploaded)
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in OUTPUT:
                raise ValidationError(UNREADABLE, code="invalid_image")
            if im.width * im.height > max_pixels:
                raise ValidationError(TOO_LARGE, code="image_too_large")
            fmt, ext = OUTPUT[im.format]
            im.load()
            transparency = im.info.get("transparency")
            try:
                upright = ImageOps.exif_transpose(im)
            except Exception:  # broken EXIF must not block a photo we can otherwise strip
                upright = im.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(TOO_LARGE, code="image_too_large") from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            IndexError, TypeError, KeyError):
        raise ValidationError(UNREADABLE, code="invalid_image") from None

    # Nothing from the source travels on: Pillow's savers fall back to im.info for some
    # metadata (JPEG comment, PNG ICC profile), so clear it and pass only what we choose.
    upright.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        upright.save(out, "JPEG", quality=JPEG_QUALITY, exif=b"", icc_profile=None)
    else:
        options = {"icc_profile": None}
        if transparency is not None and upright.mode in ("1", "L", "I", "I;16", "P", "RGB"):
            options["transparency"] = transparency
        upright.save(out, "PNG", **options)
    return ContentFile(out.getvalue(), name=_output_name(uploaded, ext))


def _read_all(uploaded) -> bytes:
    if hasattr(uploaded, "seek"):
        try:
            uploaded.seek(0)
        except (OSError, ValueError):
            pass
    data = uploaded.read()
    if isinstance(data, str):  # a text-mode file is not an image
        raise ValidationError(UNREADABLE, code="invalid_image")
    return data


def _output_name(uploaded, ext: str) -> str:
    name = os.path.basename(getattr(uploaded, "name", "") or "")
    stem = os.path.splitext(name)[0]
    return (stem or "photo") + ext
