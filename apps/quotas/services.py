from django.core.exceptions import ValidationError
from django.db import transaction

from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.quotas.models import Task, TaskPlan


@audited(AuditAction.QUOTA, "修改任务数")
@transaction.atomic
def task_set_number(task: Task, *, number: int | None, note: str, actor) -> Task:
    """The province enters or corrects a task number; who and when are kept on the row."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.number = number
    task.note = note
    task.updated_by = actor
    task.save(update_fields=["number", "note", "updated_by", "updated_at"])
    return task


@audited(AuditAction.QUOTA, "下达任务数")
@transaction.atomic
def task_set(*, year: int, city=None, unit=None, number: int | None, note: str, actor) -> Task:
    """A city's or unit's task number for a year, created when the year has none yet. The
    year's plan must exist: tasks of a year nobody declared would show on no page."""
    if not TaskPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度尚无年度任务计划。"})
    task, _ = Task.objects.get_or_create(year=year, city=city, unit=unit)
    return task_set_number(task, number=number, note=note, actor=actor)


@audited(AuditAction.QUOTA, "年度任务计划")
def task_plan_save(*, year: int, actor, **fields):
    """Create or correct a year's declared totals (the plan's 合计 rows)."""
    plan = TaskPlan.objects.filter(year=year).first() or TaskPlan(year=year)
    for name in ("overall_aim", "declared_unit_total", "declared_city_total", "source"):
        if name in fields:
            setattr(plan, name, fields[name])
    plan.full_clean()
    plan.save()
    return plan
