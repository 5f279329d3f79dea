"""Turn messy spreadsheet cells into clean values, or say in Chinese what is wrong."""
import re
from datetime import date, datetime, timedelta

from apps.registry import idnumber

# One translation table: full-width ASCII folded, control and direction characters dropped
# (a single C-level pass per cell; a roster has hundreds of thousands of cells).
FOLD = {0xFF10 + i: 0x30 + i for i in range(10)} | {
    0xFF21 + i: 0x41 + i for i in range(26)} | {0xFF41 + i: 0x61 + i for i in range(26)} | {
    0x3000: 0x20, 0xFF0F: 0x2F, 0xFF0D: 0x2D, 0xFF0E: 0x2E} | {
    c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                      *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                      0xFEFF]}
EXCEL_EPOCH = date(1899, 12, 30)
# What may start with + or -: a signed number or a phone number ("+86 138 0000 0000"). Anything
# else so started is a formula to a spreadsheet ("-2+3+cmd|' /C calc'!A0").
SIGNED_NUMBER = re.compile(r"[+-][0-9][0-9 .\-]*")
MAX_TEXT = 500


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    """A cell as clean text: full-width ASCII folded, control and direction characters removed,
    stray spaces trimmed. A formula-looking text is refused (it could run when re-exported)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = " ".join(str(value).translate(FOLD).split())
    if len(s) > MAX_TEXT:
        raise CellError(f"内容过长（{len(s)}字），最多{MAX_TEXT}字")
    if s[:1] in ("=", "@") or (s[:1] in ("+", "-") and len(s) > 1 and not SIGNED_NUMBER.fullmatch(s)):
        raise CellError(f"含有公式或命令（{s[:20]}），请改为纯文本")
    return s


def id_number(value) -> str:
    """An ID number cell. A number-typed cell has already lost its last digits in Excel."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError("身份证号被存成了数字，末几位已丢失。请把该列设为“文本”格式后重新录入")
    raw = text(value)
    if re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", raw):
        raise CellError("身份证号为科学计数法，末几位已丢失。请把该列设为“文本”格式后重新录入")
    return idnumber.normalise(raw)


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def a_date(value) -> date | None:
    """2020/6/5, 2020年6月5日, 2020-06-05, 20200605, an Excel date or serial number."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel serial days: 1954 … 2119
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"日期“{value}”无法识别")
    s = text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return a_date(float(s))
    for pattern in DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError(f"日期“{s}”不存在")
    raise CellError(f"日期“{s}”无法识别，请写成 2020-06-05 或 2020年6月5日")


def phone(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = re.sub(r"[\s\-]", "", text(value))
    if not s:
        return ""
    if not s.isdigit() or not (len(s) == 11 and s.startswith("1") or 7 <= len(s) <= 12):
        raise CellError(f"联系方式“{s}”应为11位手机号或带区号的固定电话")
    return s


def choice(value, choices, label) -> str:
    s = text(value)
    if s and s not in choices:
        raise CellError(f"{label}只能填写：{'、'.join(c for c in choices if c)}")
    return s


# --- Whole columns at once ----------------------------------------------------------------
# A 10,000-row roster has 200,000 cells; calling the cleaners above on each costs ~0.5 s. Most
# columns are either already clean text (names, ID numbers, phones, addresses) or repeat a few
# values (sex, category, dates). clean_column() proves the first kind clean with a few C-level
# scans of the joined column and calls a cleaner once per distinct value for the rest. Its
# results are by construction those of the per-cell cleaner (tests/rosters pin that).

_MISSING = object()
# Anything text() would fold or drop, or whitespace other than the single inner space; the
# column being joined by "\n", that one is allowed here and double, leading and trailing
# spaces and formula-looking starts (= @ + -) are found by substring tests in _plain().
# (text() allows "+86…" and "-1": such a column simply takes the per-value path.)
# (Every whitespace character of Unicode is at or below U+3000.)
_NOT_PLAIN = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(
    set(FOLD) | {c for c in range(0x3001) if chr(c).isspace()} - {0x20, 0x0A})) + "]")
_NOT_PLAIN_PAIRS = ("  ", "\n ", " \n", "\n=", "\n@", "\n+", "\n-")
_NOT_DIGITS = re.compile(r"[^0-9\n]")


_PHONE_LENGTHS = {0, 7, 8, 9, 10, 11, 12}


def _plain(cells) -> bool:
    """Whether text(c) == c for every cell: all str, nothing to fold, trim or refuse."""
    if not cells:
        return True
    if set(map(type, cells)) != {str}:
        return False
    joined = "\n".join(cells)
    if joined.count("\n") != len(cells) - 1:  # a cell holds a line break: not plain anyway
        return False
    if _NOT_PLAIN.search(joined) or any(pair in joined for pair in _NOT_PLAIN_PAIRS):
        return False
    if joined[:1] in (" ", "=", "@", "+", "-") or joined[-1:] == " ":
        return False
    return max(map(len, cells)) <= MAX_TEXT


def _unchanged(cells, cleaner) -> bool:
    """Whether cleaner(c) == c for every cell, proven without calling it."""
    if cleaner is text:
        return _plain(cells)
    if cleaner is id_number:
        # id_number() = normalise(text(c)): on plain text it only drops spaces and the word
        # joiner and upper-cases x; "+" is needed for the scientific-notation refusal.
        if not _plain(cells):
            return False
        joined = "".join(cells)
        return not any(c in joined for c in " x\u2060+")
    if cleaner is phone:
        # phone() of plain text keeps 7 to 12 ASCII digits (or nothing) as they are.
        return (_plain(cells) and not _NOT_DIGITS.search("\n".join(cells))
                and set(map(len, cells)) <= _PHONE_LENGTHS)
    return False


def clean_column(cells, cleaner) -> tuple[list, dict]:
    """cleaner() applied to each cell: (values, {index: message of the CellError}).

    A cell whose cleaner raised has no value (None) in ``values``; callers look at the errors."""
    if _unchanged(cells, cleaner):
        return list(cells), {}
    if cleaner is text and cells and set(map(type, cells)) == {float} \
            and all(map(float.is_integer, cells)):
        # Numbers such as the 序号 column: text() of a whole float is its integer's digits.
        return list(map(str, map(int, cells))), {}
    if set(map(type, cells)) == {str}:
        # Each distinct text cleaned once, then looked up in C (sex, category, dates: a few
        # values each, repeated 10,000 times).
        outcomes, refused = {}, {}
        for cell in set(cells):
            try:
                outcomes[cell] = cleaner(cell)
            except CellError as error:
                refused[cell] = error.message
        if not refused:
            return list(map(outcomes.__getitem__, cells)), {}
        return ([outcomes.get(cell) for cell in cells],
                {i: refused[cell] for i, cell in enumerate(cells) if cell in refused})
    values, errors, seen = [], {}, {}
    append = values.append
    for index, cell in enumerate(cells):
        key = cell if cell.__class__ is str else (cell.__class__, cell)
        try:
            outcome = seen.get(key, _MISSING)
        except TypeError:  # unhashable: never from a reader, but stay correct
            key, outcome = None, _MISSING
        if outcome is _MISSING:
            try:
                outcome = (True, cleaner(cell))
            except CellError as error:
                outcome = (False, error.message)
            if key is not None:
                seen[key] = outcome
        ok, value = outcome
        if ok:
            append(value)
        else:
            append(None)
            errors[index] = value
    return values, errors
