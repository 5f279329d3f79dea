from django.db.models import Count

from apps.accounts.scoping import visible
from apps.outages.models import LateEntry, OutagePeriod


def period_list(user):
    """Periods with their scope's names and how many late entries each has, in 5 queries."""
    return (visible(OutagePeriod.objects.all(), user)
            .select_related("declared_by", "closed_by")
            .prefetch_related("cities", "units", "agencies")
            .annotate(late_count=Count("late_entries")).order_by("-starts_on", "-id"))


def late_entry_list(user, *, period=None, kind="", on_time=""):
    qs = visible(LateEntry.objects.all(), user).select_related(
        "period", "entered_by", "city", "unit", "agency")
    if period is not None:
        qs = qs.filter(period=period)
    if kind:
        qs = qs.filter(kind=kind)
    if on_time:
        qs = qs.filter(on_time=on_time == "yes")
    return qs
