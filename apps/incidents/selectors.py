"""Reads of 境外突发事件: the list (scoped, filtered, counted in one query) and the figures."""
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.deadlines.models import OPEN_ITEM, DeadlineItem
from apps.incidents.models import (
    Category, Grade, Incident, IncidentReport, IncidentStatus, IncidentWorker,
)


def _count(qs):
    return Coalesce(Subquery(qs.order_by().values("incident").annotate(n=Count("pk"))
                             .values("n")[:1], output_field=IntegerField()), 0)


def _overdue_item(now):
    return DeadlineItem.objects.filter(
        subject_type__app_label="incidents", subject_type__model="incident",
        subject_id=OuterRef("pk"), status__in=OPEN_ITEM, due_at__lt=now)


def incident_list(user, filters=None, now=None):
    """Incidents ``user`` may see, newest first, each with its workers' count, late reports
    and whether a report is overdue now. filters: grade, category, status, late ("1")."""
    filters = filters or {}
    now = now or timezone.now()
    qs = visible(Incident.objects.all(), user)
    for name in ("grade", "category", "status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    qs = qs.annotate(
        worker_count=_count(IncidentWorker.objects.filter(incident=OuterRef("pk"))),
        late_reports=_count(IncidentReport.objects.filter(incident=OuterRef("pk"), late=True)),
        report_count=_count(IncidentReport.objects.filter(incident=OuterRef("pk"))),
        overdue=Exists(_overdue_item(now)))
    if filters.get("late"):
        # 迟报: a report filed late, or one owed and past its due time now.
        qs = qs.filter(Q(late_reports__gt=0) | Q(overdue=True))
    return qs.select_related("city", "unit", "agency").order_by("-learned_at", "-id")


def incident_figures(user) -> dict:
    """Counts of the incidents ``user`` may see, by grade, category and status, and their
    late reports: for the dashboards (each label with its count, every choice present)."""
    incidents = visible(Incident.objects.all(), user)

    def by(field, choices):
        counts = dict(incidents.order_by().values_list(field).annotate(n=Count("pk")))
        return [{"key": value, "label": label, "count": counts.get(value, 0)}
                for value, label in choices]

    reports = visible(IncidentReport.objects.all(), user)
    return {
        "total": incidents.count(),
        "by_grade": by("grade", Grade.choices),
        "by_category": by("category", Category.choices),
        "by_status": by("status", IncidentStatus.choices),
        "reports": reports.count(),
        "late_reports": reports.filter(late=True).count(),
    }
