"""Reads of the audit log: the audit administrator's only (accounts.scoping)."""
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.audit.models import AuditEvent


def audit_event_list(user, *, action: str = "", username: str = "", since=None, until=None,
                     text: str = ""):
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
        match = Q(detail__icontains=text) | Q(object_type__icontains=text) | Q(object_id=text)
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
