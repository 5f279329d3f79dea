"""Reads of task numbers, scoped."""
from dataclasses import dataclass, field

from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.quotas.models import Task, TaskPlan


@dataclass
class TaskTable:
    rows: list
    declared: int | None
    allocated: int = 0
    unknown: list = field(default_factory=list)

    @property
    def gap(self) -> int | None:
        return None if self.declared is None else self.declared - self.allocated


def _table(rows, declared):
    table = TaskTable(rows=rows, declared=declared)
    for task in rows:
        if task.number is None:
            table.unknown.append(task)
        else:
            table.allocated += task.number
    return table


def task_years(user):
    """Years with a plan ``user`` may see (a draft only for the province), newest first."""
    return list(visible(TaskPlan.objects.all(), user).values_list("year", flat=True))


def current_year() -> int:
    """The year every page with a year opens on: today's, in Asia/Shanghai."""
    return timezone.localdate().year


def year_choices(user, *more) -> list[int]:
    """The year switch: each year with data this user may see, and the current year."""
    return sorted(set(task_years(user)) | {current_year(), *more}, reverse=True)


def previous_plan_year(user, year: int) -> int | None:
    """The latest year before ``year`` with a plan: what a new year is copied from."""
    return (visible(TaskPlan.objects.filter(year__lt=year), user).order_by("-year")
            .values_list("year", flat=True).first())


def task_overview(user, year: int) -> dict:
    plan = visible(TaskPlan.objects.filter(year=year), user).first()
    tasks = visible(Task.objects.filter(year=year), user)
    city_rows = list(tasks.filter(city__isnull=False).select_related("city")
                     .order_by("city__code"))
    unit_rows = list(tasks.filter(unit__isnull=False).select_related("unit", "unit__city")
                     .order_by("unit__seq", "unit__id"))
    # Declared totals are province-wide: compared with a city's own rows they would mislead.
    whole = plan is not None and user.role in (Role.PROVINCE, Role.OBSERVER)
    return {
        "plan": plan,
        "cities": _table(city_rows, plan.declared_city_total if whole else None),
        "units": _table(unit_rows, plan.declared_unit_total if whole else None),
    }
