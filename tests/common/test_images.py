"""Evidence photos lose their metadata (SECURITY.md §14). No database needed."""
import io
import struct
import warnings
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from apps.common.images import strip_metadata

GPS_IFD = 0x8825
ORIENTATION = 0x0112
RED, BLUE = (255, 0, 0), (0, 0, 255)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
       b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
       b'exif:GPSLatitude="37,52.2N"/></rdf:RDF></x:xmpmeta>')
UNREADABLE = "图片无法读取，请上传 JPG 或 PNG 照片"
TOO_LARGE = "图片尺寸过大"


def two_tone(size=(40, 20), mode="RGB"):
    """Left half red, right half blue: shows which way the pixels were turned."""
    im = Image.new(mode, size, RED)
    im.paste(Image.new(mode, (size[0] // 2, size[1]), BLUE), (size[0] // 2, 0))
    return im


def camera_exif(orientation=None):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "LeakyPhone"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.DateTime] = "2026:03:07 10:11:12"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 52.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (112.0, 33.0, 4.25),
    }
    return exif


def jpeg_bytes(size=(40, 20), orientation=None):
    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    two_tone(size).save(out, "JPEG", quality=95, exif=camera_exif(orientation), xmp=XMP,
                        icc_profile=icc, comment=b"shot at 37.87N 112.55E")
    return out.getvalue()


def reopen(result):
    assert isinstance(result, ContentFile)
    im = Image.open(io.BytesIO(result.read()))
    im.load()
    return im


def assert_no_metadata(im, raw: bytes):
    assert not im.getexif(), dict(im.getexif())
    assert not im.getexif().get_ifd(GPS_IFD)
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"):
        assert key not in im.info, key
    for marker in (b"Exif\x00\x00", b"LeakyPhone", b"http://ns.adobe.com/xap/1.0/", b"xmpmeta",
                   b"ICC_PROFILE", b"37.87N", b"GPS"):
        assert marker not in raw, marker


def is_red(px):
    return px[0] > 200 and px[2] < 60


def is_blue(px):
    return px[2] > 200 and px[0] < 60


# --- JPEG ----------------------------------------------------------------------------------

def test_source_fixture_really_carries_gps_exif_xmp_icc_and_comment():
    raw = jpeg_bytes(orientation=6)
    im = Image.open(io.BytesIO(raw))
    exif = im.getexif()
    assert exif[ORIENTATION] == 6 and exif[ExifTags.Base.Make] == "LeakyPhone"
    assert exif.get_ifd(GPS_IFD)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert {"exif", "icc_profile", "xmp", "comment"} <= set(im.info)


def test_jpeg_loses_exif_gps_xmp_icc_and_comment():
    upload = SimpleUploadedFile("IMG_0001.JPG", jpeg_bytes(), content_type="image/jpeg")
    result = strip_metadata(upload)
    raw = result.read()
    result.seek(0)
    im = reopen(result)
    assert im.format == "JPEG"
    assert im.size == (40, 20)
    assert_no_metadata(im, raw)
    assert is_red(im.getpixel((5, 10))) and is_blue(im.getpixel((35, 10)))
    assert result.name == "IMG_0001.jpg"


def test_jpeg_is_turned_upright_by_its_orientation_tag():
    # Orientation 6: the camera was turned 90° clockwise; viewers rotate the stored pixels
    # 90° clockwise, so the stored left half (red) ends up at the top.
    result = strip_metadata(SimpleUploadedFile("turned.jpg", jpeg_bytes(orientation=6)))
    raw = result.read()
    result.seek(0)
    im = reopen(result)
    assert im.size == (20, 40)
    assert is_red(im.getpixel((10, 5))) and is_blue(im.getpixel((10, 35)))
    assert_no_metadata(im, raw)  # the orientation tag went too, so nobody turns it twice


@pytest.mark.parametrize("orientation, size", [(1, (40, 20)), (3, (40, 20)), (8, (20, 40))])
def test_other_orientations_keep_or_swap_the_size(orientation, size):
    im = reopen(strip_metadata(SimpleUploadedFile("p.jpg", jpeg_bytes(orientation=orientation))))
    assert im.size == size
    assert not im.getexif()


def test_jpeg_is_reencoded_at_quality_90():
    big = io.BytesIO()
    Image.effect_noise((64, 64), 60).convert("RGB").save(big, "JPEG", quality=100)
    result = strip_metadata(SimpleUploadedFile("noise.jpg", big.getvalue()))
    expected = io.BytesIO()
    Image.open(io.BytesIO(big.getvalue())).save(expected, "JPEG", quality=90)
    assert result.size == len(expected.getvalue())


def test_grayscale_and_cmyk_jpegs_are_kept_in_their_mode():
    for mode in ("L", "CMYK"):
        out = io.BytesIO()
        Image.new(mode, (8, 8)).save(out, "JPEG", exif=camera_exif())
        im = reopen(strip_metadata(SimpleUploadedFile(f"{mode}.jpg", out.getvalue())))
        assert im.mode == mode and not im.getexif()


def test_plain_file_objects_without_a_name_are_accepted():
    result = strip_metadata(io.BytesIO(jpeg_bytes()))
    assert result.name == "photo.jpg"
    assert reopen(result).size == (40, 20)


def test_extension_follows_the_content_not_the_name():
    out = io.BytesIO()
    two_tone().save(out, "PNG")
    result = strip_metadata(SimpleUploadedFile("scan.jpeg", out.getvalue()))
    assert result.name == "scan.png"
    assert reopen(result).format == "PNG"


def test_upload_read_halfway_is_read_from_the_start():
    upload = SimpleUploadedFile("p.jpg", jpeg_bytes())
    upload.read(10)
    assert reopen(strip_metadata(upload)).size == (40, 20)


# --- PNG -----------------------------------------------------------------------------------

def test_png_loses_text_chunks_exif_and_icc():
    info = PngInfo()
    info.add_text("Comment", "home address: 太原市小店区")
    info.add_text("GPS", "37.87N 112.55E", zip=True)            # zTXt
    info.add_itxt("Description", "身份证号 14010519900307123X", lang="zh")  # iTXt
    out = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    two_tone().save(out, "PNG", pnginfo=info, exif=camera_exif(), icc_profile=icc)
    source = Image.open(io.BytesIO(out.getvalue()))
    source.load()
    assert source.text and "icc_profile" in source.info and source.getexif()

    result = strip_metadata(SimpleUploadedFile("scan.png", out.getvalue()))
    raw = result.read()
    result.seek(0)
    im = reopen(result)
    assert im.format == "PNG" and im.size == (40, 20)
    assert im.text == {}
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"14010519900307123X",
                  "太原".encode()):
        assert chunk not in raw, chunk
    assert_no_metadata(im, raw)
    assert im.getpixel((5, 10))[:3] == RED and im.getpixel((35, 10))[:3] == BLUE


def test_png_orientation_from_exif_is_applied():
    out = io.BytesIO()
    two_tone().save(out, "PNG", exif=camera_exif(orientation=6))
    im = reopen(strip_metadata(SimpleUploadedFile("turned.png", out.getvalue())))
    assert im.size == (20, 40)
    assert im.getpixel((10, 5)) == RED and im.getpixel((10, 35)) == BLUE
    assert not im.getexif()


def test_png_transparency_is_kept():
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    rgba.putpixel((1, 1), (255, 0, 0, 255))
    out = io.BytesIO()
    rgba.save(out, "PNG")
    im = reopen(strip_metadata(SimpleUploadedFile("a.png", out.getvalue())))
    assert im.mode == "RGBA"
    assert im.getpixel((0, 0))[3] == 0 and im.getpixel((1, 1)) == (255, 0, 0, 255)

    pal = Image.new("P", (4, 4), 0)
    pal.putpalette([0, 0, 0, 255, 0, 0])
    pal.putpixel((1, 1), 1)
    out = io.BytesIO()
    pal.save(out, "PNG", transparency=0)
    im = reopen(strip_metadata(SimpleUploadedFile("p.png", out.getvalue())))
    assert im.mode == "P" and im.info.get("transparency") == 0
    assert im.convert("RGBA").getpixel((0, 0))[3] == 0
    assert im.convert("RGBA").getpixel((1, 1)) == (255, 0, 0, 255)


# --- refused -------------------------------------------------------------------------------

def assert_refused(upload, message, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        strip_metadata(upload, **kwargs)
    assert excinfo.value.messages == [message]


def test_text_file_is_refused():
    assert_refused(SimpleUploadedFile("photo.jpg", "这不是图片\n".encode(), content_type="image/jpeg"),
                   UNREADABLE)


def test_empty_file_is_refused():
    assert_refused(SimpleUploadedFile("photo.jpg", b""), UNREADABLE)


def test_truncated_jpeg_is_refused():
    raw = jpeg_bytes(size=(200, 200))
    assert_refused(SimpleUploadedFile("cut.jpg", raw[: len(raw) // 2]), UNREADABLE)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused(fmt):
    out = io.BytesIO()
    two_tone().save(out, fmt)
    assert_refused(SimpleUploadedFile(f"p.{fmt.lower()}", out.getvalue()), UNREADABLE)


def png_header_only(width, height):
    """A PNG that claims width × height one-bit pixels but holds almost no data."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b""))


def test_image_over_the_pixel_limit_is_refused():
    out = io.BytesIO()
    two_tone().save(out, "PNG")
    assert_refused(SimpleUploadedFile("p.png", out.getvalue()), TOO_LARGE, max_pixels=799)
    assert reopen(strip_metadata(SimpleUploadedFile("p.png", out.getvalue()), max_pixels=800))


def test_real_64_megapixel_png_is_refused_under_the_default_limit_of_50():
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000  # small file, many pixels
    before = Image.MAX_IMAGE_PIXELS
    assert_refused(SimpleUploadedFile("bomb.png", out.getvalue()), TOO_LARGE)
    assert Image.MAX_IMAGE_PIXELS == before


def test_huge_jpeg_header_is_refused_before_decoding():
    raw = bytearray(jpeg_bytes(size=(16, 16)))
    sof = raw.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    raw[sof + 5: sof + 9] = struct.pack(">HH", 60000, 60000)
    assert_refused(SimpleUploadedFile("bomb.jpg", bytes(raw)), TOO_LARGE)


def test_pillows_own_bomb_error_is_reported_the_same_way():
    # Past twice Pillow's global limit, Image.open itself raises DecompressionBombError.
    side = int((2 * Image.MAX_IMAGE_PIXELS) ** 0.5) + 100
    assert_refused(SimpleUploadedFile("bomb.png", png_header_only(side, side)), TOO_LARGE,
                   max_pixels=10**12)


def test_pillows_bomb_warning_turned_error_is_reported_the_same_way():
    side = int((1.5 * Image.MAX_IMAGE_PIXELS) ** 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert_refused(SimpleUploadedFile("bomb.png", png_header_only(side, side)), TOO_LARGE,
                       max_pixels=10**12)


def test_global_pillow_limit_is_never_changed():
    before = Image.MAX_IMAGE_PIXELS
    strip_metadata(SimpleUploadedFile("p.jpg", jpeg_bytes()))
    assert_refused(SimpleUploadedFile("p.jpg", jpeg_bytes()), TOO_LARGE, max_pixels=100)
    assert_refused(SimpleUploadedFile("t.txt", b"text"), UNREADABLE)
    assert Image.MAX_IMAGE_PIXELS == before
