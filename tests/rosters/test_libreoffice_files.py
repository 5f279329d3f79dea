"""Rosters written by LibreOffice itself (tests/fixtures/libreoffice/, made by
scripts/make_libreoffice_fixtures.py): ID and phone typed into number columns, saved as CSV in
UTF-8 and GBK and re-saved as .xlsx. Each upload is refused whole, the preview names the row,
the column and what the program did, and nobody is recorded."""
from pathlib import Path

import pytest

from apps.registry.models import Person
from apps.rosters.models import UploadStatus
from tests.rosters.test_uploads import errors, receive

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "libreoffice"


def upload_fixture(world, name):
    before = Person.objects.count()
    upload = receive(world.unit_u1, (FIXTURES / name).read_bytes(), name=name)
    messages = errors(upload)
    assert Person.objects.count() == before  # the preview writes nobody
    return upload, messages


def refused_commit(world, upload):
    """The commit's verdict is the preview's: refused, nothing written."""
    from apps.rosters.services import CommitRefused, upload_commit
    before = Person.objects.count()
    with pytest.raises(CommitRefused, match="未导入任何数据"):
        upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.count() == before


@pytest.mark.parametrize("name", ["名册_utf8.csv", "名册_resaved.xlsx"])
def test_trailing_zeros_from_a_number_formatted_id_column_are_refused(world, name):
    """LibreOffice wrote 140105199902071246 as 140105199902071000 (and 140105199502030031 as
    ...030000): the lost digits are named, with how to keep them."""
    upload, messages = upload_fixture(world, name)
    by_row = {m.split("”列")[0]: m for m in messages}
    first = next(m for m in messages if m.startswith("第3行“身份证号”列（D列）"))
    # A CSV holds the zeros; an xlsx cell holds the number itself.
    assert ("末三位为000" in first or "末几位已丢失" in first) and "文本" in first
    assert any(m.startswith("第4行“身份证号”列（D列）") for m in messages), by_row
    assert upload.error_count >= 2 and upload.new_count <= 1
    refused_commit(world, upload)


def test_a_landline_that_lost_its_leading_zero_is_named(world):
    upload, messages = upload_fixture(world, "名册_utf8.csv")
    phone = [m for m in messages if m.startswith("第3行“联系方式”列（E列）")]
    assert phone and "缺少开头的0" in phone[0], messages


def test_a_gbk_csv_with_exponent_ids_and_a_question_mark_is_refused(world):
    """GBK: the ID in scientific notation (1.40105199902071E+017) and 𬭎, which GBK cannot
    hold, saved as "?" in the address."""
    upload, messages = upload_fixture(world, "名册_gbk.csv")
    ids = [m for m in messages if "“身份证号”列（D列）" in m]
    assert any(m.startswith("第3行") and "科学计数法" in m for m in ids), messages
    assert any(m.startswith("第4行") and "科学计数法" in m for m in ids), messages
    address = [m for m in messages if m.startswith("第4行“学校或家庭住址”列")]
    assert address and ("?" in address[0] or "？" in address[0]), messages
    assert upload.status != UploadStatus.COMMITTED
    refused_commit(world, upload)
