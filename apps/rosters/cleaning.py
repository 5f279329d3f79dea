"""Turn messy spreadsheet cells into clean values, or say in Chinese what is wrong."""
import re
from datetime import date, datetime, timedelta

from apps.registry import idnumber
from apps.registry.phones import LANDLINE, MOBILE, PhoneError, phone_normalise

# One translation table: full-width ASCII folded, control and direction characters dropped
# (a single C-level pass per cell; a roster has hundreds of thousands of cells).
FOLD = {0xFF10 + i: 0x30 + i for i in range(10)} | {
    0xFF21 + i: 0x41 + i for i in range(26)} | {0xFF41 + i: 0x61 + i for i in range(26)} | {
    0x3000: 0x20, 0xFF0F: 0x2F, 0xFF0D: 0x2D, 0xFF0E: 0x2E} | {
    c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                      *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                      0xFEFF]}
EXCEL_EPOCH = date(1899, 12, 30)
# A workbook saved in the 1904 date system (Mac Excel: workbookPr date1904) counts from here.
EXCEL_EPOCH_1904 = date(1904, 1, 1)
# What may start with + or -: a signed number or a phone number ("+86 138 0000 0000"). Anything
# else so started is a formula to a spreadsheet ("-2+3+cmd|' /C calc'!A0").
SIGNED_NUMBER = re.compile(r"[+-][0-9][0-9 .\-]*")
MAX_TEXT = 500
# A spreadsheet keeps 15 significant digits of a number: a number cell at or above this has
# lost digits (its text, 1.40105199005201E+17 or 140105199005201000, is not what was typed).
EXACT_NUMBER = 10 ** 15
# A number in the form a spreadsheet writes long numbers: "1.40105E+17", "3.5e10".
EXPONENT = re.compile(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+")
AS_TEXT = "请把该列设为“文本”格式后按原件重新录入"


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _imprecise(value) -> CellError:
    return CellError(f"数字“{value:.15g}”超过15位，表格软件只保存15位有效数字，后几位已丢失。{AS_TEXT}")


def text(value) -> str:
    """A cell as clean text: full-width ASCII folded, control and direction characters removed,
    stray spaces trimmed. A formula-looking text is refused (it could run when re-exported)."""
    if value is None:
        return ""
    if _is_number(value) and abs(value) >= EXACT_NUMBER:
        raise _imprecise(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = " ".join(str(value).translate(FOLD).split())
    if len(s) > MAX_TEXT:
        raise CellError(f"内容过长（{len(s)}字），最多{MAX_TEXT}字")
    if s[:1] in ("=", "@") or (s[:1] in ("+", "-") and len(s) > 1 and not SIGNED_NUMBER.fullmatch(s)):
        raise CellError(f"含有公式或命令（{s[:20]}），请改为纯文本")
    if "\ufffd" in s:
        raise CellError(f"“{s[:30]}”含有无法识别的字符“\ufffd”：文字在编码转换时已丢失，请在原文件中改正后重新上传")
    if "?" in s and _LOST_HANZI.search(s):
        raise CellError(f"“{s[:30]}”中的“?”多半是另存为 GBK/ANSI 编码时无法保存的汉字，请核对原文"
                        "（建议另存为“CSV UTF-8”）后重新上传")
    return s


# A "?" next to a Chinese character: what a GBK "save as" leaves of a character it cannot hold.
_LOST_HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]\?|\?[\u3400-\u9fff\uf900-\ufaff]")


def identifier(value, *, trusted=None) -> str:
    """A text-identity cell: a code, a phone, passport, certificate or account number. Its
    text is what identifies, so a cell typed as a number is refused (a leading zero, the
    digits past the 15th and any letter are gone, "1.2E+17" is what is left) unless
    ``trusted(digits)`` says such a number cannot have lost anything (a mobile number: 11
    digits, starting with 1). Text in exponent form is the same damage, through a CSV."""
    if _is_number(value):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"“{value:.15g}”被存成了带小数的数字，编号不能是数字。{AS_TEXT}")
        digits = text(value)  # refuses 16 digits and more
        if trusted is not None and trusted(digits):
            return digits
        raise CellError(f"“{digits}”被存成了数字：原本以0开头的，已缺少开头的0（编号、电话须为文本）。"
                        f"{AS_TEXT}")
    s = text(value)
    if EXPONENT.fullmatch(s):
        raise CellError(f"“{s}”为科学计数法，表格软件已丢失后几位数字。{AS_TEXT}")
    return s


def is_mobile(digits: str) -> bool:
    return bool(MOBILE.fullmatch(digits))


def id_number(value) -> str:
    """An ID number cell. A number-typed cell has already lost its last digits in Excel."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError("身份证号被存成了数字，末几位已丢失。请把该列设为“文本”格式后重新录入")
    raw = text(value)
    if re.fullmatch(r"\d(\.\d+)?[eE]\+\d+", raw):
        raise CellError("身份证号为科学计数法，末几位已丢失。请把该列设为“文本”格式后重新录入")
    number = idnumber.normalise(raw)
    if (len(number) == idnumber.ID_LENGTH and number.endswith(LOST_DIGITS)
            and number[:17].isdigit()):  # a masked number ("140105********1000") lost nothing
        # A spreadsheet keeps 15 significant digits of a number: an ID column formatted as a
        # number comes out of a CSV with its last three digits zeroed, and about one such
        # value in eleven still passes the check digit, as somebody else's number.
        raise CellError(
            f"身份证号“{idnumber.mask_id(number)}”末三位为000，多半是表格软件把该列当作数字而丢失了末几位。"
            "请把该列设为“文本”格式后按原件重新录入；如号码确实以000结尾，请在“登记报名”页面逐人录入")
    return number


LOST_DIGITS = "000"


DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def a_date(value, *, epoch=EXCEL_EPOCH) -> date | None:
    """2020/6/5, 2020年6月5日, 2020-06-05, 20200605, an Excel date or serial number (counted
    from ``epoch``: the workbook's date system)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel serial days: 1954 … 2119
            return epoch + timedelta(days=int(value))
        raise CellError(f"日期“{value}”无法识别")
    s = text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return a_date(float(s), epoch=epoch)
    for pattern in DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError(f"日期“{s}”不存在")
    raise CellError(f"日期“{s}”无法识别，请写成 2020-06-05 或 2020年6月5日")


def a_date_1904(value) -> date | None:
    return a_date(value, epoch=EXCEL_EPOCH_1904)


def for_sheet(cleaner, sheet):
    """The cleaner as it reads this sheet's cells: a date column of a workbook in the 1904
    date system counts serial numbers from 1904 (calamine already reads date-formatted cells
    by the workbook's system)."""
    if cleaner is a_date and getattr(sheet, "date1904", False):
        return a_date_1904
    return cleaner


def phone(value) -> str:
    """A phone number, normalised by the registry's rule. A number cell is a mobile number
    or refused: a landline's leading zero is already gone."""
    try:
        return phone_normalise(identifier(value, trusted=is_mobile))
    except PhoneError as error:
        raise CellError(error.message)


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
    (set(FOLD) | {c for c in range(0x3001) if chr(c).isspace()} | {ord("?"), 0xFFFD})
    - {0x20, 0x0A})) + "]")
_NOT_PLAIN_PAIRS = ("  ", "\n ", " \n", "\n=", "\n@", "\n+", "\n-")
_VALID_PHONE = re.compile(f"{MOBILE.pattern}|{LANDLINE.pattern}")



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
        return (not any(c in joined for c in " x\u2060+")
                and f"{LOST_DIGITS}\n" not in "\n".join(cells) + "\n")
    if cleaner is phone:
        # phone() keeps a valid mobile or landline number (or nothing) as it is.
        return _plain(cells) and all(c == "" or _VALID_PHONE.fullmatch(c) for c in cells)
    return False


def clean_column(cells, cleaner) -> tuple[list, dict]:
    """cleaner() applied to each cell: (values, {index: message of the CellError}).

    A cell whose cleaner raised has no value (None) in ``values``; callers look at the errors."""
    if _unchanged(cells, cleaner):
        return list(cells), {}
    if cleaner is text and cells and set(map(type, cells)) == {float} \
            and all(map(float.is_integer, cells)) and max(map(abs, cells)) < EXACT_NUMBER:
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
