"""境外突发事件: record, grade, report, end the response; each a service, audited.

Who does what (the city plans for 境外劳务事件):
- the recording organisation (an agency, unit, city or the province) files the reports;
- the grade's owner leads the response and confirms the grade: the leading city for Ⅲ–Ⅳ,
  the province for Ⅰ–Ⅱ; a grade may be raised at any time by the reporter, the leading city
  or the province, and lowered only by the current grade's owner, always with a reason;
- every record and grade change tells the owner at once (deadlines.services.notify).

Report deadlines (IncidentReportRule, rules as data), each a DeadlineItem of the incident:
- 首次报告: N hours after ``learned_at`` (Ⅰ–Ⅱ 2 h, Ⅲ–Ⅳ 24 h by default);
- 续报 N: while responding, each report filed opens the next follow-up, due N hours (24) after
  the previous report was *filed* (the plans ask a report a day: the gap between two reports
  is what is bounded, so a late report does not make the next one late at once);
- 终报: N working days (10) after the response ended, through the working-day calendar.
A report is late when filed after its item's due time: the report keeps ``late`` and its item
is closed DONE_LATE. A grade raised moves open items' due times earlier when the new grade's
rule is stricter; the province changing a rule recomputes what is owed under it."""
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from apps.abroad.selectors import abroad_register
from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audited, audited_within
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, DeadlineRule, ItemStatus
from apps.deadlines.services import notify
from apps.incidents.models import (
    Grade, GradeChange, Incident, IncidentReport, IncidentReportRule, IncidentStatus,
    IncidentWorker, ReportKind, grade_group, owner_role, report_stage,
)
from apps.incidents.rules import FINAL_RULE, FIRST_RULE, FOLLOWUP_RULE
from apps.pipeline.models import Candidacy
from apps.workdays.calendar import add_working_days

RECORDERS = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
RULE_OF_KIND = {ReportKind.FIRST: FIRST_RULE, ReportKind.FOLLOWUP: FOLLOWUP_RULE,
                ReportKind.FINAL: FINAL_RULE}
KIND_OF_RULE = {code: kind for kind, code in RULE_OF_KIND.items()}


# --- time rules (docs/TIME-RULES.md, rule 13) -------------------------------------------------

def moment_problems(moments, now=None) -> dict:
    """Nothing recorded before it happened: each (field, label, value, earliest, earliest's
    label) is not in the future and not before the moment it follows."""
    now = now or timezone.now()
    errors = {}
    for field, label, value, earliest, earliest_label in moments:
        if value is None:
            continue
        if value > now:
            errors[field] = f"{label}不能晚于当前时间。"
        elif earliest is not None and value < earliest:
            errors[field] = f"{label}不能早于{earliest_label}（{_local(earliest)}）。"
    return errors


def departure_problems(occurred_at, workers) -> dict:
    """An incident abroad involves people who had left (rule 34): its 发生时间 (its day in
    Beijing) is not before any worker's departure; the message names each one."""
    if occurred_at is None:
        return {}
    day = timezone.localdate(occurred_at)
    early = [f"{c.person.name}（{c.departed_on:%Y-%m-%d}出境）" for c in workers
             if c.departed_on and day < c.departed_on]
    if not early:
        return {}
    return {"occurred_at": f"发生时间（{_local(occurred_at)}）早于涉事人员的输出日期："
                           + "、".join(early) + "。事件不能发生在其出境之前。"}


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _refuse_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- who may do what (read by the views for their buttons) ----------------------------------

def is_reporter(incident, user) -> bool:
    """The recording organisation itself (any of its users)."""
    if user.role != incident.reported_by_role:
        return False
    return {Role.PROVINCE: True, Role.CITY: user.city_id == incident.city_id,
            Role.UNIT: user.unit_id == incident.unit_id,
            Role.AGENCY: user.agency_id == incident.agency_id}.get(user.role, False)


def is_lead_city(incident, user) -> bool:
    return user.role == Role.CITY and user.city_id == incident.city_id


def may_confirm(incident, user, grade=None) -> bool:
    """The owner of the grade confirms it: the province any, the leading city Ⅲ–Ⅳ."""
    grade = grade or incident.grade
    return user.role == Role.PROVINCE or (is_lead_city(incident, user)
                                          and owner_role(grade) == Role.CITY)


def may_raise(incident, user) -> bool:
    return user.role == Role.PROVINCE or is_lead_city(incident, user) or is_reporter(incident, user)


def may_lower(incident, user) -> bool:
    """Only the current grade's owner lowers it (a city cannot take a Ⅱ from the province)."""
    return may_confirm(incident, user)


def may_end(incident, user) -> bool:
    return incident.status == IncidentStatus.RESPONDING and may_raise(incident, user)


# --- workers ---------------------------------------------------------------------------------

def _workers_checked(actor, candidacies, *, already=()) -> list:
    """The candidacies, each one the actor sees in its 在外人员 register; refused naming who
    is not (by name when the actor may see the person, by number otherwise: no leak)."""
    pks = [getattr(c, "pk", c) for c in candidacies]
    if not pks:
        raise ValidationError({"workers": "请至少选择一名涉事的在外人员。"})
    abroad = {c.pk: c for c in abroad_register(actor).filter(pk__in=pks)}
    from apps.accounts.scoping import visible
    seen = dict(visible(Candidacy.objects.filter(pk__in=pks), actor)
                .values_list("pk", "person__name"))
    problems = []
    for pk in pks:
        if pk in abroad:
            continue
        problems.append(f"{seen[pk]}（不在外）" if pk in seen else f"编号{pk}（不在您的在外人员名册中）")
    if problems:
        raise ValidationError({"workers": "以下人员不能列为涉事人员：" + "、".join(problems)
                               + "。只能选择在外人员名册中的人员。"})
    twice = [abroad[pk].person.name for pk in pks if pk in already]
    if twice:
        raise ValidationError({"workers": "以下人员已在涉事人员中：" + "、".join(twice) + "。"})
    return [abroad[pk] for pk in dict.fromkeys(pks)]


def _add_workers(incident, workers, actor) -> list:
    return IncidentWorker.objects.bulk_create(
        [IncidentWorker(incident=incident, candidacy=c, added_by=actor) for c in workers])


# --- deadline items --------------------------------------------------------------------------

def _rule(incident, kind) -> IncidentReportRule:
    return IncidentReportRule.objects.get(grade_group=grade_group(incident.grade), kind=kind)


def report_due(incident, kind, base, *, rule=None):
    """The due moment of a report counted from ``base`` under the rule of the incident's
    grade: (due_at, provisional)."""
    rule = rule or _rule(incident, kind)
    if rule.in_working_days:
        due = add_working_days(timezone.localtime(base).date(), rule.amount)
        return due.ends_at, due.provisional
    return base + timedelta(hours=rule.amount), False


def _base(incident, kind, seq):
    """The moment a report's clock starts: see the module docstring."""
    if kind == ReportKind.FIRST:
        return incident.learned_at
    if kind == ReportKind.FINAL:
        return incident.response_ended_at
    previous = (ReportKind.FIRST, 0) if seq == 1 else (ReportKind.FOLLOWUP, seq - 1)
    return incident.reports.get(kind=previous[0], seq=previous[1]).filed_at


def _item_values(due_at, provisional, base) -> dict:
    return {"event_on": timezone.localtime(base).date(),
            "due_on": timezone.localtime(due_at).date(), "due_at": due_at,
            "provisional": provisional}


@audited_within
def report_item_open(incident, kind, seq=0) -> DeadlineItem:
    """The report ``kind`` (续报 ``seq``) is owed by the recording organisation."""
    base = _base(incident, kind, seq)
    due_at, provisional = report_due(incident, kind, base)
    item, _ = DeadlineItem.objects.get_or_create(
        rule=DeadlineRule.objects.get(code=RULE_OF_KIND[kind]), **_subject(incident),
        stage=report_stage(kind, seq),
        defaults={**_item_values(due_at, provisional, base),
                  "owner_role": incident.reported_by_role, "city_id": incident.city_id,
                  "unit_id": incident.unit_id, "agency_id": incident.agency_id})
    return item


def _subject(incident) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(Incident),
            "subject_id": incident.pk}


def open_items(incident):
    return DeadlineItem.objects.filter(**_subject(incident), status__in=OPEN_ITEM
                                       ).select_related("rule")


def _item_kind_seq(item):
    kind = KIND_OF_RULE[item.rule.code]
    return kind, int(item.stage.split("-")[1]) if kind == ReportKind.FOLLOWUP else 0


@audited_within
def report_items_recompute(incident, *, stricter_only: bool, kind=None) -> int:
    """Open items' due times under the rules of the incident's grade now. ``stricter_only``
    (a grade change): only move a due time earlier, never give more time."""
    changed = 0
    for item in open_items(incident):
        item_kind, seq = _item_kind_seq(item)
        if kind is not None and item_kind != kind:
            continue
        base = _base(incident, item_kind, seq)
        due_at, provisional = report_due(incident, item_kind, base)
        if due_at == item.due_at or (stricter_only and due_at > item.due_at):
            continue
        changed += DeadlineItem.objects.filter(pk=item.pk).update(
            **_item_values(due_at, provisional, base))
    return changed


# --- notices ---------------------------------------------------------------------------------

def _notify_org(incident, role, text):
    """Tell the organisation of ``role`` that leads or records ``incident``."""
    ids = {Role.CITY: {"city_id": incident.city_id}, Role.UNIT: {"unit_id": incident.unit_id},
           Role.AGENCY: {"agency_id": incident.agency_id}, Role.PROVINCE: {}}[role]
    return notify(role=role, text=text, link=incident.get_absolute_url(), **ids)


def _tell_owner(incident, text):
    return _notify_org(incident, incident.owner_role, text)


# --- services --------------------------------------------------------------------------------

def _recording_org(actor, workers) -> dict:
    """Who records (and reports), and the leading city: the recorder's own, else that of the
    first person concerned (an agency's or the province's record)."""
    own_city = {Role.CITY: actor.city_id,
                Role.UNIT: actor.unit.city_id if actor.unit_id else None}.get(actor.role)
    return {"reported_by_role": actor.role, "city_id": own_city or workers[0].city_id,
            "unit_id": actor.unit_id if actor.role == Role.UNIT else None,
            "agency_id": actor.agency_id if actor.role == Role.AGENCY else None}


@audited(AuditAction.INCIDENT, "登记境外突发事件")
def incident_record(*, actor, candidacies, category, grade, occurred_at, learned_at, country,
                    place, summary, now=None, opened_from=None) -> Incident:
    """An organisation records an incident concerning people of its 在外人员 register. The
    grade is provisional; the first report is owed and the owner is told at once."""
    if actor.role not in RECORDERS:
        raise PermissionDenied("您的角色不能登记突发事件。")
    _refuse_if(moment_problems([
        ("occurred_at", "发生时间", occurred_at, None, ""),
        ("learned_at", "获知时间", learned_at, occurred_at, "发生时间"),
    ], now))
    workers = _workers_checked(actor, candidacies)
    _refuse_if(departure_problems(occurred_at, workers))
    if grade not in Grade.values:
        raise ValidationError({"grade": "请选择事件等级（Ⅰ级至Ⅳ级）。"})
    org = _recording_org(actor, workers)
    # The workers' rows locked (in one order): the same report posted twice at once waits here.
    list(Candidacy.objects.select_for_update().filter(pk__in=[w.pk for w in workers])
         .order_by("pk").values_list("pk", flat=True))
    same = Incident.objects.filter(
        category=category, occurred_at=occurred_at, summary=summary,
        workers__candidacy__in=workers, **org).first()
    if same is not None:  # a doubled or replayed form
        raise ValidationError(f"相同的突发事件已登记（{same}），请勿重复提交；"
                              "如需补充涉事人员，请在该事件页面添加。")
    incident = Incident.objects.create(
        category=category, grade=grade, occurred_at=occurred_at, learned_at=learned_at,
        country=country, place=place, summary=summary, created_by=actor, **org)
    _add_workers(incident, workers, actor)
    GradeChange.objects.create(incident=incident, old_grade=None, new_grade=grade,
                               confirmed=False, reason="登记时初报", changed_by=actor,
                               changed_by_role=actor.role)
    report_item_open(incident, ReportKind.FIRST)
    _tell_owner(incident, f"{incident.reporter_label}报告{incident}，涉及{len(workers)}人，"
                          "请确认事件等级并组织处置。")
    if opened_from is not None:  # a follow-up visit's issue: linked in the same step
        from apps.followups.services import issue_link_opened
        issue_link_opened(opened_from, incident)
    return incident


def _locked(incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).select_related("city", "unit", "agency").get(
        pk=incident.pk)


@audited(AuditAction.INCIDENT, "添加突发事件涉事人员")
def incident_workers_add(incident, *, actor, candidacies) -> list:
    incident = _locked(incident)
    if not may_raise(incident, actor):
        raise PermissionDenied("只有报告单位、牵头地市或省专项办可以添加涉事人员。")
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError("事件已终报，不能再添加涉事人员。")
    already = set(incident.workers.values_list("candidacy_id", flat=True))
    workers = _workers_checked(actor, candidacies, already=already)
    _refuse_if(departure_problems(incident.occurred_at, workers))
    return _add_workers(incident, workers, actor)


@audited(AuditAction.INCIDENT, "调整或确认突发事件等级")
def grade_change(incident, *, actor, grade, confirm=False, reason="") -> Incident:
    """Raise, lower or confirm the grade: kept in GradeChange, owner told at once, open
    report deadlines made stricter when the new grade's rule is."""
    incident = _locked(incident)
    old, old_owner = incident.grade, incident.owner_role
    reason = (reason or "").strip()
    if grade not in Grade.values:
        raise ValidationError({"grade": "请选择事件等级（Ⅰ级至Ⅳ级）。"})
    if grade == old and not confirm:
        raise ValidationError({"grade": "等级未变化；如需确认当前等级，请勾选“确认等级”。"})
    if grade == old and incident.grade_confirmed:
        raise ValidationError({"confirm": f"{incident.get_grade_display()}已确认，无需重复确认。"})
    if grade < old and not may_raise(incident, actor):
        raise PermissionDenied("只有报告单位、牵头地市或省专项办可以提升事件等级。")
    if grade > old and not may_lower(incident, actor):
        raise ValidationError({"grade": f"只有{incident.owner_label}可以降低{incident.get_grade_display()}事件的等级。"})
    if confirm and not may_confirm(incident, actor, grade):
        raise ValidationError({"confirm": "Ⅰ–Ⅱ级事件由省专项办确认等级，Ⅲ–Ⅳ级由牵头地市确认。"
                               if actor.role == Role.CITY else
                               "只有牵头地市（Ⅲ–Ⅳ级）或省专项办（Ⅰ–Ⅱ级）可以确认事件等级。"})
    if grade != old and not reason:
        raise ValidationError({"reason": "调整事件等级须填写理由。"})
    incident.grade, incident.grade_confirmed = grade, bool(confirm)
    incident.save(update_fields=["grade", "grade_confirmed", "updated_at"])
    GradeChange.objects.create(incident=incident, old_grade=old, new_grade=grade,
                               confirmed=bool(confirm), reason=reason, changed_by=actor,
                               changed_by_role=actor.role)
    report_items_recompute(incident, stricter_only=True)
    label = Grade(grade).label
    if grade == old:
        text = f"{incident}：{label}已由{_who(actor, incident)}确认。"
    else:
        text = (f"{incident}：等级由{Grade(old).label}{'提升' if grade < old else '调整'}为"
                f"{label}{'（已确认）' if confirm else '（暂定）'}，理由：{reason}")
    moved = old_owner != incident.owner_role
    _tell_owner(incident, text + (f"现由{incident.owner_label}牵头处置。" if moved else ""))
    told = {incident.owner_role}
    if moved:
        _notify_org(incident, old_owner, text + f"已移交{incident.owner_label}牵头。")
        told.add(old_owner)
    # The reporter hears of a change made by someone else (it files the reports).
    if not is_reporter(incident, actor) and incident.reported_by_role not in told:
        _notify_org(incident, incident.reported_by_role, text)
    return incident


def _who(actor, incident) -> str:
    return "省专项办" if actor.role == Role.PROVINCE else f"{incident.city.name}人社局"


REPORT_FIELDS = ("event_time", "place", "nature", "people_affected", "dead", "injured",
                 "missing", "losses", "measures", "requests", "signed_by")


def next_report(incident) -> tuple[str, int] | None:
    """The report owed next by the recording organisation (kind, seq), or None."""
    if not incident.reports.filter(kind=ReportKind.FIRST).exists():
        return ReportKind.FIRST, 0
    if incident.status == IncidentStatus.CLOSED:
        return None
    if incident.status == IncidentStatus.ENDED and not open_items(incident).filter(
            rule__code=FOLLOWUP_RULE).exists():
        return ReportKind.FINAL, 0
    last = incident.reports.filter(kind=ReportKind.FOLLOWUP).order_by("-seq").first()
    return ReportKind.FOLLOWUP, (last.seq if last else 0) + 1


@audited(AuditAction.INCIDENT, "报送突发事件报告")
def report_file(incident, *, actor, kind, expected="", now=None, paper_at=None,
                paper_form_no="", **fields) -> IncidentReport:
    """The recording organisation files the report owed next, signed off by its head. Late
    or not is decided here from the item's due time; ``expected`` (the stage the form was
    opened for) refuses a replayed or doubled submit instead of filing the next report.

    With ``paper_at`` and ``paper_form_no`` it is a 补录 (issue 22): the report was made on
    paper at that moment, inside a declared outage period, and counts as filed then."""
    incident = _locked(incident)
    now = now or timezone.now()
    late_entry = None
    if paper_at or paper_form_no:
        late_entry = _paper_report_check(incident, paper_at, paper_form_no, now)
        now = paper_at
    if not is_reporter(incident, actor):
        raise PermissionDenied("报告由登记事件的报告单位报送。")
    owed = next_report(incident)
    if owed is None:
        raise ValidationError("事件已终报，不再报送报告。")
    if kind != owed[0]:
        raise ValidationError(out_of_order(incident, kind, owed))
    stage = report_stage(*owed)
    if expected and expected != stage:
        raise ValidationError("该报告已报送（可能是重复提交），请刷新页面查看。")
    if not (fields.get("signed_by") or "").strip():
        raise ValidationError({"signed_by": "报告须经报告单位负责人签发，请填写签发人姓名。"})
    _refuse_if(moment_problems([("event_time", "事发时间", fields.get("event_time"), None, "")],
                               now))
    item = report_item_open(incident, *owed)
    late = now > item.due_at
    DeadlineItem.objects.filter(pk=item.pk, status__in=OPEN_ITEM).update(
        status=ItemStatus.DONE_LATE if late else ItemStatus.DONE, done_at=now)
    report = IncidentReport.objects.create(
        incident=incident, kind=owed[0], seq=owed[1], filed_by=actor, filed_at=now,
        due_at=item.due_at, late=late, paper_form_no=late_entry[1] if late_entry else "",
        **{k: fields[k] for k in REPORT_FIELDS if k in fields})
    if late_entry:
        from apps.outages.models import LateEntryKind
        from apps.outages.services import late_entry_record
        late_entry_record(period=late_entry[0], subject=report, kind=LateEntryKind.INCIDENT,
                          paper_on=timezone.localtime(now).date(), form_no=late_entry[1],
                          actor=actor, summary=f"{incident} {report.title}",
                          owner=_reporter(incident), on_time=not late,
                          due_on=timezone.localtime(item.due_at).date(),
                          link=incident.get_absolute_url())
    if report.kind != ReportKind.FINAL and incident.status == IncidentStatus.RESPONDING:
        report_item_open(incident, ReportKind.FOLLOWUP,
                         report.seq + 1 if report.kind == ReportKind.FOLLOWUP else 1)
    if report.kind == ReportKind.FINAL:
        incident.status = IncidentStatus.CLOSED
        incident.save(update_fields=["status", "updated_at"])
    if not may_confirm(incident, actor):  # the owner is told, unless it filed it itself
        _tell_owner(incident, f"收到{incident}的{report.title}"
                              f"{'（迟报）' if late else ''}，签发人：{report.signed_by}。")
    return report


def _reporter(incident) -> dict:
    return {"owner_role": incident.reported_by_role, "city_id": incident.city_id,
            "unit_id": incident.unit_id, "agency_id": incident.agency_id}


def _paper_report_check(incident, paper_at, paper_form_no, now):
    """A report made on paper: at a moment not in the future, not before the incident was
    learned of nor before the last report, inside a declared period of the reporter's."""
    from apps.outages.services import late_entry_check
    if paper_at is None:
        raise ValidationError({"paper_at": "补录须填写纸质报送时间。"})
    if paper_at > now:
        raise ValidationError({"paper_at": "纸质报送时间不能晚于现在。"})
    last = incident.reports.order_by("-filed_at").values_list("filed_at", flat=True).first()
    after, label = max([(incident.learned_at, "获知时间"), *([(last, "上一次报告的报送时间")]
                                                         if last else [])])
    if paper_at < after:
        raise ValidationError({"paper_at": f"纸质报送时间不能早于{label}"
                                           f"（{timezone.localtime(after):%Y-%m-%d %H:%M}）。"})
    return late_entry_check(on=timezone.localtime(paper_at).date(), form_no=paper_form_no,
                            owner=_reporter(incident), field="paper_at")


def out_of_order(incident, kind, owed) -> str:
    if kind == ReportKind.FIRST:
        return "首次报告已报送，请报送续报或终报。"
    if owed[0] == ReportKind.FIRST:
        return "请先报送首次报告。"
    if kind == ReportKind.FINAL:
        return "事件仍在处置中，处置结束后才能报送终报。"
    return "处置已结束，无需再续报，请报送终报。"


@audited(AuditAction.INCIDENT, "结束突发事件处置")
def response_end(incident, *, actor, ended_at, now=None) -> Incident:
    """The response has ended: the final report is owed N working days later. Follow-ups
    not yet due are no longer owed; an overdue one stays overdue (a missed report is kept
    missed, and may still be filed late)."""
    incident = _locked(incident)
    if not may_raise(incident, actor):
        raise PermissionDenied("只有报告单位、牵头地市或省专项办可以结束处置。")
    if incident.status != IncidentStatus.RESPONDING:
        raise ValidationError("事件的处置已经结束。")
    if not incident.reports.filter(kind=ReportKind.FIRST).exists():
        raise ValidationError("首次报告尚未报送，不能结束处置。")
    _refuse_if(moment_problems([("ended_at", "处置结束时间", ended_at, incident.learned_at,
                                 "获知时间")], now))
    now = now or timezone.now()
    open_items(incident).filter(rule__code=FOLLOWUP_RULE, due_at__gte=now).delete()
    incident.status, incident.response_ended_at = IncidentStatus.ENDED, ended_at
    incident.save(update_fields=["status", "response_ended_at", "updated_at"])
    item = report_item_open(incident, ReportKind.FINAL)
    _tell_owner(incident, f"{incident}处置已结束（{_local(ended_at)}），终报应于"
                          f"{item.due_on:%Y年%m月%d日}前报送。")
    return incident


@audited(AuditAction.INCIDENT, "修改突发事件报告时限")
def report_rule_set(rule, *, actor, amount) -> IncidentReportRule:
    """The province sets a rule; what is owed under it now is recomputed."""
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("报告时限由省专项办设定。")
    if not isinstance(amount, int) or not 1 <= amount <= (60 if rule.in_working_days else 720):
        raise ValidationError({"amount": "时限须为1至720小时（终报为1至60个工作日）。"})
    rule = IncidentReportRule.objects.select_for_update().get(pk=rule.pk)
    rule.amount, rule.updated_by = amount, actor
    rule.save(update_fields=["amount", "updated_by", "updated_at"])
    grades = [g for g in Grade.values if grade_group(g) == rule.grade_group]
    for incident in Incident.objects.filter(
            ~Q(status=IncidentStatus.CLOSED), grade__in=grades).select_for_update():
        report_items_recompute(incident, stricter_only=False, kind=rule.kind)
    return rule
