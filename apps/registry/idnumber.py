"""Chinese 18-digit resident ID numbers (GB 11643-1999) for the registration form.

Pure functions: normalise what a user typed, parse it into an ``IdInfo`` (or raise
``IdNumberError`` with a message to show as is), compare it with the other fields of the
form, and mask ID numbers, phone numbers and passport numbers for display.

The check digit is computed here rather than by ``stdnum.cn.ric.validate()``: that function
can raise a bare ``KeyError`` and rejects genuine IDs of people born before their region
code was created. stdnum's region table is used only to tell whether the region is known,
and an unknown region is a warning (``IdInfo.region_known``), never an error.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "IdInfo",
    "IdNumberError",
    "check_against",
    "full_years",
    "make_id",
    "mask_id",
    "mask_passport",
    "mask_phone",
    "normalise",
    "parse",
]

ID_LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ASCII_DIGITS = frozenset("0123456789")
# Already normal (the common case in a roster): 17 ASCII digits and a digit or X.
_PLAIN = re.compile(r"[0-9]{17}[0-9X]")

# Full-width digits and X come from Chinese input methods in full-width mode.
_FULL_WIDTH = {0xFF10 + i: str(i) for i in range(10)}
_FULL_WIDTH.update({ord("Ｘ"): "X", ord("ｘ"): "X", ord("x"): "X"})
# Invisible characters that str.split() does not treat as whitespace but that
# copy-paste from Word or chat apps often carries along.
_INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None}


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; ``message`` is ready to show to the user."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        # A stable machine-readable reason, so callers need not match on Chinese text.
        self.code = code


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str
    region_code: str
    region_known: bool

    def age_on(self, day: date) -> int:
        """Full years of age on ``day`` (周岁).

        Someone born on 29 February turns a year older on 1 March in common years.
        """
        return full_years(self.birth_date, day)


def full_years(birth_date: date, day: date) -> int:
    """Full years (周岁) from ``birth_date`` to ``day``; 29 February counts from 1 March."""
    if isinstance(day, datetime):
        day = day.date()
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def normalise(raw: str) -> str:
    """Remove all whitespace and map full-width digits and x/X to ASCII, with upper-case X."""
    if not raw:
        return ""
    # str.split() without arguments splits on every Unicode space, U+3000 included.
    text = "".join(str(raw).split())
    return text.translate(_INVISIBLE).translate(_FULL_WIDTH)


def _check_char(first17: str) -> str:
    """The check character of 17 ASCII digits (callers check that they are digits).

    GB 11643's weights are 2**17, 2**16 ... 2**1 modulo 11, and 13 = 2 (mod 11), so the weighted
    sum is 2 * (the digits read in base 13) modulo 11: one int() in C instead of 17 products
    (a roster checks tens of thousands). tests/registry pin it to the weight table."""
    return _CHECK_CHARS[2 * int(first17, 13) % 11]


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() would accept characters such as '²' or Arabic-Indic digits.
    return bool(text) and text.isascii() and text.isdigit()


_COUNTY_LINE = re.compile(r'  ([0-9]{4}) county="')
_PROVINCE_LINE = re.compile(r'([0-9]{2}) province="')


@functools.cache
def _county_codes() -> frozenset | None:
    """Every 6-digit code stdnum's cn/loc table names a county for, read straight from its
    two-level text file (~8 ms, where building stdnum's own tree takes ~75 ms: the first
    roster of a process paid that). None if the file has any other shape."""
    try:
        from importlib.util import find_spec

        # Located without importing the package.
        path = os.path.join(find_spec("stdnum").submodule_search_locations[0], "cn", "loc.dat")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except Exception:  # noqa: BLE001 - fall back to stdnum's own reader
        return None
    codes, province = set(), None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if match := _COUNTY_LINE.match(line):
            if province is None:
                return None
            codes.add(province + match[1])
        elif match := _PROVINCE_LINE.match(line):
            province = match[1]
        else:
            return None
    return frozenset(codes)


@functools.lru_cache(maxsize=4096)  # a roster repeats a few hundred codes thousands of times
def _region_known(region_code: str) -> bool:
    """Whether stdnum's region table names a county for this code, whatever its dates."""
    codes = _county_codes()
    if codes is not None:
        return region_code in codes
    try:
        from stdnum import numdb

        parts = numdb.get("cn/loc").info(region_code)
    except Exception:  # noqa: BLE001 - a broken lookup table must not block registration
        return False
    return any(props.get("county") for _part, props in parts)


@functools.lru_cache(maxsize=65536)  # dates repeat across a roster; a date is immutable
def _birth_date(birth_text: str) -> date:
    return date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))


def parse(
    raw: str,
    *,
    today: date | None = None,
    min_age: int = 16,
    max_age: int = 65,
) -> IdInfo:
    """Check an ID number and return what it says, or raise ``IdNumberError``.

    The birth date is checked before the check digit: a typo in the date usually breaks
    both, and naming the impossible date points the user at the digits to fix. The age is
    checked last, since an age computed from a mistyped number would mislead.
    """
    if raw.__class__ is str and _PLAIN.fullmatch(raw):
        number = raw  # already normal: 17 ASCII digits and a digit or X (a roster's usual case)
    else:
        number = normalise(raw)
        if not number:
            raise IdNumberError("请填写身份证号", "empty")
        if len(number) != ID_LENGTH:
            raise IdNumberError(f"身份证号应为18位，当前为{len(number)}位", "length")
        if not _is_ascii_digits(number[:17]):
            raise IdNumberError("身份证号前17位只能是数字", "format")
        if number[17] not in _ASCII_DIGITS and number[17] != "X":
            raise IdNumberError("身份证号最后一位只能是数字或X", "format")

    birth_text = number[6:14]
    try:
        birth_date = _birth_date(birth_text)
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期{birth_text}不存在", "birth_date") from None

    if number[17] != _check_char(number[:17]):
        raise IdNumberError("身份证号校验位不正确，请核对", "checksum")

    if today is None:
        # Beijing's day, not the machine's: from 16:00 UTC it is already tomorrow in Shanghai
        # (docs/TIME-RULES.md rule 37).
        from django.utils import timezone
        today = timezone.localdate()
    elif isinstance(today, datetime):
        today = today.date()
    if birth_date > today:
        raise IdNumberError(f"身份证号中的出生日期{birth_text}晚于今天", "future")

    info = IdInfo(
        number=number,
        birth_date=birth_date,
        sex="男" if int(number[16]) % 2 == 1 else "女",
        region_code=number[:6],
        region_known=_region_known(number[:6]),
    )
    age = info.age_on(today)
    if not min_age <= age <= max_age:
        raise IdNumberError(
            f"按身份证号计算年龄为{age}周岁，不在{min_age}至{max_age}周岁的范围内", "age"
        )
    return info


def check_against(
    info: IdInfo,
    *,
    sex: str | None = None,
    birth_date: date | None = None,
) -> dict[str, str]:
    """Compare the ID with what the user typed; ``{field_name: message}`` for each mismatch.

    A field left empty (None or "") is not compared: the form reports missing fields itself.
    """
    errors: dict[str, str] = {}
    if sex and sex.strip() != info.sex:
        errors["sex"] = f"性别与身份证号不符：身份证号显示为{info.sex}"
    if birth_date:
        if isinstance(birth_date, datetime):
            birth_date = birth_date.date()
        if birth_date != info.birth_date:
            errors["birth_date"] = (
                f"出生日期与身份证号不符：身份证号显示为{info.birth_date.isoformat()}"
            )
    return errors


def _keep_tail(text: str, keep: int) -> str:
    # Never show a value in full: if it is no longer than what would be kept, hide it all.
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]


def mask_id(number: str) -> str:
    """Keep the region and the last 4, hide the birth date: "140105********123X"."""
    text = number if number.__class__ is str and _PLAIN.fullmatch(number) else normalise(number)
    if len(text) == ID_LENGTH:
        return text[:6] + "*" * 8 + text[-4:]
    return _keep_tail(text, 2)


def mask_phone(phone: str) -> str:
    """An 11-digit mobile number becomes "138****5678"; anything else keeps only the last 4."""
    text = normalise(phone)
    if len(text) == 11 and _is_ascii_digits(text) and text.startswith("1"):
        return text[:3] + "****" + text[-4:]
    return _keep_tail(text, 4)


_LEADING_LETTERS = re.compile(r"[A-Z]+")


def mask_passport(number: str) -> str:
    """Keep the leading letter(s) and the last 3: "E12345678" -> "E*****678"."""
    text = normalise(number).upper()
    match = _LEADING_LETTERS.match(text)
    head = match.group() if match else ""
    if len(head) + 3 < len(text):
        return head + "*" * (len(text) - len(head) - 3) + text[-3:]
    # Too short (or all letters) to hide anything that way: fall back to the last 2.
    return _keep_tail(text, 2)


def make_id(
    region: str = "140105",
    birth: date | str = date(1995, 3, 7),
    seq: str | int = "123",
) -> str:
    """Build an 18-digit ID with the right check digit, for tests and fixtures.

    ``birth`` may be an 8-digit string so that tests can build impossible dates such as
    "19990231". The last digit of ``seq`` decides the sex: odd is 男, even is 女.
    """
    birth_text = birth.strftime("%Y%m%d") if isinstance(birth, date) else str(birth)
    seq_text = f"{seq:03d}" if isinstance(seq, int) else str(seq)
    first17 = f"{region}{birth_text}{seq_text}"
    if len(region) != 6 or len(birth_text) != 8 or len(seq_text) != 3:
        raise ValueError("make_id needs a 6-digit region, an 8-digit birth date and a 3-digit seq")
    if not _is_ascii_digits(first17):
        raise ValueError(f"make_id needs digits only, got {first17!r}")
    return first17 + _check_char(first17)
