"""Roster uploads: preview then commit, all or nothing, and the hostile-file corpus."""
import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.common.crypto import blind_index
from apps.registry.idnumber import make_id
from apps.registry.models import Person
from apps.rosters.models import UploadKind, UploadStatus
from apps.rosters.services import safe_name, upload_commit, upload_receive
from tests.rosters.files import HEADER, csv_bytes, overlapping_zip, person_row, rezip, xlsx


def receive(user, data, name="名册.xlsx", kind=UploadKind.REGISTRATION):
    return upload_receive(actor=user, kind=kind, uploaded=SimpleUploadedFile(name, data))


def errors(upload):
    return [e for row in upload.preview for e in row["errors"]]


@pytest.fixture
def people_before(world):
    return Person.objects.count()


def test_a_clean_roster_previews_then_commits(world, people_before):
    upload = receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 21)]))
    assert (upload.status, upload.new_count, upload.error_count) == (UploadStatus.PREVIEWED, 20, 0)
    assert Person.objects.count() == people_before  # the preview writes nobody
    upload = upload_commit(upload, actor=world.unit_u1)
    assert upload.status == UploadStatus.COMMITTED
    assert Person.objects.filter(unit=world.u1).count() == 21  # 张三 + 20
    p = Person.objects.get(name="测试3")
    assert p.id_number == person_row(3)[3] and p.city == world.ty and p.category == "学生"


def test_uploading_the_same_file_again_changes_nothing(world):
    data = xlsx([person_row(i) for i in range(1, 6)])
    upload_commit(receive(world.unit_u1, data), actor=world.unit_u1)
    before = list(Person.objects.order_by("pk").values_list("pk", "updated_at"))
    again = receive(world.unit_u1, data)
    assert (again.new_count, again.update_count, again.unchanged_count) == (0, 0, 5)
    upload_commit(again, actor=world.unit_u1)
    assert list(Person.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_a_changed_cell_is_an_update_with_history(world):
    upload_commit(receive(world.unit_u1, xlsx([person_row(1)])), actor=world.unit_u1)
    changed = person_row(1, phone="13912345678")
    upload = receive(world.unit_u1, xlsx([changed]))
    assert upload.update_count == 1
    assert upload.preview[0]["changes"] == ["联系方式：138****0001 → 139****5678"]
    upload_commit(upload, actor=world.unit_u1)
    person = Person.objects.get(name="测试1")
    assert person.phone == "13912345678"
    history = list(person.history.order_by("pgh_id").select_related("pgh_context"))
    assert [h.pgh_label for h in history] == ["insert", "update"]  # both by trigger
    assert all(h.pgh_context.metadata["user"] == world.unit_u1.pk for h in history)


def test_each_updated_row_changes_only_its_own_changed_cells(world):
    upload_commit(receive(world.unit_u1, xlsx([person_row(i) for i in range(1, 4)])),
                  actor=world.unit_u1)
    untouched = Person.objects.get(name="测试3").updated_at
    rows = [person_row(1, phone="13912345678"), person_row(2, education="本科"), person_row(3)]
    upload = receive(world.unit_u1, xlsx(rows))
    assert (upload.update_count, upload.unchanged_count) == (2, 1)
    assert [[c.split("：")[0] for c in r["changes"]] for r in upload.preview] == [
        ["联系方式"], ["学历"], []]
    assert upload.preview[1]["changes"] == ["学历：大专 → 本科"]
    upload_commit(upload, actor=world.unit_u1)
    first, second, third = (Person.objects.get(name=f"测试{i}") for i in range(1, 4))
    assert (first.phone, first.education) == ("13912345678", "大专")
    assert (second.phone, second.education) == (person_row(2)[4], "本科")
    assert first.phone_hash == blind_index("13912345678", purpose="phone")  # search finds it
    assert third.updated_at == untouched and third.history.count() == 1
    assert [h.pgh_label for h in second.history.order_by("pgh_id")] == ["insert", "update"]


def test_one_bad_row_blocks_the_whole_file(world, people_before):
    rows = [person_row(i) for i in range(1, 6)]
    rows[3][3] = rows[3][3][:-1] + ("0" if rows[3][3][-1] != "0" else "1")
    upload = receive(world.unit_u1, xlsx(rows))
    assert upload.error_count == 1 and upload.new_count == 4
    assert errors(upload) == ["第5行“身份证号”列：身份证号校验位不正确，请核对"]
    from apps.rosters.services import CommitRefused
    with pytest.raises(CommitRefused):
        upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.count() == people_before


def test_messy_cells_are_normalised(world):
    number = make_id(birth=date(1995, 6, 5), seq="13X"[:2] + "1")
    rows = [[1, " 王 五 ", "男", "  " + number.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}),
             "１３８ ０００１ ２３４５", "社会人员", "本科", "2020年6月5日"],
            [2, "赵六", "男", make_id(birth=date(1996, 1, 1), seq="111"), "13800002345", "学生",
             "大专", 43987],
            [3, "钱七", "男", make_id(birth=date(1997, 1, 1), seq="111"), "13800003456", "学生",
             "大专", "2020/6/5"],
            ["", "", "", "", "", "", "", ""], ["", "", "", "", "", "", "", ""]]
    upload = receive(world.unit_u1, xlsx(rows))
    assert upload.error_count == 0 and upload.new_count == 3, upload.preview
    upload_commit(upload, actor=world.unit_u1)
    wang = Person.objects.get(name="王 五")
    assert wang.phone == "13800012345" and wang.registered_on == date(2020, 6, 5)
    assert Person.objects.get(name="赵六").registered_on == date(2020, 6, 5)  # Excel serial
    assert Person.objects.get(name="钱七").registered_on == date(2020, 6, 5)


def test_duplicates_within_a_file_name_the_first_row(world):
    with_x = next(n for n in (make_id(birth=date(1993, 3, 3), seq=f"{s:03d}")
                              for s in range(101, 999, 2)) if n.endswith("X"))
    full_width = with_x[:17].translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}) + "X"
    upload = receive(world.unit_u1, xlsx([person_row(1, id_number=with_x),
                                          person_row(2, id_number=with_x.lower()),
                                          person_row(3, id_number=full_width)]))
    assert errors(upload) == ["第3行“身份证号”列：与第2行重复", "第4行“身份证号”列：与第2行重复"]


def test_a_person_of_another_unit_is_not_touched_or_named(world):
    from tests.conftest import SENTINEL_ID
    upload = receive(world.unit_u1, xlsx([person_row(1, id_number=SENTINEL_ID, name="冒名")]))
    assert errors(upload) == ["第2行“身份证号”列：该身份证号已由其他单位登记，如需转入请联系省专项办"]
    assert "越权哨兵" not in str(upload.preview)


def test_city_upload_names_the_unit_and_cannot_use_another_citys(world):
    header = HEADER + ["推荐单位"]
    ok = person_row(1) + ["山西大学"]
    foreign = person_row(2) + ["越权哨兵职业学院"]
    upload = receive(world.city_ty, xlsx([ok, foreign], header=header))
    assert errors(upload) == ["第3行“推荐单位”列：“越权哨兵职业学院”不是本市已备案的组织单位"]


def test_upload_record_keeps_who_when_hash_and_counts(world):
    data = xlsx([person_row(1)])
    upload = receive(world.unit_u1, data, name="../../etc/passwd\x00\u202e.xlsx")
    import hashlib
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.uploaded_by == world.unit_u1 and upload.unit == world.u1
    assert upload.original_name == "passwd.xlsx"
    assert safe_name("a" * 300 + ".xlsx").endswith(".xlsx") and len(safe_name("a" * 300)) <= 100


# --- The hostile corpus: each gives a Chinese message and writes nothing --------------------

def _zip_with(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


BASE = xlsx([person_row(1)])
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b''.join(b'<!ENTITY lol%d "&lol%s;&lol%s;&lol%s;">' % (i, b"" if i == 1 else str(i - 1).encode(),
                                                                          b"" if i == 1 else str(i - 1).encode(),
                                                                          b"" if i == 1 else str(i - 1).encode())
                             for i in range(1, 10))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')

HOSTILE = {
    "text named xlsx": ("名册.xlsx", "姓名,身份证号\n张三,1".encode(), "内容不是 Excel 工作簿"),
    "legacy xls": ("名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Excel（.xls）"),
    "xlsm with macros": ("名册.xlsx", rezip(BASE, add={"xl/vbaProject.bin": b"\x00" * 100}), "含有宏"),
    "xlsm by name": ("名册.xlsm", BASE, "含宏的工作簿"),
    "zip without workbook": ("名册.xlsx", _zip_with({"readme.txt": "hello"}), "没有 Excel 工作簿"),
    "unpacks to 60 MB": ("名册.xlsx", rezip(BASE, add={"xl/worksheets/sheet9.xml": b"<a/>" + b" " * (60 << 20)}),
                         "解压后超过"),
    "ratio 1000": ("名册.xlsx", rezip(BASE, add={"xl/media/big.xml": b"0" * (3 << 20)}), "压缩比异常"),
    "overlapping entries": ("名册.xlsx", overlapping_zip(), "数据重叠"),
    "billion laughs": ("名册.xlsx", rezip(BASE, add={"xl/sharedStrings2.xml": BILLION_LAUGHS}), "DOCTYPE"),
    "utf-16 csv": ("名册.csv", csv_bytes([person_row(1)], encoding="utf-16"), "UTF-16"),
    "mojibake csv": ("名册.csv", csv_bytes([person_row(1)], encoding="utf-8").decode("latin-1").encode("utf-8"),
                     "乱码"),
    "empty": ("名册.xlsx", b"", "空的"),
    "too big": ("名册.csv", b"a" * (6 << 20), "文件过大"),
    "missing column": ("名册.xlsx", xlsx([["张三", "13800000000"]], header=["姓名", "身份证号", "联系方式"]),
                       "缺少必填列：性别、人员类别"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_in_chinese(world, case, people_before):
    name, data, expected = HOSTILE[case]
    upload = receive(world.unit_u1, data, name=name)
    assert upload.status == UploadStatus.REFUSED, upload.message
    assert expected in upload.message
    assert Person.objects.count() == people_before


def test_id_numbers_stored_as_numbers_are_refused_with_the_cell(world):
    row = person_row(1)
    row[3] = 110105194912310000  # what Excel keeps of 11010519491231002X typed as a number
    upload = receive(world.unit_u1, xlsx([row]))
    assert errors(upload) == ["第2行“身份证号”列（D列）：身份证号被存成了数字，末几位已丢失。请把该列设为“文本”格式后重新录入"]


@pytest.mark.parametrize("formula", ["=1+1", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "@SUM(1)"])
def test_formula_and_dde_cells_are_refused_with_the_cell(world, formula):
    row = person_row(1)
    row[1] = formula
    upload = receive(world.unit_u1, xlsx([row]))
    assert upload.error_count == 1
    message = errors(upload)[0]
    assert message.startswith("第2行“姓名”列（B列）") and "公式" in message


def test_csv_in_utf8_bom_and_gb18030_are_read_alike(world):
    rows = [person_row(1, name="张伟"), person_row(2, name="李娜")]
    a = receive(world.unit_u1, csv_bytes(rows, encoding="utf-8-sig"), name="a.csv")
    b = receive(world.unit_u1, csv_bytes(rows, encoding="gb18030"), name="b.csv")
    assert [r["name"] for r in a.preview] == [r["name"] for r in b.preview] == ["张伟", "李娜"]
    assert a.new_count == b.new_count == 2


def test_csv_lines_shorter_than_the_header_read_the_missing_cells_as_blank(world):
    header = HEADER + ["户籍所在地", "推荐单位"]  # columns no line reaches
    upload = receive(world.unit_u1, csv_bytes([person_row(1), person_row(2)[:7]], header=header),
                     name="a.csv")
    assert (upload.new_count, upload.error_count) == (2, 0), upload.preview
    upload_commit(upload, actor=world.unit_u1)
    assert Person.objects.get(name="测试1").registered_on == date(2026, 3, 1)
    second = Person.objects.get(name="测试2")  # no 报名日期 cell: today, as a blank one
    assert (second.registered_on, second.hukou, second.unit) == (timezone.localdate(), "", world.u1)


def test_script_in_a_name_is_stored_as_text_and_escaped(world, client):
    upload = receive(world.unit_u1, xlsx([person_row(1, name="<img src=x onerror=alert(1)>")]))
    upload_commit(upload, actor=world.unit_u1)
    client.force_login(world.unit_u1)
    body = client.get(reverse("registry:person_list")).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img src=x" not in body


def test_reordered_and_extra_columns_and_a_hidden_first_sheet(world):
    header = ["身份证号", "姓名", "备注说明", "性别", "联系方式", "人员类别"]
    r = person_row(1)
    data = xlsx([[r[3], r[1], "任意", r[2], r[4], r[5]]], header=header, hidden_first=True,
                title="对外劳务输出人员报名名册")
    upload = receive(world.unit_u1, data)
    assert upload.new_count == 1 and upload.error_count == 0
    assert "已跳过隐藏的工作表“说明”" in upload.message and "备注说明" in upload.message


def test_bad_check_digit_impossible_date_and_sex_mismatch(world):
    bad_date = "14010519990231" + "1111"
    good = make_id(birth=date(1994, 4, 4), seq="222")  # female
    rows = [person_row(1, id_number=bad_date), person_row(2, id_number=good, sex="男"),
            person_row(3, name="x" * 600)]
    messages = errors(receive(world.unit_u1, xlsx(rows)))
    assert "第2行“身份证号”列：身份证号中的出生日期19990231不存在" in messages
    assert "第3行“性别”列：性别与身份证号不符：身份证号显示为女" in messages
    assert any(m.startswith("第4行“姓名”列（B列）：内容过长") for m in messages)


def test_control_characters_are_dropped(world):
    upload = receive(world.unit_u1, csv_bytes([person_row(1, name="张\x07三\u202e")]), name="a.csv")
    assert upload.preview[0]["name"] == "张三"


def test_uploaded_files_are_deleted_after_a_week_but_the_record_stays(world):
    from datetime import timedelta
    from django.utils import timezone
    from apps.rosters.services import uploads_purge_files
    upload = receive(world.unit_u1, xlsx([person_row(1)]))
    path = upload.file.path
    assert uploads_purge_files(now=timezone.now() + timedelta(days=6)) == 0
    assert uploads_purge_files(now=timezone.now() + timedelta(days=8)) >= 1
    upload.refresh_from_db()
    import os
    assert not upload.file and not os.path.exists(path) and upload.sha256
    assert uploads_purge_files(now=timezone.now() + timedelta(days=8)) == 0


def test_a_preview_whose_file_was_purged_cannot_be_committed(world):
    from datetime import timedelta
    from django.utils import timezone
    from apps.rosters.services import CommitRefused, uploads_purge_files
    upload = receive(world.unit_u1, xlsx([person_row(1)]))
    uploads_purge_files(now=timezone.now() + timedelta(days=8))
    with pytest.raises(CommitRefused, match="请重新上传"):
        upload_commit(upload, actor=world.unit_u1)
