"""Uploaded documents are typed by their bytes, cleaned, and served as downloads (issue 13,
item 7b). Every case attacks apps.common.files.document_accept, and through it each upload
path: evidence, 合作协议 of cities and units, 项目审查表, 项目对接合作协议."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.common.files import document_accept, download_name
from apps.evidence.models import EvidenceKind
from apps.evidence.services import evidence_attach
from apps.orgs.models import UnitAgencyCooperation
from apps.projects.models import ProjectStatus
from tests.common.test_images import jpeg_bytes
from tests.pdfs import clean_pdf, encrypted_pdf, pdf

JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"
HOSTILE_PDFS = {
    "javascript_open_action": pdf(b"/OpenAction 4 0 R ", extra={4: JS}),
    "javascript_hash_escaped": pdf(b"/OpenAction 4 0 R ",
                                   extra={4: b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"}),
    "javascript_in_object_stream": pdf(b"/OpenAction 4 0 R ", extra={4: JS}, in_stream={4}),
    "javascript_names_tree": pdf(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >> ",
                                 extra={4: JS}),
    "javascript_page_additional_action": pdf(
        page=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /AA << /O 4 0 R >> >>",
        extra={4: JS}),
    "javascript_orphan_object": pdf(extra={4: JS}),  # no reference to it: still refused
    "open_action_launch": pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >> "),
    "submit_form": pdf(b"/OpenAction << /S /SubmitForm /F (http://x.example/) >> "),
    "import_data": pdf(b"/OpenAction << /S /ImportData /F (data.fdf) >> "),
    "uri_to_a_local_file": pdf(b"/OpenAction << /S /URI /URI (file:///C:/Windows/calc.exe) >> "),
    "uri_to_a_local_file_escaped": pdf(b"/OpenAction << /S /URI /URI (FILE%3A//x/y) >> "),
    "embedded_file": pdf(
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> ",
        extra={4: b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
               5: b"<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream"}),
    "rich_media": pdf(page=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Annots [4 0 R] >>",
                      extra={4: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"}),
    "three_d_annotation": pdf(
        page=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Annots [4 0 R] >>",
        extra={4: b"<< /Type /Annot /Subtype /3D /Rect [0 0 9 9] >>"}),
    "xfa_form": pdf(b"/AcroForm << /Fields [] /XFA 4 0 R >> ",
                    extra={4: b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"}),
}


def upload(data: bytes, name="协议.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(data, name="协议.pdf", content_type="application/pdf") -> str:
    with pytest.raises(ValidationError) as caught:
        document_accept(upload(data, name, content_type))
    message = " ".join(caught.value.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    return message


@pytest.mark.parametrize("case", sorted(HOSTILE_PDFS))
def test_a_pdf_with_active_content_is_refused(case):
    message = refused(HOSTILE_PDFS[case])
    assert "安全风险" in message


def test_a_clean_pdf_with_a_web_link_and_a_page_open_action_is_accepted():
    linked = pdf(b"/OpenAction [3 0 R /Fit] ",
                 page=b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Annots [4 0 R] >>",
                 extra={4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                           b"/A << /S /URI /URI (https://www.mohrss.gov.cn/) >> >>"})
    for data in (clean_pdf(), linked):
        accepted = document_accept(upload(data))
        assert accepted.kind == "pdf" and accepted.content_type == "application/pdf"
        assert accepted.content.read() == data


@pytest.mark.parametrize("name,data,content_type", [
    ("协议.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("协议.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "application/pdf"),
    ("scan.png", b"<svg onload=alert(1)>", "image/png"),
    ("scan.jpg", b"MZ\x90\x00 program", "image/jpeg"),
    ("scan.pdf", b"  %PDF-1.4 with leading junk", "application/pdf"),
])
def test_a_file_is_typed_by_its_bytes_not_its_name_or_content_type(name, data, content_type):
    assert "只接受" in refused(data, name, content_type)


def test_an_encrypted_pdf_is_refused():
    assert "加密" in refused(encrypted_pdf())


@pytest.mark.parametrize("data", [
    clean_pdf()[: len(clean_pdf()) // 2],               # cut off mid-way: no end marker
    b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n",  # a header and an end, nothing else
    clean_pdf().replace(b"/Kids [3 0 R]", b"/Kids [9 0 R]"),  # a page that does not exist
    b"%PDF-1.7\n1 0 obj\n" + b"[" * 5000 + b"\nendobj\n%%EOF\n",  # absurd nesting
])
def test_a_broken_pdf_gets_a_chinese_message_not_a_server_error(data):
    refused(data)


def test_an_object_the_checker_cannot_read_is_not_accepted():
    """A damaged object stream pypdf skips (leniently) might still be read by a viewer."""
    data = bytearray(HOSTILE_PDFS["javascript_in_object_stream"])
    start = data.index(b"stream\n", data.index(b"/ObjStm")) + len(b"stream\n")
    data[start + 2:start + 12] = b"\x00" * 10  # the compressed body no longer inflates
    assert "损坏" in refused(bytes(data))
    # The cross-reference stream lost (startxref points nowhere): the table is rebuilt from
    # the "obj" markers, the object stream's script found all the same.
    data = HOSTILE_PDFS["javascript_in_object_stream"]
    tail = data.rindex(b"startxref")
    assert "安全风险" in refused(data[:tail] + b"startxref\n9\n%%EOF\n")
    # Both: a script referenced from the catalog that nothing can be read for.
    assert "损坏" in refused(pdf(b"/OpenAction 4 0 R "))


def test_a_png_polyglot_is_re_encoded_without_the_appended_script():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    polyglot = out.getvalue() + b"<script>alert(document.cookie)</script>"
    accepted = document_accept(upload(polyglot, "scan.png", "image/png"))
    stored = accepted.content.read()
    assert b"<script" not in stored and accepted.content_type == "image/png"
    assert Image.open(io.BytesIO(stored)).size == (8, 8)


def test_a_photo_agreement_loses_its_gps_data(world):
    coop = _cooperate(world, upload(jpeg_bytes(), "协议照片.jpg", "image/jpeg"))
    stored = coop.agreement.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"GPS" not in stored and coop.agreement_type == "image/jpeg"


def test_a_huge_file_is_refused_before_it_is_read(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    assert "过大" in refused(clean_pdf() + b"%" * 2000)


def _cooperate(world, agreement):
    from apps.orgs.services import unit_cooperation_create
    return unit_cooperation_create(unit=world.u2, agency=world.a1, actor=world.unit_u2,
                                   agreement=agreement)


@pytest.mark.parametrize("case", ["javascript_hash_escaped", "javascript_in_object_stream"])
def test_every_upload_path_refuses_a_hostile_pdf(world, client, case):
    data = HOSTILE_PDFS[case]
    # A unit's 合作协议, through the page.
    client.force_login(world.unit_u2)
    response = client.post("/orgs/cooperations/unit/new/",
                           {"agency": world.a1.pk, "agreement": upload(data)})
    assert response.status_code == 200 and "安全风险" in response.content.decode()
    assert not UnitAgencyCooperation.objects.filter(unit=world.u2).exists()
    # The same through the service directly (another path in).
    with pytest.raises(ValidationError):
        _cooperate(world, upload(data))
    assert not UnitAgencyCooperation.objects.filter(unit=world.u2).exists()
    # The province's 项目审查表: the project stays unpublished.
    world.project_a1_draft.status = ProjectStatus.SUBMITTED
    world.project_a1_draft.save()
    client.force_login(world.province)
    response = client.post(f"/projects/{world.project_a1_draft.pk}/review/",
                           {"a-review_no": "晋商审1号", "a-review_form": upload(data)})
    assert response.status_code == 200 and "安全风险" in response.content.decode()
    world.project_a1_draft.refresh_from_db()
    assert world.project_a1_draft.status == ProjectStatus.SUBMITTED
    assert not world.project_a1_draft.review_form
    # Evidence (its PDFs go through the same check).
    with pytest.raises(ValidationError, match="安全风险"):
        evidence_attach(person=world.person_ty, kind=EvidenceKind.MEDICAL_REPORT,
                        uploaded=upload(data), actor=world.unit_u1)


def test_a_stored_agreement_is_served_with_its_checked_type_as_a_download(world, client):
    hostile_name = "../../\u202eexe.pdf\x00<script>.html"
    coop = _cooperate(world, upload(clean_pdf(), hostile_name, "text/html"))
    assert coop.agreement.name.endswith(".pdf") and "script" not in coop.agreement.name
    client.force_login(world.unit_u2)
    response = client.get(f"/orgs/cooperations/unit/{coop.pk}/agreement/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\u202e" not in disposition and "/" not in disposition.split("filename", 1)[1]
    assert "%E2%80%AE" not in disposition and disposition.rstrip('"').endswith(".pdf")
    assert b"".join(response.streaming_content) == clean_pdf()


def test_a_file_stored_before_the_check_is_served_as_an_opaque_download(world, client):
    client.force_login(world.unit_u1)  # the fixture's agreement has no checked type
    response = client.get(f"/orgs/cooperations/unit/{world.coop_u1.pk}/agreement/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(world.province)
    response = client.get(f"/projects/{world.project_a1.pk}/review-form/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_download_name_takes_the_extension_of_the_checked_type():
    assert download_name("协议.html", "application/pdf", "合作协议") == "协议.pdf"
    assert download_name("", "image/png", "合作协议") == "合作协议.png"
    assert download_name("a.pdf", "", "合作协议") == "a.bin"
