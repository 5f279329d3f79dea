"""PDFs built in the tests (no binary files committed): a clean one, and hostile variants."""
import io
import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def build(objects: dict[int, bytes], *, root: int = 1, in_stream=frozenset()) -> bytes:
    """A PDF with a correct cross-reference: classic, or (``in_stream`` given) an xref stream
    with those objects compressed inside an object stream, as modern writers do."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        if number in in_stream:
            continue
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    last = max(objects)
    if not in_stream:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (last + 1)
        for number in range(1, last + 1):
            out += (b"%010d 00000 n \n" % offsets[number]) if number in offsets \
                else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            last + 1, root, xref)
        return bytes(out)
    stream_no, xref_no = last + 1, last + 2
    packed = sorted(in_stream)
    bodies, header, position = b"", b"", 0
    for number in packed:
        header += b"%d %d " % (number, position)
        bodies += objects[number] + b"\n"
        position = len(bodies)
    data = zlib.compress(header + bodies)
    offsets[stream_no] = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (stream_no, len(packed), len(header), len(data)) + data
            + b"\nendstream\nendobj\n")
    offsets[xref_no] = len(out)
    rows = b""
    for number in range(xref_no + 1):
        if number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
        elif number in in_stream:
            rows += b"\x02" + stream_no.to_bytes(4, "big") + packed.index(number).to_bytes(2, "big")
        else:
            rows += b"\x00" + b"\x00" * 4 + b"\xff\xff"
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
            % (xref_no, xref_no + 1, root, len(rows)) + rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_no]
    return bytes(out)


def pdf(catalog_extra: bytes = b"", *, page: bytes = PAGE, extra=None, in_stream=frozenset()):
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
               2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page}
    objects.update(extra or {})
    return build(objects, in_stream=in_stream)


def clean_pdf() -> bytes:
    return pdf()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(clean_pdf())))
    writer.encrypt("secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
