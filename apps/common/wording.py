"""Messages composed from other messages, each stop written once.

A service's message is a whole sentence ("初试日期不能晚于今天。"); set inside another
sentence it must lose its own stop, or the page reads "今天。。本次提交…" or "今天。；…"."""
from django.core.exceptions import ValidationError

_CLOSING = "。；，、："
_KEPT = "！？"


def clause(message) -> str:
    """A message without its closing stop, to stand inside a longer sentence."""
    return str(message).rstrip().rstrip(_CLOSING).rstrip()


def clauses(messages, sep="；") -> str:
    """Several messages as one run of clauses: "甲不能为空；乙不能晚于今天"."""
    return sep.join(c for c in map(clause, messages) if c)


def sentences(*parts) -> str:
    """Parts as sentences, each closed by exactly one stop (its own ！ or ？ is kept)."""
    out = []
    for part in parts:
        text = clause(part)
        if text:
            out.append(text if text[-1] in _KEPT else text + "。")
    return "".join(out)


def error_text(error: ValidationError, *after) -> str:
    """A ValidationError's messages as one sentence, then any sentences after it."""
    return sentences(clauses(error.messages), *after)
