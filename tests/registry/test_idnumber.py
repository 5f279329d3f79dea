"""Resident ID numbers: parsing, error messages, cross-checks and masking. No database."""
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from apps.registry import idnumber
from apps.registry.idnumber import (
    IdInfo, IdNumberError, check_against, make_id, mask_id, mask_passport, mask_phone,
    normalise, parse,
)

TODAY = date(2026, 3, 7)


def parse_error(raw, **kwargs) -> IdNumberError:
    kwargs.setdefault("today", TODAY)
    with pytest.raises(IdNumberError) as excinfo:
        parse(raw, **kwargs)
    return excinfo.value


# --- valid numbers ----------------------------------------------------------------------


def test_make_id_builds_a_valid_male_id():
    number = make_id()
    assert number[:17] == "14010519950307123"
    info = parse(number, today=TODAY)
    assert info == IdInfo(
        number=number, birth_date=date(1995, 3, 7), sex="男", region_code="140105",
        region_known=True,
    )


def test_even_sequence_digit_is_female():
    info = parse(make_id(seq="124"), today=TODAY)
    assert info.sex == "女"


def test_make_id_accepts_an_int_sequence_and_a_string_birth():
    assert make_id(birth="19950307", seq=7) == make_id(seq="007")


def test_make_id_rejects_bad_parts():
    with pytest.raises(ValueError):
        make_id(region="14010")
    with pytest.raises(ValueError):
        make_id(seq="12a")


def test_literal_example_check_digit_by_hand():
    # The GB 11643-1999 example 11010519491231002X:
    #   digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
    #   weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    #   products 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 % 11 = 2; "10X98765432"[2] = "X"
    assert make_id("110105", date(1949, 12, 31), "002") == "11010519491231002X"
    info = parse("11010519491231002X", today=date(2010, 1, 1))
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"
    assert info.region_code == "110105"
    assert info.region_known


@settings(max_examples=500)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_follows_the_gb11643_weights(first17):
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
    total = sum(int(d) * w for d, w in zip(first17, weights))
    assert idnumber._check_char(first17) == "10X98765432"[total % 11]


def test_region_table_read_directly_agrees_with_stdnum():
    from stdnum import numdb

    table = numdb.get("cn/loc")
    codes = idnumber._county_codes()
    assert codes is not None and len(codes) > 3000
    candidates = set(codes) | {c[:4] + "00" for c in codes} | {c[:2] + "0000" for c in codes}
    candidates |= {f"{n:06d}" for n in range(0, 1_000_000, 997)}
    for code in candidates:
        known = any(props.get("county") for _part, props in table.info(code))
        assert (code in codes) == known, code


def test_stdnum_doc_example_is_valid_here_too():
    info = parse("360426199101010071", today=TODAY)
    assert info.birth_date == date(1991, 1, 1)
    assert info.sex == "男"


def test_region_created_after_birth_is_still_accepted():
    # 140105 (小店区) dates from 1997; stdnum rejects people born there earlier.
    number = make_id("140105", date(1990, 5, 1), "011")
    assert not ric.is_valid(number)
    info = parse(number, today=TODAY)
    assert info.region_known


def test_unknown_region_is_a_warning_not_an_error():
    info = parse(make_id(region="999999"), today=TODAY)
    assert info.region_code == "999999"
    assert info.region_known is False


def test_known_region_without_county_detail_is_unknown():
    # 140199 falls in 山西省 but names no county.
    assert parse(make_id(region="140199"), today=TODAY).region_known is False


def test_default_today_is_used():
    birth = date(date.today().year - 30, 1, 1)
    assert parse(make_id(birth=birth)).birth_date == birth


def test_today_may_be_a_datetime():
    assert parse(make_id(), today=datetime(2026, 3, 7, 12, 0)).age_on(TODAY) == 31


# --- normalisation ----------------------------------------------------------------------


def test_lower_case_x_is_upper_cased():
    number = "11010519491231002x"
    assert normalise(number) == "11010519491231002X"
    assert parse(number, today=date(2010, 1, 1)).number == "11010519491231002X"


def test_full_width_digits_x_and_spaces_are_normalised():
    raw = "\u3000１１０１０５ １９４９１２３１\t００２ｘ\n"
    assert normalise(raw) == "11010519491231002X"
    assert parse(raw, today=date(2010, 1, 1)).number == "11010519491231002X"
    assert normalise("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_invisible_characters_are_dropped():
    assert normalise("\ufeff1101\u200b05") == "110105"


def test_normalise_empty():
    assert normalise("") == ""
    assert normalise(None) == ""
    assert normalise(" \u3000 ") == ""


# --- error messages ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_empty(raw):
    error = parse_error(raw)
    assert error.message == "请填写身份证号"
    assert error.code == "empty"


@pytest.mark.parametrize("raw, length", [("1401051995", 10), ("140105950307123", 15),
                                         (make_id() + "1", 19)])
def test_wrong_length(raw, length):
    error = parse_error(raw)
    assert error.message == f"身份证号应为18位，当前为{length}位"
    assert str(error) == error.message
    assert isinstance(error, ValueError)


def test_length_is_counted_after_normalisation():
    assert parse_error("１４０１０５").message == "身份证号应为18位，当前为6位"


@pytest.mark.parametrize("raw", ["14010519950307A230", "X40105199503071230", "1401051995030712X0",
                                 "140105199503071²30"])
def test_non_digit_in_first_17(raw):
    error = parse_error(raw)
    assert error.message == "身份证号前17位只能是数字"
    assert error.code == "format"


def test_bad_last_character():
    assert parse_error("14010519950307123A").message == "身份证号最后一位只能是数字或X"


@pytest.mark.parametrize("birth", ["19990231", "19991301", "19990001", "00000101", "20230229"])
def test_impossible_birth_date(birth):
    error = parse_error(make_id(birth=birth))
    assert error.message == f"身份证号中的出生日期{birth}不存在"
    assert error.code == "birth_date"


def test_feb_29_in_a_leap_year_exists():
    assert parse(make_id(birth="20000229"), today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_date_in_the_future():
    error = parse_error(make_id(birth=date(2026, 3, 8)))
    assert error.message == "身份证号中的出生日期20260308晚于今天"
    assert error.code == "future"


def test_born_today_is_not_in_the_future():
    assert parse(make_id(birth=TODAY), today=TODAY, min_age=0).age_on(TODAY) == 0


def test_wrong_check_digit():
    number = make_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    error = parse_error(wrong)
    assert error.message == "身份证号校验位不正确，请核对"
    assert error.code == "checksum"


def test_x_where_a_digit_belongs_is_a_checksum_error():
    number = make_id()
    assert number[17] != "X"
    assert parse_error(number[:17] + "x").message == "身份证号校验位不正确，请核对"


# --- age boundaries ---------------------------------------------------------------------


def test_exactly_min_age_on_birthday_is_accepted():
    info = parse(make_id(birth=date(2010, 3, 7)), today=TODAY)
    assert info.age_on(TODAY) == 16


def test_one_day_short_of_min_age_is_rejected():
    error = parse_error(make_id(birth=date(2010, 3, 8)))
    assert error.message == "按身份证号计算年龄为15周岁，不在16至65周岁的范围内"
    assert error.code == "age"


def test_max_age_until_the_day_before_the_next_birthday():
    assert parse(make_id(birth=date(1960, 3, 8)), today=TODAY).age_on(TODAY) == 65
    assert parse(make_id(birth=date(1961, 3, 7)), today=TODAY).age_on(TODAY) == 65


def test_over_max_age_is_rejected_and_names_the_age():
    error = parse_error(make_id(birth=date(1960, 3, 7)))
    assert "66周岁" in error.message
    assert error.message == "按身份证号计算年龄为66周岁，不在16至65周岁的范围内"


def test_custom_age_range():
    number = make_id(birth=date(2000, 1, 1))
    assert parse(number, today=TODAY, min_age=18, max_age=26).age_on(TODAY) == 26
    error = parse_error(number, min_age=18, max_age=25)
    assert error.message == "按身份证号计算年龄为26周岁，不在18至25周岁的范围内"


def test_age_on_feb_29_birthday():
    info = parse(make_id(birth="20080229"), today=date(2025, 1, 1))
    assert info.age_on(date(2025, 2, 28)) == 16
    assert info.age_on(date(2025, 3, 1)) == 17
    assert info.age_on(date(2024, 2, 28)) == 15
    assert info.age_on(date(2024, 2, 29)) == 16


def test_info_is_frozen():
    info = parse(make_id(), today=TODAY)
    with pytest.raises(AttributeError):
        info.sex = "女"


# --- cross-checks with the form ---------------------------------------------------------


def test_check_against_matching_fields():
    info = parse(make_id(), today=TODAY)
    assert check_against(info, sex="男", birth_date=date(1995, 3, 7)) == {}
    assert check_against(info) == {}
    assert check_against(info, sex="", birth_date=None) == {}


def test_check_against_sex_mismatch():
    info = parse(make_id(), today=TODAY)
    assert check_against(info, sex="女") == {"sex": "性别与身份证号不符：身份证号显示为男"}
    female = parse(make_id(seq="124"), today=TODAY)
    assert check_against(female, sex="男") == {"sex": "性别与身份证号不符：身份证号显示为女"}


def test_check_against_birth_date_mismatch():
    info = parse(make_id(), today=TODAY)
    assert check_against(info, birth_date=date(1995, 7, 3)) == {
        "birth_date": "出生日期与身份证号不符：身份证号显示为1995-03-07",
    }


def test_check_against_both_mismatches():
    info = parse(make_id(), today=TODAY)
    errors = check_against(info, sex="女", birth_date=date(1996, 3, 7))
    assert set(errors) == {"sex", "birth_date"}


def test_check_against_accepts_a_datetime_birth_date():
    info = parse(make_id(), today=TODAY)
    assert check_against(info, birth_date=datetime(1995, 3, 7, 0, 0)) == {}


# --- masking ----------------------------------------------------------------------------


def test_mask_id():
    assert mask_id("14010519950307123X") == "140105********123X"
    assert mask_id("14010519950307123x") == "140105********123X"
    assert mask_id("１４０１０５ １９９５０３０７１２３Ｘ") == "140105********123X"


@pytest.mark.parametrize("raw, masked", [
    ("140105950307123", "*************23"),
    ("1234", "**34"),
    ("12", "**"),
    ("", ""),
])
def test_mask_id_other_lengths_keep_the_last_two(raw, masked):
    assert mask_id(raw) == masked


@pytest.mark.parametrize("raw, masked", [
    ("13812345678", "138****5678"),
    (" 138 1234 5678 ", "138****5678"),
    ("0351-1234567", "********4567"),
    ("+8613812345678", "**********5678"),
    ("12345", "*2345"),
    ("1234", "****"),
    ("", ""),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_id_of_nothing_is_empty():
    assert mask_id(None) == mask_id("") == ""


def test_mask_phone_none():
    assert mask_phone(None) == ""


@pytest.mark.parametrize("raw, masked", [
    ("E12345678", "E*****678"),
    ("e12345678", "E*****678"),
    ("EA1234567", "EA****567"),
    ("G1234567", "G****567"),
    ("123456789", "******789"),
    ("E123", "**23"),
    ("AB", "**"),
    ("", ""),
])
def test_mask_passport(raw, masked):
    assert mask_passport(raw) == masked


def test_masks_never_reveal_the_middle():
    number = make_id()
    assert number[6:14] not in mask_id(number)
    assert "1234" not in mask_phone("13812345678")
    assert "12345" not in mask_passport("E12345678")


# --- properties -------------------------------------------------------------------------

PROPERTY_TODAY = date(2026, 1, 1)
births = st.dates(min_value=date(1900, 1, 1), max_value=PROPERTY_TODAY)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)
# No example database: parallel helpers share this checkout, so keep runs independent.
property_settings = settings(max_examples=200, deadline=None, database=None)


@property_settings
@given(region=regions, birth=births, seq=sequences)
def test_make_id_round_trips(region, birth, seq):
    number = make_id(region, birth, seq)
    info = parse(number, today=PROPERTY_TODAY, min_age=0, max_age=200)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == ("男" if int(seq[-1]) % 2 else "女")
    assert info.region_code == region
    assert check_against(info, sex=info.sex, birth_date=birth) == {}


@property_settings
@given(region=regions, birth=births, seq=sequences, position=st.integers(0, 16),
       shift=st.integers(1, 9))
def test_any_single_digit_substitution_is_caught(region, birth, seq, position, shift):
    number = make_id(region, birth, seq)
    new_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + new_digit + number[position + 1:]
    assert changed != number
    # The check digit alone must catch it, whatever else the change breaks.
    assert make_id(changed[:6], changed[6:14], changed[14:17])[17] != number[17]
    with pytest.raises(IdNumberError):
        parse(changed, today=PROPERTY_TODAY, min_age=0, max_age=200)
