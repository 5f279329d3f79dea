"""Exported forms as they print: each is converted by the real office program (LibreOffice,
headless) and the PDF is read back. A long form runs to as many A4 pages as its rows need,
its header repeated on every page, and no cell's text is lost."""
import io
import math
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.orgs.models import OrganisingUnit
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id
from tests.conftest import make_user, register

SOFFICE = shutil.which("soffice")
# Never skipped in CI, which installs LibreOffice (.ci/run).
pytestmark = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                                reason="LibreOffice (soffice) is not installed")


ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "print"


def pdf_pages(xlsx: bytes, tmp_path, name="form") -> list[str]:
    """The text of each page LibreOffice prints of the workbook (the PDF is kept in
    artifacts/print/ to be looked at)."""
    source = tmp_path / "form.xlsx"
    source.write_bytes(xlsx)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "form.pdf").read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_form1_with_the_seeds_90_units_prints_on_several_pages_with_its_header(db, client, tmp_path):
    call_command("seed_load")
    province = make_user("province_print", Role.PROVINCE)
    client.force_login(province)
    response = client.get("/rosters/forms/1/2020.xlsx")
    assert response.status_code == 200
    pages = pdf_pages(response.content, tmp_path, "form1")
    units = list(OrganisingUnit.objects.values_list("name", flat=True))
    assert len(units) >= 90
    # At a legible size about 40 rows go on an A4 page: never all 90 on one.
    assert math.ceil(len(units) / 60) <= len(pages) <= math.ceil(len(units) / 15), len(pages)
    for page in pages:
        assert "学校名称" in squeeze(page) and "任务数" in squeeze(page)
    printed = squeeze("".join(pages))
    missing = [name for name in units if squeeze(name) not in printed]
    assert not missing, missing


def test_form6_of_120_people_prints_on_landscape_pages_with_both_header_rows(world, client, tmp_path):
    for i in range(120):
        person = register(world.unit_u1, name=f"打印{i:03d}", sex="男",
                          id_number=make_id(birth=date(1990, 1, 1 + i % 28),
                                            seq=f"{(i * 2 + 101) % 1000:03d}",
                                            region=f"1401{i // 28 % 90 + 10:02d}"),
                          phone=f"1390000{i:04d}")
        candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 2))
    client.force_login(world.unit_u1)
    response = client.get("/rosters/forms/6.xlsx", {"unit": world.u1.pk})
    assert response.status_code == 200
    pages = pdf_pages(response.content, tmp_path, "form6")
    assert 3 <= len(pages) <= 24, len(pages)
    for page in pages:
        text = squeeze(page)
        assert "身份证号" in text and "初试情况" in text and "外方用工企业" in text
    printed = squeeze("".join(pages))
    missing = [f"打印{i:03d}" for i in range(120) if f"打印{i:03d}" not in printed]
    assert not missing, missing


def test_an_ods_written_by_libreoffice_is_refused_with_how_to_save_it(world, tmp_path):
    """LibreOffice's own format, written by LibreOffice itself from one of our templates."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.rosters.models import UploadKind
    from apps.rosters.services import upload_receive
    from tests.rosters.files import person_row, xlsx
    source = tmp_path / "名册.xlsx"
    source.write_bytes(xlsx([person_row(1)]))
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    upload = upload_receive(actor=world.unit_u1, kind=UploadKind.REGISTRATION,
                            uploaded=SimpleUploadedFile("名册.ods", (tmp_path / "名册.ods").read_bytes()))
    assert "另存为" in upload.message and ".xlsx" in upload.message and ".ods" in upload.message
