"""Chinese phone numbers: a mobile number, or a landline with its area code. One rule for the
registration form and every upload; the messages name what a spreadsheet typically did to the
number (a lost leading zero), since that is how most bad numbers arrive."""
import re
import unicodedata

MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x with 8-digit local numbers; 0[3-9]xx with 7 or 8 digits.
LANDLINE = re.compile(r"(?:010|02\d)\d{8}|0[3-9]\d{2}\d{7,8}")
_SEPARATORS = re.compile(r"[\s\-()（）—]")
_COUNTRY = re.compile(r"(?:\+|00)?86(?=1[3-9]\d{9}$)")


class PhoneError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def phone_normalise(raw) -> str:
    """The number as digits ("13812345678", "03514048298"), "" for an empty value, or
    PhoneError with a Chinese message."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    digits = _COUNTRY.sub("", _SEPARATORS.sub("", text), count=1)
    if not digits:
        return ""
    if not (digits.isascii() and digits.isdigit()):
        raise PhoneError(f"联系方式“{text[:20]}”只能包含数字（固定电话可写作 0351-4048298）")
    if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits):
        return digits
    if digits[0] in "23456789" and 9 <= len(digits) <= 11:
        raise PhoneError(
            f"固定电话“{digits}”缺少开头的0（区号以0开头）：多半是表格软件把该列当作数字而丢掉了0，"
            "请把该列设为“文本”格式后重新录入")
    if digits[0] == "1":
        raise PhoneError(f"手机号应为11位，“{digits}”为{len(digits)}位")
    if len(digits) in (7, 8):
        raise PhoneError(f"固定电话“{digits}”须带区号，如 0351-4048298")
    raise PhoneError(f"联系方式“{digits}”应为11位手机号或带区号的固定电话")
