"""Exported forms as they print: each is converted by the real office program (LibreOffice,
headless) and the PDF is read back. A long form runs to as many A4 pages as its rows need,
its header repeated on every page, and no cell's text is lost."""
import os
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import Role
from apps.orgs.models import OrganisingUnit
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id
from tests.conftest import make_user, register
from tests.rosters.printing import SOFFICE, print_to_pdf, problems, squeeze
from tests.subsidies.conftest import departed, standards  # noqa: F401 (fixtures)

# Never skipped in CI, which installs LibreOffice (.ci/run).
pytestmark = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                                reason="LibreOffice (soffice) is not installed")


def _get(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, name
    return response.content


def test_forms_1_to_4_of_the_seed_print_as_filed(db, client, tmp_path):
    """The seed's 90 units, 11 cities and 25 agencies, printed by LibreOffice."""
    call_command("seed_load")
    client.force_login(make_user("province_print", Role.PROVINCE))
    books = {"form1": _get(client, "rosters:export_form1", 2020),
             "form2": _get(client, "rosters:export_form2", 2020),
             "form3": _get(client, "rosters:export_form3"),
             "form4": _get(client, "rosters:export_form4")}
    pages = print_to_pdf(books, tmp_path)
    units = OrganisingUnit.objects.count()
    assert units == 90
    found = (
        # 90 rows at a legible size: 2 pages and more, never all on one; the 完成情况 sheet
        # (the same header words) as many again.
        problems("form1", books["form1"], pages["form1"], header=["序号", "学校名称", "任务数"],
                 min_pages=4, max_pages=10)
        + problems("form2", books["form2"], pages["form2"], header=["地市", "任务数"],
                   min_pages=2, max_pages=2)
        + problems("form3", books["form3"], pages["form3"])
        + problems("form4", books["form4"], pages["form4"]))
    assert not found, "\n".join(found)
    assert "5家单位任务数未知" in squeeze("".join(pages["form1"]))


def test_forms_5_to_9_and_the_templates_print_as_filed(world, departed, client, tmp_path):
    """附件6 with 120 people and 附件9 with 232 (the issue's case), 附件5, 7, 8, and the blank
    templates users fill, in one LibreOffice run."""
    from apps.pipeline.models import Candidacy
    from apps.subsidies.models import Claim, ClaimLine
    from apps.training.models import StandingMember
    crowd = []
    for i in range(232):
        person = register(world.unit_u1, name=f"打印{i:03d}", sex="男",
                          id_number=make_id(birth=date(1990, 1, 1 + i % 28),
                                            seq=f"{(i * 2 + 101) % 1000:03d}",
                                            region=f"1401{i // 28 % 90 + 10:02d}"),
                          phone=f"1390000{i:04d}")
        crowd.append(person)
        if i < 120:
            candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                           on=date(2026, 3, 2))
    StandingMember.objects.bulk_create(
        StandingMember(training_class=world.standing_ty, person=p) for p in crowd)
    ClaimLine.objects.create(claim=world.claim_ty, item="training_balance", fund="skills",
                             standard=Decimal("1234.50"), count=1000,
                             amount=Decimal("1234500.00"))
    Claim.objects.filter(pk=world.claim_ty.pk).update(skills_total=Decimal("1234500.00"),
                                                       total=Decimal("1236500.00"))
    # Departed people with long values in the narrow columns (外方用工企业, 合同期限).
    cls, group = departed
    Candidacy.objects.filter(pk=group[0].pk).update(
        employer="株式会社さくら介護サービス東京都新宿区事業所", contract_term="3年（可续签2年）")
    client.force_login(world.unit_u1)
    books = {"form5": _get(client, "rosters:export_form5", world.person_ty.pk),
             "form6": _get(client, "rosters:export_form6", unit=world.u1.pk),
             "form7": _get(client, "training:export_form7", world.class_ty.pk),
             "form8": _get(client, "subsidies:export_form8", world.claim_ty.pk),
             "form9": _get(client, "training:export_form9", world.standing_ty.pk),
             "template_registration": _get(client, "rosters:template_download", "registration"),
             "template_standing": _get(client, "rosters:template_download", "standing_class")}
    pages = print_to_pdf(books, tmp_path)
    found = (
        problems("form5", books["form5"], pages["form5"])
        # 121 rows on A4 landscape: never one page at 2 pt.
        + problems("form6", books["form6"], pages["form6"],
                   header=["身份证号", "初试情况", "合同期限", "外方用工企业"], min_pages=3, max_pages=24)
        + problems("form7", books["form7"], pages["form7"])
        + problems("form8", books["form8"], pages["form8"])
        + problems("form9", books["form9"], pages["form9"],
                   header=["姓名", "身份证号", "人员类别"], min_pages=4, max_pages=12))
    for name in ("template_registration", "template_standing"):
        # Blank templates: the header row is the whole text; the font is Chinese.
        found += problems(name, books[name], pages[name][:1])
    assert not found, "\n".join(found)
    assert "1,234,500.00" in squeeze("".join(pages["form8"]))
    assert "合计：1,236,500.00元" in squeeze("".join(pages["form8"]))


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
