"""Every change to a class goes through here: row-locked, checked against the rules, and
writing the deadline items and the pipeline's 培训 stage it implies."""
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.common.dates import span_problem
from apps.common.wording import clauses, sentences
from apps.deadlines.services import class_item_close, class_items_open
from apps.orgs.models import OrganisingUnit, UnitAgencyCooperation
from apps.pipeline import services as pipeline
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.registry.models import Person
from apps.training import rules
from apps.training.models import (
    STOPS_MONEY, ClassKind, ClassPlanChange, ClassStatus, Enrolment, EnrolmentResult, SpotCheck,
    SpotCheckOutcome, StandingMember, TrainingClass, TrainingMode, WeeklyHours,
)

# 附件7 fields a unit may correct while the class runs; the dates only before it opens.
INFO_FIELDS = ["name", "place", "courses", "timetable", "hours_per_week", "remarks", "language",
               "course_starts_on"]
DATE_FIELDS = ["opens_on", "ends_on", "first_term_ends_on", "second_term_starts_on"]


def _require_unit(actor):
    if actor.role != Role.UNIT:
        raise PermissionDenied("只有组织单位可以举办和管理培训班。")


def _locked(cls, actor) -> TrainingClass:
    """The class, locked, if it is the acting unit's own."""
    _require_unit(actor)
    found = visible(TrainingClass.objects.select_for_update(of=("self",)), actor) \
        .filter(pk=cls.pk).select_related("unit").first()
    if found is None:
        raise PermissionDenied("该培训班不存在或不属于本单位。")
    return found


def _check_plan(kind, unit, fields) -> None:
    errors = {}
    for name in DATE_FIELDS + ["course_starts_on"]:  # planned within the span (rule 39)
        label = str(TrainingClass._meta.get_field(name).verbose_name)
        problem = span_problem(fields.get(name), label)
        if problem:
            errors[name] = problem
    if errors:
        raise ValidationError(errors)
    if fields["ends_on"] < fields["opens_on"]:
        errors["ends_on"] = "培训结束时间不能早于开班时间。"
    starts = fields.get("course_starts_on")
    if starts and not fields["opens_on"] <= starts <= fields["ends_on"]:
        errors["course_starts_on"] = "开课时间应在开班时间与培训结束时间之间。"
    if kind == ClassKind.STANDING:
        problems = rules.unit_problems(unit)
        if problems:
            raise ValidationError(problems)
        errors.update(rules.plan_problems(
            opens_on=fields["opens_on"], first_term_ends_on=fields.get("first_term_ends_on"),
            second_term_starts_on=fields.get("second_term_starts_on"),
            ends_on=fields["ends_on"], hours_per_week=fields.get("hours_per_week")))
        if not fields.get("language"):
            errors["language"] = "非建制班以输入国语言培训为重点，请填写培训语种。"
    if errors:
        raise ValidationError(errors)


@audited(AuditAction.TRAINING, "新建培训班")
def class_create(*, actor, kind, **fields) -> TrainingClass:
    """A unit plans a class; its roster and information become owed (SPEC §7)."""
    _require_unit(actor)
    unit = OrganisingUnit.objects.select_for_update().get(pk=actor.unit_id)
    fields.setdefault("course_starts_on", fields.get("opens_on"))
    _check_plan(kind, unit, fields)
    if kind == ClassKind.STANDING:
        fields.update(mode="", agency=None, commissioned_to="", project=None)
    else:
        fields.update(first_term_ends_on=None, second_term_starts_on=None)
        mode = fields.get("mode")
        if mode not in TrainingMode.values:
            raise ValidationError({"mode": "请选择培训方式。"})
        agency = fields.get("agency")
        if mode == TrainingMode.WITH_AGENCY:
            if agency is None:
                raise ValidationError({"agency": "与输出机构合作培训须选择合作的输出机构。"})
            if not UnitAgencyCooperation.objects.filter(unit=unit, agency=agency,
                                                        ended_at__isnull=True).exists():
                raise ValidationError({"agency": f"{agency.name}不是本单位的合作输出机构。"})
        else:
            fields["agency"] = None
        if mode == TrainingMode.COMMISSIONED and not fields.get("commissioned_to", "").strip():
            raise ValidationError({"commissioned_to": "委托培训须填写受委托的培训机构。"})
    cls = TrainingClass.objects.create(kind=kind, unit=unit, city_id=unit.city_id,
                                       created_by=actor, **fields)
    class_items_open(cls)
    return cls


@audited(AuditAction.TRAINING, "修改培训班")
def class_update(cls, *, actor, **fields) -> TrainingClass:
    """附件7 information. The planned dates move only through class_plan_move (with a reason)."""
    cls = _locked(cls, actor)
    if cls.status == ClassStatus.ENDED:
        raise ValidationError("培训班已结业，信息不能再修改。")
    moved = [k for k in DATE_FIELDS if k in fields and getattr(cls, k) != fields[k]]
    if moved:
        raise ValidationError({moved[0]: "开班计划的日期须通过“调整开班计划”修改，并说明原因。"})
    changed = {k: v for k, v in fields.items() if k in INFO_FIELDS and getattr(cls, k) != v}
    if any(k in ["course_starts_on", "hours_per_week", "language"] for k in changed):
        plan = {name: getattr(cls, name) for name in DATE_FIELDS + INFO_FIELDS} | changed
        _check_plan(cls.kind, cls.unit, plan)
    for name, value in changed.items():
        setattr(cls, name, value)
    if changed:
        cls.save()
        class_items_open(cls)
    return cls


@audited(AuditAction.CLASS_DATES, "调整开班计划")
def class_plan_move(cls, *, actor, reason: str, **dates) -> TrainingClass:
    """调整开班计划: the planned dates move, with a reason, kept as a ClassPlanChange and in the
    audit log. Before opening every date may move; once open only the end (opening happened)."""
    cls = _locked(cls, actor)
    if cls.status == ClassStatus.ENDED:
        raise ValidationError("培训班已结业，不能再调整计划。")
    movable = DATE_FIELDS + ["course_starts_on"] if cls.status == ClassStatus.PLANNED else \
        ["ends_on", "first_term_ends_on", "second_term_starts_on"]
    refused = [k for k in dates if k not in movable and dates[k] != getattr(cls, k)]
    if refused:
        raise ValidationError({refused[0]: "培训班已开班，开班时间和开课时间不能再调整。"})
    changed = {k: v for k, v in dates.items() if v is not None and getattr(cls, k) != v}
    if not changed:
        raise ValidationError("计划日期没有变化。")
    if not (reason or "").strip():
        raise ValidationError({"reason": "调整开班计划须说明原因。"})
    plan = {name: getattr(cls, name) for name in DATE_FIELDS + INFO_FIELDS} | changed
    _check_plan(cls.kind, cls.unit, plan)
    if cls.opened_on and plan["ends_on"] < cls.opened_on:
        raise ValidationError({"ends_on": f"计划结束时间不能早于实际开班日期（{cls.opened_on:%Y-%m-%d}）。"})
    problem = rules.last_exam_problem(plan["ends_on"], _last_exam_on(cls), "计划结束时间")
    if problem:
        raise ValidationError({"ends_on": problem})
    change = ClassPlanChange(training_class=cls, old_opens_on=cls.opens_on,
                             old_ends_on=cls.ends_on, reason=reason.strip(), changed_by=actor)
    for name, value in changed.items():
        setattr(cls, name, value)
    change.new_opens_on, change.new_ends_on = cls.opens_on, cls.ends_on
    cls.save()
    change.save()
    class_items_open(cls)  # the owed roster and information move with the plan
    audit_log(actor, AuditAction.CLASS_DATES, cls,
              detail=f"调整开班计划 {change}（结束 {change.old_ends_on:%Y-%m-%d}→"
                     f"{change.new_ends_on:%Y-%m-%d}）")
    return cls


def _last_exam_on(cls):
    """The day of the latest exam (考核) already held for the class, None before any."""
    return cls.enrolments.exclude(result_on=None).aggregate(last=Max("result_on"))["last"]


def _eligible(c: Candidacy) -> bool:
    passed_second = c.stage == Stage.SECOND_INTERVIEW and c.result == Result.PASS
    signed = c.stage == Stage.CONTRACT and c.result == Result.SIGNED
    return c.status == CandidacyStatus.ACTIVE and (passed_second or signed)


def enrolment_candidates(cls, user):
    """The unit's candidacies that passed 复试 and are in no intensive class yet."""
    qs = visible(Candidacy.objects.select_related("person", "project"), user).filter(
        unit=cls.unit_id, status=CandidacyStatus.ACTIVE, enrolments__isnull=True).filter(
        stage__in=[Stage.SECOND_INTERVIEW, Stage.CONTRACT],
        result__in=[Result.PASS, Result.SIGNED])
    if cls.project_id:
        qs = qs.filter(project=cls.project_id)
    return qs.order_by("person__name", "id")


@audited(AuditAction.TRAINING, "培训班加入学员")
def enrol(cls, *, actor, candidacies) -> list[Enrolment]:
    """Enrol candidacies in an intensive class, all or none."""
    cls = _locked(cls, actor)
    if cls.kind != ClassKind.INTENSIVE:
        raise ValidationError("非建制班的学员通过《非建制班人员花名表》（附件9）上传。")
    if cls.status == ClassStatus.ENDED:
        raise ValidationError("培训班已结业，不能再增加学员。")
    ids = [c.pk for c in candidacies]
    found = {c.pk: c for c in visible(Candidacy.objects.select_for_update(of=("self",))
                                      .select_related("person"), actor).filter(pk__in=ids)}
    taken = set(Enrolment.objects.filter(candidacy__in=ids).values_list("candidacy", flat=True))
    errors = []
    for pk in ids:
        c = found.get(pk)
        if c is None or c.unit_id != cls.unit_id:
            errors.append("所选人员不属于本单位。")
        elif pk in taken:
            errors.append(f"{c.person.name}已参加其他强化培训班。")
        elif not _eligible(c):
            errors.append(f"{c.person.name}当前为“{c.get_stage_display()}{c.get_result_display()}”"
                          "，只有复试合格的人员才能参加强化培训。")
        elif cls.project_id and c.project_id != cls.project_id:
            errors.append(f"{c.person.name}报名的不是本班的岗位项目。")
    if errors:
        raise ValidationError(errors)
    return Enrolment.objects.bulk_create(
        [Enrolment(training_class=cls, candidacy_id=pk, enrolled_by=actor) for pk in ids])


@audited(AuditAction.TRAINING, "培训班移出学员")
def unenrol(cls, *, actor, enrolment) -> None:
    cls = _locked(cls, actor)
    if cls.status != ClassStatus.PLANNED:
        raise ValidationError("开班后不能移出学员；未完成培训的请录入“未完成”。")
    Enrolment.objects.filter(pk=enrolment.pk, training_class=cls).delete()


@audited(AuditAction.TRAINING, "非建制班加入人员")
def standing_members_add(cls, *, actor, persons, upload=None) -> int:
    """Put people on a 非建制班's roster (附件9); people already on it stay once."""
    cls = _locked(cls, actor)
    if cls.kind != ClassKind.STANDING:
        raise ValidationError("只有非建制班使用附件9花名表。")
    if cls.status == ClassStatus.ENDED:
        raise ValidationError("非建制班已结业，不能再增加学员。")
    ids = list(visible(Person.objects.filter(pk__in=[p.pk for p in persons]), actor)
               .values_list("pk", flat=True))
    if len(ids) != len({p.pk for p in persons}):
        raise ValidationError("名册中有不属于本单位的人员。")
    before = cls.members.count()
    StandingMember.objects.bulk_create(
        [StandingMember(training_class=cls, person_id=pk, upload=upload) for pk in ids],
        ignore_conflicts=True)
    return cls.members.count() - before


@audited(AuditAction.TRAINING, "非建制班移出人员")
def standing_member_remove(cls, *, actor, member) -> None:
    cls = _locked(cls, actor)
    if cls.status != ClassStatus.PLANNED:
        raise ValidationError("开班后不能从花名表中删除学员。")
    StandingMember.objects.filter(pk=member.pk, training_class=cls).delete()


@audited(AuditAction.TRAINING, "报送培训班花名表")
def roster_file(cls, *, actor) -> TrainingClass:
    """报送花名表: 附件6 (intensive) or 附件9 (非建制班), before the class opens."""
    cls = _locked(cls, actor)
    if cls.roster_filed_at:
        raise ValidationError("花名表已报送。")
    if cls.kind == ClassKind.INTENSIVE:
        if not cls.enrolments.exists():
            raise ValidationError("请先添加参训人员，再报送花名表（附件6）。")
    else:
        members = cls.members.count()
        if members < rules.MIN_MEMBERS:
            raise ValidationError(f"花名表仅 {members} 人，非建制班每班不少于{rules.MIN_MEMBERS}人，"
                                  "不能报送。")
    cls.roster_filed_at = timezone.now()
    cls.save(update_fields=["roster_filed_at", "updated_at"])
    class_item_close(cls, "roster", cls.roster_filed_at)
    return cls


@audited(AuditAction.CLASS_DATES, "开班")
def class_open(cls, *, actor, on) -> TrainingClass:
    """开班 on a recorded date: not in the future, not before the plan (rules.opening_problems)."""
    cls = _locked(cls, actor)
    if cls.status != ClassStatus.PLANNED:
        raise ValidationError(f"培训班{cls.get_status_display()}，不能再次开班。")
    if not cls.roster_filed_at:
        raise ValidationError("开班前须报送花名表。")
    problems = rules.opening_problems(cls, on, timezone.localdate())
    if problems:
        raise ValidationError({"on": problems})
    if cls.kind == ClassKind.STANDING:
        problems = rules.unit_problems(cls.unit)
        members = cls.members.count()
        if members < rules.MIN_MEMBERS:
            problems.append(f"花名表仅 {members} 人，每班不少于{rules.MIN_MEMBERS}人。")
        if problems:
            raise ValidationError(problems)
    cls.status, cls.opened_on = ClassStatus.OPEN, on
    cls.save(update_fields=["status", "opened_on", "updated_at"])
    audit_log(actor, AuditAction.CLASS_DATES, cls, detail=f"开班 {on:%Y-%m-%d}")
    return cls


def training_result_check(candidacy, *, result, on) -> None:
    """The one rule of a 培训 result (rules.result_problems), asked by
    pipeline.services.candidacy_record for every path; the enrolment is locked so that its
    hours cannot change under the check."""
    enrolment = (Enrolment.objects.select_for_update(of=("self",))
                 .select_related("training_class").filter(candidacy=candidacy).first())
    problems = rules.result_problems(enrolment, name=candidacy.person.name, result=result,
                                     on=on, today=timezone.localdate())
    if problems:
        raise ValidationError({"happened_on": problems})


@audited(AuditAction.TRAINING, "录入培训结果")
def results_record(cls, *, actor, on, rows) -> int:
    """Attendance and results of an intensive class, all or none. A result is recorded once
    and becomes the candidacy's 培训 stage; rows are (enrolment, hours, result, certificate)."""
    cls = _locked(cls, actor)
    if cls.kind != ClassKind.INTENSIVE:
        raise ValidationError("非建制班不录入培训结果。")
    if cls.status == ClassStatus.PLANNED:
        raise ValidationError("培训班尚未开班。")
    enrolments = {e.pk: e for e in cls.enrolments.select_for_update()
                  .select_related("candidacy__person")}
    errors, recorded = [], 0
    for enrolment, hours, result, certificate in rows:
        e = enrolments.get(enrolment.pk)
        if e is None:
            errors.append("所选学员不在本班。")
            continue
        name = e.candidacy.person.name
        if hours is not None:
            if hours < 0:
                errors.append(f"{name}：出勤课时不能为负数。")
                continue
            e.attended_hours = hours
            # Saved before the result: the result's rule reads the hours from the record.
            e.save(update_fields=["attended_hours"])
        if result:
            if e.result:
                errors.append(f"{name}的培训结果已录入为“{e.get_result_display()}”，不能重复录入。")
                continue
            if result == EnrolmentResult.PASS and not (certificate or "").strip():
                errors.append(f"{name}：培训合格须填写培训合格证编号。")
                continue
            try:
                pipeline.candidacy_record(e.candidacy, stage=Stage.TRAINING, result=result,
                                          on=on, actor=actor,
                                          certificate_no=(certificate or "").strip())
            except ValidationError as error:  # InvalidTransition included
                errors.append(sentences(f"{name}：{clauses(error.messages)}"))
                continue
            e.result, e.result_on = result, on
            e.certificate_no = (certificate or "").strip() if result == EnrolmentResult.PASS else ""
            recorded += 1
        e.save()
    if errors:
        raise ValidationError(errors)
    return recorded


@audited(AuditAction.CLASS_DATES, "结业")
def class_end(cls, *, actor, on) -> TrainingClass:
    """The class ended on a recorded date (rules.ending_problems); ends_on becomes that date,
    and the information is owed from then."""
    cls = _locked(cls, actor)
    if cls.status != ClassStatus.OPEN:
        raise ValidationError("只有已开班的培训班可以结业。")
    problems = rules.ending_problems(cls, on, timezone.localdate(),
                                     last_exam_on=_last_exam_on(cls))
    if problems:
        raise ValidationError({"on": problems})
    cls.status, cls.ends_on = ClassStatus.ENDED, on
    cls.save(update_fields=["status", "ends_on", "updated_at"])
    class_items_open(cls)
    audit_log(actor, AuditAction.CLASS_DATES, cls, detail=f"结业 {on:%Y-%m-%d}")
    return cls


@audited(AuditAction.TRAINING, "报送培训班信息表")
def info_file(cls, *, actor) -> TrainingClass:
    """报送培训班信息表 (附件7), within 10 working days after the class ends."""
    cls = _locked(cls, actor)
    if cls.status != ClassStatus.ENDED:
        raise ValidationError("培训结束后才能报送培训班信息表。")
    if cls.info_filed_at:
        raise ValidationError("培训班信息表已报送。")
    cls.info_filed_at = timezone.now()
    cls.save(update_fields=["info_filed_at", "updated_at"])
    class_item_close(cls, "info", cls.info_filed_at)
    return cls


@audited(AuditAction.TRAINING, "录入每周课时")
def weekly_hours_record(cls, *, actor, week_of, hours: Decimal) -> WeeklyHours:
    cls = _locked(cls, actor)
    if cls.kind != ClassKind.STANDING:
        raise ValidationError("只有非建制班登记每周课时。")
    if cls.status != ClassStatus.OPEN:
        raise ValidationError("只有开班中的非建制班可以登记课时。")
    monday = week_of - timedelta(days=week_of.weekday())
    if monday + timedelta(days=6) < cls.opens_on or monday > cls.ends_on:
        raise ValidationError({"week_of": "该周不在本期培训周期内。"})
    if monday > timezone.localdate():
        raise ValidationError({"week_of": "不能登记未来的周次。"})
    if cls.opened_on and monday + timedelta(days=6) < cls.opened_on:
        # A week that ended before the class opened had no lessons to record (rule 38).
        raise ValidationError({"week_of": f"该周（{monday:%Y-%m-%d}起）在培训班开班日期"
                                          f"（{cls.opened_on:%Y-%m-%d}）之前，不能登记课时。"})
    if hours < 0 or hours > 60:
        raise ValidationError({"hours": "课时应在0到60之间。"})
    row, _ = WeeklyHours.objects.update_or_create(
        training_class=cls, week_of=monday, defaults={"hours": hours, "recorded_by": actor})
    return row


def class_flags(cls, today=None) -> list[str]:
    """What the rules flag on a class now (only 非建制班 have running rules)."""
    if not cls.is_standing:
        return []
    hours = dict(cls.weekly_hours.values_list("week_of", "hours"))
    return rules.standing_flags(cls, members=cls.members.count(), hours=hours,
                                today=today or timezone.localdate())


def class_money_problems(cls, today=None, flags=None) -> list[str]:
    """Why no subsidy may be claimed for the class now; the subsidy claims ask this.
    ``flags``: the class's flags when the caller has them already."""
    return rules.money_problems(cls, flags=class_flags(cls, today) if flags is None else flags)


@audited(AuditAction.APPROVE, "抽查")
def spot_check_record(cls, *, actor, checked_on, inspector, findings, outcome) -> SpotCheck:
    """抽查: falsification stops the class's money; when serious, the unit also loses the
    right to run 非建制班."""
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以录入抽查结果。")
    if outcome not in SpotCheckOutcome.values:
        raise ValidationError({"outcome": "请选择抽查结论。"})
    if not findings.strip() or not inspector.strip():
        raise ValidationError({"findings": "请填写检查人和检查情况。"})
    cls = TrainingClass.objects.select_for_update().get(pk=cls.pk)
    problem = rules.spot_check_problem(cls, checked_on, timezone.localdate())
    if problem:
        raise ValidationError({"checked_on": problem})
    check = SpotCheck.objects.create(training_class=cls, checked_on=checked_on,
                                     inspector=inspector.strip(), findings=findings.strip(),
                                     outcome=outcome, recorded_by=actor)
    if outcome in STOPS_MONEY and not cls.money_stopped:
        cls.money_stopped = True
        cls.save(update_fields=["money_stopped", "updated_at"])
    if outcome == SpotCheckOutcome.SERIOUS:
        OrganisingUnit.objects.select_for_update().filter(pk=cls.unit_id).update(
            standing_class_allowed=False)
    audit_log(actor, AuditAction.APPROVE, cls, detail=f"抽查：{check.get_outcome_display()}")
    return check
