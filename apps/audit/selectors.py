"""Reads of the audit log: the audit administrator's only (accounts.scoping)."""
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.audit.models import AuditEvent


# A text has no index (a substring of any column): its search reads every row of its
# range, so the range is bounded — a month of the log, ~90,000 rows, ~40 ms (bench/lists.py).
TEXT_SEARCH_DAYS = 31


def text_search_range(since, until, today=None):
    """The dates a search by text covers: the chosen range, at most TEXT_SEARCH_DAYS days;
    with one end chosen, that many days from it; with none, the last TEXT_SEARCH_DAYS days.
    A longer range is refused, naming the bound."""
    today = today or timezone.localdate()
    span = timedelta(days=TEXT_SEARCH_DAYS - 1)
    if since and until:
        if until - since > span:
            raise ValidationError({"since": f"按内容查找时，日期范围最长{TEXT_SEARCH_DAYS}天"
                                            f"（所选为{(until - since).days + 1}天），请缩小范围。"})
        return since, until
    if since:
        return since, since + span
    until = until or today
    return until - span, until


def audit_event_list(user, *, action: str = "", username: str = "", since=None, until=None,
                     text: str = ""):
    if text:
        since, until = text_search_range(since, until)
    events = visible(AuditEvent.objects.select_related("actor"), user)
    if action:
        events = events.filter(action=action)
    if username:
        # A failed login has no actor: the username it tried is in the detail.
        events = events.filter(Q(actor__username__iexact=username)
                               | Q(actor__isnull=True, detail=f"用户名：{username}"))
    # As a range of times, not at::date: a bound on the column itself is an index condition
    # on the list's (at, id) order, where a date of each row is a scan of millions.
    if since:
        events = events.filter(at__gte=_day_start(since))
    if until:
        events = events.filter(at__lt=_day_start(until + timedelta(days=1)))
    if text:
        # A text without letters of two cases (Chinese, digits) matches the same without
        # UPPER() on every row of the range: 19 ms rather than 31 for a month (bench).
        like = "contains" if text.upper() == text.lower() else "icontains"
        match = (Q(**{f"detail__{like}": text}) | Q(**{f"object_type__{like}": text})
                 | Q(object_id=text))
        if _ip_like(text):
            match |= Q(ip=text)
        events = events.filter(match)
    return events.order_by("-at", "-pk")


def _ip_like(text: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _day_start(day):
    """Midnight of ``day`` where the office is (the dates the auditor types are local)."""
    return timezone.make_aware(datetime.combine(day, time.min))
