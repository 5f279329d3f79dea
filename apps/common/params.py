"""Integers out of a query string or a form's raw POST: the one reading for every page."""

# Full-width digits, as a Chinese input method types them ("１２"): the number the user meant.
_FULL_WIDTH_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}
# PostgreSQL's bigint: a larger id matches no row, and must not reach the database as one.
BIGINT_MAX = 2 ** 63 - 1


def ascii_int(value, default=None, *, low: int = 0, high: int = BIGINT_MAX):
    """``value`` as an int in [low, high], or ``default``: ASCII digits after full-width ones
    are folded, nothing else (no sign, no space, no "²" or other digits str.isdigit() allows,
    no 20-digit number that int() would take and the database would refuse)."""
    text = str(value if value is not None else "").translate(_FULL_WIDTH_DIGITS)
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return default
    number = int(text)
    return number if low <= number <= high else default


def ascii_ints(values, **bounds) -> list[int]:
    """The readable integers of a list (``getlist``), the others dropped."""
    found = (ascii_int(v, **bounds) for v in values)
    return [n for n in found if n is not None]


def query_text(value, max_length: int = 100) -> str:
    """A search text from a query string: control characters (a NUL, which PostgreSQL
    refuses in any text) dropped, spaces trimmed, at most ``max_length`` characters."""
    text = "".join(c for c in str(value or "") if c.isprintable() or c == " ")
    return text.strip()[:max_length]
