"""Checks for uploaded documents: the type is read from the content, not the name."""
from django.conf import settings
from django.core.exceptions import ValidationError

# Leading bytes of the document types users attach (scans, photos, PDFs).
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG"}


def sniff(uploaded) -> str | None:
    head = uploaded.read(16)
    uploaded.seek(0)
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return kind
    return None


def check_document(uploaded, kinds=("pdf", "jpg", "png")) -> str:
    """Return the detected kind, or raise a ValidationError naming what is accepted."""
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"文件过大（{uploaded.size / 1048576:.1f} MB），上限为 {limit / 1048576:.0f} MB。"
        )
    kind = sniff(uploaded)
    if kind not in kinds:
        accepted = "、".join(LABELS[k] for k in kinds)
        raise ValidationError(f"文件类型不受支持：只接受 {accepted} 文件。")
    return kind
