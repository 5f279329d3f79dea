"""Values a spreadsheet program damaged are never committed: an ID column saved as numbers
(last digits zeroed), a phone that lost its leading zero, characters a GBK save could not hold.
Each refusal names the row and column and says what happened and how to keep the value."""
from datetime import date

import pytest

from apps.registry.idnumber import make_id, parse
from apps.registry.phones import PhoneError, phone_normalise
from apps.rosters import cleaning
from tests.rosters.files import HEADER, csv_bytes, person_row, xlsx
from tests.rosters.test_uploads import errors, receive


def zeroed_id_that_still_checks():
    """An ID whose last three digits became 000 (15 significant digits kept) and which still
    passes the check digit: the case that was committed as somebody else's number."""
    for day in range(1, 29):
        for seq in range(100, 1000, 10):
            real = make_id(region="140105", birth=date(1999, 2, day), seq=f"{seq:03d}")
            zeroed = real[:15] + "000"
            try:
                parse(zeroed, today=date(2026, 12, 1))
            except ValueError:
                continue
            return real, zeroed
    raise AssertionError("no zeroed ID passes the check digit")


@pytest.mark.parametrize("name, encode", [
    ("名册.csv", lambda rows: csv_bytes(rows)),
    ("名册.csv", lambda rows: csv_bytes(rows, encoding="gb18030")),
    ("名册.xlsx", lambda rows: xlsx(rows)),  # a text cell holding the zeroed digits
])
def test_an_id_that_lost_its_last_digits_is_refused_even_when_its_check_digit_passes(
        world, name, encode):
    _, zeroed = zeroed_id_that_still_checks()
    row = person_row(1, id_number=zeroed)
    upload = receive(world.unit_u1, encode([person_row(2), row]), name=name)
    assert upload.error_count == 1
    message = errors(upload)[0]
    assert message.startswith("第3行“身份证号”列（D列）") and "末三位为000" in message
    assert "文本" in message and zeroed not in message  # says how; never echoes the full number


def test_the_registration_form_still_takes_a_genuine_id_ending_in_000(world, client):
    _, zeroed = zeroed_id_that_still_checks()
    client.force_login(world.unit_u1)
    response = client.post("/registry/persons/new/", {
        "name": "赵六", "sex": "女", "id_number": zeroed, "phone": "13800007777",
        "category": "学生", "registered_on": "2026-03-01"})
    assert response.status_code == 302


@pytest.mark.parametrize("cell, says", [
    (3514048298, "缺少开头的0"),        # a number cell: 0351-4048298 lost its zero
    ("3514048298", "缺少开头的0"),      # the same out of a CSV
    ("4048298", "须带区号"),            # seven digits: no area code
    ("1380013800", "手机号应为11位"),    # ten-digit mobile
    ("138001380001", "手机号应为11位"),
    ("0351-404829", "应为11位手机号或带区号的固定电话"),
    ("电话13800138000", "只能包含数字"),
])
def test_bad_phones_are_refused_saying_what_went_wrong(world, cell, says):
    row = person_row(1)
    row[4] = cell
    upload = receive(world.unit_u1, xlsx([row]))
    assert upload.error_count == 1
    message = errors(upload)[0]
    assert message.startswith("第2行“联系方式”列（E列）") and says in message, message


@pytest.mark.parametrize("raw, number", [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"), ("0351-4048298", "03514048298"),
    ("(0351)40482981", "035140482981"), ("010-62345678", "01062345678"),
    ("０３５１－４０４８２９８", "03514048298"), ("", ""),
])
def test_good_phones_are_kept_as_digits(raw, number):
    assert phone_normalise(raw) == number


def test_a_phone_column_is_checked_the_same_way_fast_or_slow():
    cells = ["13800138000", "03514048298", "3514048298", "", "1380013800", "01062345678"]
    values, errors_ = cleaning.clean_column(cells, cleaning.phone)
    for i, cell in enumerate(cells):
        try:
            assert values[i] == phone_normalise(cell) and i not in errors_
        except PhoneError as error:
            assert errors_[i] == error.message


@pytest.mark.parametrize("address, says, kind", [
    ("大同市?祥路1号", "GBK", "csv"),             # what a GBK save made of 大同市堃祥路1号
    ("?祥路1号", "GBK", "csv"),
    ("大同市?祥路1号", "GBK", "xlsx"),
    ("大同市\ufffd祥路1号", "无法识别的字符", "xlsx"),  # (a CSV holding one is refused whole)
])
def test_characters_lost_in_an_encoding_are_refused_with_the_cell(world, address, says, kind):
    header = HEADER + ["学校或家庭住址"]
    row = person_row(1) + [address]
    data = (csv_bytes([row], header=header, encoding="gb18030") if kind == "csv"
            else xlsx([row], header=header))
    upload = receive(world.unit_u1, data, name=f"名册.{kind}")
    assert upload.error_count == 1, upload.preview
    message = errors(upload)[0]
    assert message.startswith("第2行“学校或家庭住址”列（I列）") and says in message, message


def test_a_question_mark_in_latin_text_is_left_alone(world):
    header = HEADER + ["学校或家庭住址"]
    row = person_row(1) + ["Flat 3? Block B"]
    upload = receive(world.unit_u1, csv_bytes([row], header=header), name="名册.csv")
    assert upload.error_count == 0, upload.preview


# --- An update never silently makes a record worse --------------------------------------------

def test_the_preview_shows_old_and_new_of_every_changed_field_masked(world):
    from apps.rosters.services import upload_commit
    header = HEADER + ["学校或家庭住址"]
    first = receive(world.unit_u1, csv_bytes([person_row(1) + ["太原市迎泽区1号"]], header=header),
                    name="名册.csv")
    upload_commit(first, actor=world.unit_u1)
    again = person_row(1, phone="13900001111") + ["太原市小店区2号"]
    upload = receive(world.unit_u1, csv_bytes([again], header=header), name="名册.csv")
    (row,) = upload.preview
    assert row["outcome"] == "update"
    assert "学校或家庭住址：太原市迎泽区1号 → 太原市小店区2号" in row["changes"]
    assert "联系方式：138****0001 → 139****1111" in row["changes"]
    assert "13900001111" not in str(upload.preview)


@pytest.mark.parametrize("old, new, says", [
    ("03514048298", "3514048298", "少了开头的0"),
    ("13800138000", "1380013800", "少了末尾的数字"),
    ("Flat 3B Pingyao", "Flat ?B Pingyao", "“?”"),
    ("大同市堃祥路1号", "大同市\ufffd祥路1号", "丢失的字符"),
])
def test_a_change_that_looks_like_damage_is_named(old, new, says):
    from apps.rosters.importers import looks_damaged
    assert says in looks_damaged(old, new)


@pytest.mark.parametrize("old, new", [
    ("03514048298", "13800138000"), ("太原市迎泽区1号", "太原市小店区2号"), ("", "x"),
    ("Flat 3B", "Flat 3C"), ("13800138000", "13900139000"),
])
def test_a_real_correction_is_not_taken_for_damage(old, new):
    from apps.rosters.importers import looks_damaged
    assert looks_damaged(old, new) == ""


def test_an_update_that_would_damage_a_value_is_refused_and_nothing_changes(world):
    from apps.registry.models import Person
    from apps.rosters.services import upload_commit
    header = HEADER + ["学校或家庭住址"]
    upload_commit(receive(world.unit_u1, csv_bytes([person_row(1) + ["Flat 3B Pingyao"]],
                                                   header=header), name="名册.csv"),
                  actor=world.unit_u1)
    upload = receive(world.unit_u1, csv_bytes([person_row(1) + ["Flat ?B Pingyao"]],
                                              header=header), name="名册.csv")
    assert upload.error_count == 1
    assert "不予更新" in errors(upload)[0] and "第2行“学校或家庭住址”列" in errors(upload)[0]
    assert Person.objects.get(name="测试1").address == "Flat 3B Pingyao"


def test_a_masked_id_ending_in_000_is_not_taken_for_lost_digits():
    """The masked 花名表 keeps the last four digits: "…1000" is what the export wrote."""
    assert cleaning.id_number("140105********1000") == "140105********1000"
    with pytest.raises(cleaning.CellError):
        cleaning.id_number("140105199902071000")
