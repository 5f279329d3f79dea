"""Evidence files: content-checked, photo metadata stripped, served only through scoping."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.audit.models import AuditAction, AuditEvent
from apps.evidence.models import EvidenceKind
from apps.evidence.services import evidence_attach


def jpeg_with_gps():
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(0x8825)[2] = (37.0, 52.0, 0.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("现场照片.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_photo_is_stored_without_its_gps_data(world):
    upload = jpeg_with_gps()
    assert b"PhoneMaker" in upload.read()
    upload.seek(0)
    evidence = evidence_attach(person=world.person_ty, kind=EvidenceKind.FIRST_INTERVIEW_PHOTO,
                               uploaded=upload, actor=world.unit_u1, candidacy=world.cand_ty)
    stored = evidence.file.read()
    assert b"PhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert evidence.content_type == "image/jpeg" and evidence.original_name == "现场照片.jpg"


def test_a_program_disguised_as_a_pdf_is_refused(world):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError, match="只接受 PDF、JPG、PNG"):
        evidence_attach(person=world.person_ty, kind=EvidenceKind.MEDICAL_REPORT, uploaded=fake,
                        actor=world.unit_u1)


def test_an_agency_cannot_upload_a_medical_report(world):
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        evidence_attach(person=world.person_ty, kind=EvidenceKind.MEDICAL_REPORT,
                        uploaded=jpeg_with_gps(), actor=world.agency_a1)


def test_download_is_scoped_and_logged(world, client):
    client.force_login(world.unit_u1)
    response = client.get(reverse("evidence:evidence_download", args=[world.evidence_ty.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, actor=world.unit_u1).exists()
    assert client.get(reverse("evidence:evidence_download",
                              args=[world.evidence_dt.pk])).status_code == 404


def test_evidence_files_have_no_public_url(world, client, settings):
    client.force_login(world.province)
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    assert client.get("/" + world.evidence_ty.file.name).status_code == 404
