"""A contract term as people write it ("3年", "三年", "36个月", "2年6个月", "1.5年") and the
date it ends: the one place the expected return date is worked out."""
import calendar
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Optional

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_NUMBER = r"[0-9.]+|[零〇一二两三四五六七八九十]+"
_TERM = re.compile(rf"^(?:({_NUMBER})年(半)?)?(?:({_NUMBER})个?月)?(?:期)?$")


def _number(text: str) -> Optional[Decimal]:
    if text[0].isdigit() or text[0] == ".":
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    # Chinese numerals up to 99: 三, 十, 十八, 二十四.
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return Decimal(_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return Decimal(_DIGITS[text]) if len(text) == 1 else None


def contract_months(term: str) -> Optional[int]:
    """The term in whole months, or None when it cannot be read with certainty."""
    text = unicodedata.normalize("NFKC", term or "").replace(" ", "")
    match = _TERM.match(text)
    if not text or not match or not any(match.groups()):
        return None
    years, half, months = match.groups()
    total = Decimal(0)
    for value, factor in ((years, 12), (months, 1)):
        if value:
            number = _number(value)
            if number is None:
                return None
            total += number * factor
    if half:
        total += 6
    if total <= 0 or total != total.to_integral_value():
        return None  # "2.5个月": no day-exact end can be promised
    return int(total)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months``, the end of a shorter month kept (31 Jan + 1 month = 28/29 Feb),
    as PostgreSQL's ``date + interval`` does: the register's SQL agrees with this."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def contract_ends_on(departed_on: Optional[date], contract_term: str) -> Optional[date]:
    """The expected return date: departure plus the contract term; None when either is
    unknown (the register then says 合同期限未知)."""
    months = contract_months(contract_term)
    if departed_on is None or months is None:
        return None
    return add_months(departed_on, months)
