"""Reads of complaints: the scoped list with its clock, and the figures for the dashboards."""
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Aggregate, Case, CharField, Count, F, FloatField, Func, IntegerField, OuterRef, Q, Subquery,
    Value, When,
)
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.complaints.models import OPEN_STATES, RUNNING_STATES, Complaint, State
from apps.deadlines.models import OPEN_ITEM, DeadlineItem

# A case open longer than this (calendar days since received) is amber even when in time.
AMBER_DAYS = 15


class Rag:
    RED, AMBER, GREEN = "red", "amber", "green"
    LABELS = {RED: "红（已逾期）", AMBER: f"黄（办理超过{AMBER_DAYS}天）", GREEN: "绿（正常）"}


def _resolution(field):
    ct = ContentType.objects.get_for_model(Complaint)
    return Subquery(DeadlineItem.objects.filter(
        subject_type=ct, subject_id=OuterRef("pk"), rule__code="complaint_resolve",
        status__in=OPEN_ITEM).order_by("-id").values(field)[:1])


def with_clock(qs, now=None):
    """Annotate ``due_at`` / ``due_on`` (the open resolution item), ``overdue`` (past due and
    not on hold: a hold stops the clock) and ``rag``."""
    now = now or timezone.now()
    amber_from = timezone.localdate(now) - timedelta(days=AMBER_DAYS)
    return qs.annotate(
        due_at=_resolution("due_at"), due_on=_resolution("due_on"),
    ).annotate(
        is_overdue=Case(When(state__in=RUNNING_STATES, due_at__lt=now, then=Value(True)),
                        default=Value(False)),
        rag=Case(When(state__in=RUNNING_STATES, due_at__lt=now, then=Value(Rag.RED)),
                 When(state__in=OPEN_STATES, received_on__lt=amber_from, then=Value(Rag.AMBER)),
                 When(state__in=OPEN_STATES, then=Value(Rag.GREEN)),
                 default=Value(""), output_field=CharField()))


def complaint_list(user, filters=None, now=None):
    """The cases ``user`` may see, with their clock; filters: state, level, respondent_kind,
    agency, overdue ("1")."""
    filters = filters or {}
    qs = with_clock(visible(Complaint.objects.all(), user), now)
    for name in ("state", "level", "respondent_kind"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("overdue"):
        qs = qs.filter(is_overdue=True)
    return qs.select_related("candidacy__person", "agency", "unit", "city",
                             "respondent_agency", "respondent_unit").order_by("-received_on", "-id")


class _Percentile(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile, **extra):
        super().__init__(expression, percentile=percentile, **extra)


def _days_to_resolve():
    # date - date is a whole number of days in PostgreSQL.
    return Func(F("resolved_on"), F("received_on"), arg_joiner=" - ", template="(%(expressions)s)",
                output_field=IntegerField())


def complaint_figures(user, departures=None, now=None) -> dict:
    """Scoped counts: received, open, overdue (not on hold), closed (resolved or closed), and
    the median and 90th percentile of CALENDAR days from receipt to resolution (resolved
    cases). ``departures``: a Candidacy queryset to count the cases of (e.g. one year's)."""
    qs = with_clock(visible(Complaint.objects.all(), user), now)
    if departures is not None:
        qs = qs.filter(candidacy__in=departures.values("pk"))
    counts = qs.aggregate(
        received=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(is_overdue=True)),
        closed=Count("pk", filter=Q(state__in=[State.RESOLVED, State.CLOSED])))
    spans = qs.filter(resolved_on__isnull=False).aggregate(
        median=_Percentile(_days_to_resolve(), 0.5), p90=_Percentile(_days_to_resolve(), 0.9))
    return {**counts, "median_days": spans["median"], "p90_days": spans["p90"],
            "days_are": "calendar"}


def agency_rag(user, now=None) -> list[dict]:
    """Per agency the worker belongs to: its open and overdue cases and a colour. Red: any case
    overdue; amber: a case open more than AMBER_DAYS days; green otherwise."""
    qs = with_clock(visible(Complaint.objects.all(), user), now)
    rows = (qs.values("agency", "agency__name").annotate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(rag=Rag.RED)),
        old=Count("pk", filter=Q(rag=Rag.AMBER))).order_by("agency__name"))
    out = []
    for row in rows:
        colour = Rag.RED if row["overdue"] else Rag.AMBER if row["old"] else Rag.GREEN
        out.append({"agency_id": row["agency"], "agency": row["agency__name"],
                    "open": row["open"], "overdue": row["overdue"], "rag": colour})
    return out


def officer_candidates(c):
    """Users who would see ``c`` were it not sensitive: who may be named its officers."""
    from apps.accounts.models import Role, User
    agencies = {c.agency_id, c.respondent_agency_id, c.transferred_to_id, c.filed_agency_id}
    return User.objects.filter(is_active=True).filter(
        Q(role=Role.PROVINCE) | Q(role=Role.CITY, city=c.city_id)
        | Q(role=Role.UNIT, unit=c.unit_id) | Q(role=Role.AGENCY, agency__in=agencies - {None})
    ).order_by("role", "username")
