"""Uploaded documents (scans, photos, PDFs): typed by their bytes, cleaned, served safely.

``document_accept`` is the one check every upload path goes through (evidence, 合作协议,
项目审查表): the type is decided from the content (magic number, then structure), never
from the file name or the browser's content type; photos are re-encoded without their
metadata (apps.common.images); PDFs are parsed with pypdf (object streams and #-escaped
names included) and refused when they carry active content, are encrypted or are broken.
``document_response`` serves a stored one as a download with the type the check stored."""
import io
import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse

log = logging.getLogger(__name__)

# Leading bytes of the document types users attach (scans, photos, PDFs).
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG"}
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
# What an old row (stored before files were typed by content) is served as.
UNTYPED = "application/octet-stream"

# Names that make a PDF do something when opened or clicked: scripts, launching programs,
# sending or importing data, embedded files and media, XFA forms. Checked as dictionary
# keys and as values (an action's /S, an annotation's /Subtype) anywhere in the file.
ACTIVE_NAMES = {
    "/JS": "JavaScript 脚本", "/JavaScript": "JavaScript 脚本",
    "/Launch": "启动程序的动作", "/SubmitForm": "提交表单的动作",
    "/ImportData": "导入数据的动作", "/EmbeddedFile": "嵌入的文件",
    "/EmbeddedFiles": "嵌入的文件", "/EF": "嵌入的文件", "/FileAttachment": "附件注释",
    "/RichMedia": "多媒体内容", "/RichMediaExecute": "多媒体内容", "/Rendition": "多媒体内容",
    "/Movie": "多媒体内容", "/Sound": "多媒体内容", "/Screen": "多媒体内容",
    "/XFA": "XFA 动态表单", "/GoToE": "打开嵌入文档的动作", "/GoToR": "打开外部文档的动作",
    "/3D": "三维内容（可含脚本）",
}
MAX_PDF_OBJECTS = 200_000
# Per the PDF spec the end marker is within the last 1024 bytes; a cut-off file has none.
EOF_WINDOW = 1024


@dataclass
class Accepted:
    """A checked document: what to store, and the type to serve it with."""
    content: ContentFile
    kind: str
    original_name: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return f".{self.kind}"

    @property
    def size(self) -> int:
        return self.content.size


def sniff(data: bytes) -> str | None:
    for kind, prefixes in SIGNATURES.items():
        if any(data.startswith(p) for p in prefixes):
            return kind
    return None


def document_accept(uploaded, kinds=("pdf", "jpg", "png"), *, field=None) -> Accepted:
    """Check an uploaded document and return what may be stored, or raise a ValidationError
    in Chinese naming the cause (on ``field`` when given). Idempotent: an ``Accepted`` is
    returned as it is, so a form field and the service behind it may both call it."""
    if isinstance(uploaded, Accepted):
        return uploaded
    try:
        return _accept(uploaded, kinds)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) if field else error


def _accept(uploaded, kinds) -> Accepted:
    from apps.common.images import strip_metadata

    limit = settings.MAX_UPLOAD_BYTES
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            f"文件过大（{size / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。")
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    uploaded.seek(0)
    if len(data) > limit:
        raise ValidationError(f"文件过大，上限为 {limit / 1048576:.0f} MB。")
    kind = sniff(data)
    if kind not in kinds:
        accepted = "、".join(LABELS[k] for k in kinds)
        raise ValidationError(f"文件类型不受支持：只接受 {accepted} 文件（按文件内容判断，"
                              "与文件名无关）。")
    name = safe_name(getattr(uploaded, "name", "") or "")
    if kind == "pdf":
        pdf_check(data)
        return Accepted(ContentFile(data, name=name), kind, name)
    # Re-encoded: EXIF/GPS dropped, and anything appended after the image (a script in a
    # polyglot) is not in the pixels, so it is not in the copy.
    cleaned = strip_metadata(uploaded)
    if sniff(cleaned.read(16)) != kind:  # a JPEG header around PNG pixels, or the reverse
        raise ValidationError(f"图片内容与其格式不符，请重新导出为 {LABELS[kind]} 后上传。")
    cleaned.seek(0)
    return Accepted(cleaned, kind, name)


def pdf_check(data: bytes) -> None:
    """Refuse an encrypted, broken or active PDF. Every object is looked at: those reachable
    from the trailer and every one the cross-reference tables (and object streams) list."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise ValidationError("PDF 文件不完整（缺少文件结束标记），可能上传中断或文件已损坏，请重新导出后上传。")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError("PDF 文件已加密或设有密码，请去除密码后上传。")
        found = _active_content(reader)
        if not len(reader.pages):
            raise ValidationError("PDF 文件没有页面，请重新导出后上传。")
    except ValidationError:
        raise
    except RecursionError:
        raise ValidationError("PDF 文件结构嵌套过深，无法检查，请重新导出后上传。") from None
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            OSError, AssertionError, UnicodeError, ZeroDivisionError) as error:
        log.info("PDF refused as unreadable: %s", type(error).__name__)
        raise ValidationError("PDF 文件已损坏或格式不正确，无法读取，请重新导出后上传。") from None
    if found:
        raise ValidationError(f"PDF 文件含有{found}，存在安全风险，不予接收。"
                              "请用“打印为 PDF”或扫描件重新生成后上传。")


def _active_content(reader) -> str:
    """The label of the first active element found, or ''."""
    from pypdf.generic import (
        ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject,
    )

    seen, stack, count = set(), [reader.trailer], 0
    stack.extend(IndirectObject(idnum, generation, reader)
                 for idnum, generation in _all_object_ids(reader))
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
            if obj is None or isinstance(obj, NullObject):
                # pypdf (lenient) gives null for an object it could not read, or a reference
                # to nothing; a viewer might read it, script and all. What cannot be checked
                # is not accepted.
                raise ValueError(f"unreadable object {key}")
        count += 1
        if count > MAX_PDF_OBJECTS:
            raise ValidationError("PDF 文件对象过多，无法检查，请重新导出后上传。")
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary
            for name, value in obj.items():
                label = ACTIVE_NAMES.get(str(name))
                if label:
                    return label
                if name == "/URI" and _file_uri(value):
                    return "指向本机文件的链接"
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject):
            label = ACTIVE_NAMES.get(str(obj))
            if label:
                return label
    return ""


def _all_object_ids(reader):
    for generation, numbers in reader.xref.items():
        for idnum in numbers:
            yield idnum, generation
    for idnum in reader.xref_objStm:
        yield idnum, 0


def _file_uri(value) -> bool:
    try:
        text = value.get_object()
    except Exception:
        return True
    text = unquote(str(text)).strip().lower()
    return not re.match(r"^(https?|mailto):", text)


def safe_name(name: str) -> str:
    """A file name fit to show, log and send back: no path, no control or direction characters,
    at most 100 characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\"]", "", name)
    name = name.strip(" .") or "未命名文件"
    return name if len(name) <= 100 else name[:60] + "…" + name[-30:]


def download_name(original: str, content_type: str, fallback: str) -> str:
    """The user's name for the file, with the extension of the type it was stored as."""
    extension = {v: f".{k}" for k, v in CONTENT_TYPES.items()}.get(content_type, "")
    stem = safe_name(original or fallback)
    dot = stem.rfind(".")
    stem = stem[:dot] if dot > 0 else stem
    return (stem or fallback) + (extension or ".bin")


def document_response(fieldfile, *, content_type: str, original_name: str, fallback: str):
    """A stored document as a download: the type stored by the content check (an untyped
    old file as octet-stream), attachment with a safe name, never sniffed, never cached."""
    content_type = content_type or UNTYPED
    response = FileResponse(fieldfile.open("rb"), content_type=content_type, as_attachment=True,
                            filename=download_name(original_name, content_type, fallback))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
