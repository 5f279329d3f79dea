"""Yearly plans and task numbers: every write here, audited, by the province only."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.orgs.models import City, FilingStatus, OrganisingUnit
from apps.quotas.models import PlanStatus, PovertyTarget, Task, TaskPlan

# A year the system can plan: this one's neighbours, not a typo's 2207.
FIRST_YEAR, YEARS_AHEAD = 2020, 1


def _province_only(actor):
    if getattr(actor, "role", None) != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以设置年度任务。")


def plannable(year: int, today=None) -> bool:
    today = today or timezone.localdate()
    return FIRST_YEAR <= year <= today.year + YEARS_AHEAD


def _show(number):
    return "未知" if number is None else str(number)


@audited(AuditAction.QUOTA, "修改任务数")
def task_set_number(task: Task, *, number: int | None, note: str, actor) -> Task:
    """The province enters or corrects a task number; who and when are kept on the row,
    the old and new value in the audit log."""
    _province_only(actor)
    limit = Task._meta.get_field("note").max_length
    if len(note or "") > limit:
        raise ValidationError({"note": f"说明最多{limit}字（现为{len(note)}字）。"})
    task = Task.objects.select_for_update(of=("self",)).select_related("city", "unit").get(pk=task.pk)
    old = task.number
    task.number = number
    task.note = note
    task.updated_by = actor
    task.save(update_fields=["number", "note", "updated_by", "updated_at"])
    audit_log(actor, AuditAction.QUOTA, task,
              detail=f"{task.year}年任务数 {task.unit or task.city}：{_show(old)} → {_show(number)}")
    return task


@audited(AuditAction.QUOTA, "下达任务数")
def task_set(*, year: int, city=None, unit=None, number: int | None, note: str, actor) -> Task:
    """A city's or unit's task number for a year, created when the year has none yet. The
    year's plan must exist: tasks of a year nobody declared would show on no page."""
    if not TaskPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度尚无年度任务计划。"})
    task, _ = Task.objects.get_or_create(year=year, city=city, unit=unit)
    return task_set_number(task, number=number, note=note, actor=actor)


PLAN_FIELDS = ("overall_aim", "declared_unit_total", "declared_city_total", "source")


@audited(AuditAction.PLAN, "年度任务计划")
def task_plan_save(*, year: int, actor, **fields):
    """Create or correct a year's target and declared totals (the plan's 合计 rows). A plan
    made here is a draft until the province publishes it."""
    _province_only(actor)
    plan = TaskPlan.objects.select_for_update().filter(year=year).first() or TaskPlan(year=year)
    before = {name: getattr(plan, name) for name in PLAN_FIELDS}
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    plan.full_clean()
    plan.save()
    changes = "；".join(f"{TaskPlan._meta.get_field(n).verbose_name} {before[n] or '—'} → "
                       f"{getattr(plan, n) or '—'}" for n in PLAN_FIELDS
                       if before[n] != getattr(plan, n))
    if changes:
        audit_log(actor, AuditAction.PLAN, plan, detail=f"{year}年度任务：{changes}")
    return plan


@audited(AuditAction.PLAN, "开设年度任务")
def task_plan_open(*, year: int, actor, copy_from: int | None = None) -> TaskPlan:
    """Open a year as a draft: empty, or a copy of ``copy_from``'s target, totals and every
    city's and unit's task. Each city and each approved unit gets a row (number unknown where
    the copy has none), so the province fills a complete 附件1 and 附件2."""
    _province_only(actor)
    if not plannable(year):
        raise ValidationError({"year": f"只能开设{FIRST_YEAR}年至"
                                       f"{timezone.localdate().year + YEARS_AHEAD}年的年度任务。"})
    if TaskPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度任务已开设。"})
    source = None
    if copy_from is not None:
        source = TaskPlan.objects.filter(year=copy_from).first()
        if source is None:
            raise ValidationError({"copy_from": f"{copy_from}年度没有可复制的任务。"})
    plan = TaskPlan.objects.create(
        year=year, status=PlanStatus.DRAFT, copied_from=copy_from,
        **({name: getattr(source, name) for name in PLAN_FIELDS[:3]} if source else {}))
    copied = {(t.city_id, t.unit_id): t for t in Task.objects.filter(year=copy_from)} \
        if source else {}
    rows = [Task(year=year, city=t.city, unit=t.unit, number=t.number, note=t.note,
                 updated_by=actor) for t in copied.values()]
    rows += [Task(year=year, city_id=pk, updated_by=actor)
             for pk in City.objects.values_list("pk", flat=True) if (pk, None) not in copied]
    rows += [Task(year=year, unit_id=pk, updated_by=actor)
             for pk in OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED)
             .values_list("pk", flat=True) if (None, pk) not in copied]
    Task.objects.bulk_create(rows)
    audit_log(actor, AuditAction.PLAN, plan,
              detail=f"开设{year}年度任务（草稿）" + (f"，复制自{copy_from}年度，{len(copied)}项任务"
                                                   if source else "，空白"))
    return plan


@audited(AuditAction.PLAN, "发布年度任务")
def task_plan_publish(plan: TaskPlan, *, actor) -> TaskPlan:
    """Publish a draft: from now cities see their tasks and their units', units their own.
    A conditional UPDATE, so two clicks (or two tabs) publish once and audit once."""
    _province_only(actor)
    now = timezone.now()
    changed = TaskPlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=now, published_by=actor)
    if not changed:
        raise ValidationError(f"{plan.year}年度任务已发布。")
    plan.refresh_from_db()
    audit_log(actor, AuditAction.PLAN, plan, detail=f"发布{plan.year}年度任务")
    return plan


@audited(AuditAction.POVERTY_TARGET, "设置脱贫劳动力占比目标")
def poverty_target_set(*, year: int, share, note: str = "", actor) -> PovertyTarget:
    """The province sets (or corrects) a year's target share of 脱贫劳动力 and 监测对象 among
    the departures; the old and new value go to the audit log."""
    if getattr(actor, "role", None) != Role.PROVINCE:
        raise PermissionDenied("脱贫劳动力占比目标由省专项办设置。")
    errors = {}
    if not plannable(year):
        errors["year"] = f"年度应在{FIRST_YEAR}年至{timezone.localdate().year + YEARS_AHEAD}年之间。"
    if share is None or not 0 < share <= 100:
        errors["share"] = "目标占比应大于0且不超过100。"
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = f"依据或说明过长（{len(note)}字），最多200字。"
    if errors:
        raise ValidationError(errors)
    old = PovertyTarget.objects.select_for_update().filter(year=year).first()
    target, _ = PovertyTarget.objects.update_or_create(
        year=year, defaults={"share": share, "note": note, "updated_by": actor})
    audit_log(actor, AuditAction.POVERTY_TARGET, target,
              detail=f"{year}年脱贫劳动力占比目标：{f'{old.share}%' if old else '未设置'} → {target.share}%"
                     + (f"（{note}）" if note else ""))
    return target
