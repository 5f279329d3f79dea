"""Complaints and disputes: every write, each in one audited service (issue 18, item 3).

Every move goes through ``_move``: the case row is locked (select_for_update), its state is
checked against transitions.MOVES under the lock, and a ComplaintStep records it, so two
concurrent moves never both apply. The clock is DeadlineItem rows (subject = the case):
``reply-N`` owed by the agency, ``resolve-N`` owed by the level handling the case. A hold adds
the working days it lasted to the open items' ``extension_days`` when it ends, with its
reason, so the pause is kept whatever else changes later (category, respondent, level)."""
import hashlib
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import complaint_org, visible
from apps.audit.models import AuditAction
from apps.audit.services import audited
from apps.common.files import document_accept
from apps.complaints import transitions
from apps.complaints.models import (
    RUNNING_STATES, Complaint, ComplaintClaim, ComplaintEvidence, ComplaintStep, Level, Outcome,
    Respondent, State, StepAction,
)
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, DeadlineRule, ItemStatus
from apps.deadlines.services import notify
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.workdays.calendar import add_working_days, working_days_late

A = StepAction
REPLY_RULE, RESOLVE_RULE, REOPEN_RULE = ("complaint_reply", "complaint_resolve",
                                         "complaint_reopen_window")
DEPARTED = (CandidacyStatus.ABROAD, CandidacyStatus.RETURNED)


def departed_candidacies(user):
    """The workers a complaint may be filed for: departed (abroad or back), visible to user."""
    return visible(Candidacy.objects.filter(departed_on__isnull=False, status__in=DEPARTED),
                   user).select_related("person", "project", "agency")


# --- time rules (docs/TIME-RULES.md) -------------------------------------------------------

def check_day(day, *, after=None, after_label="", field="on", today=None):
    """The one time rule of a case: a date is given, not in the future, and not before the
    event it follows (``after``: the departure, the case's previous step)."""
    today = today or timezone.localdate()
    if day is None:
        raise ValidationError({field: "请填写日期。"})
    if day > today:
        raise ValidationError({field: f"日期（{day:%Y-%m-%d}）不能晚于今天。"})
    if after is not None and day < after:
        raise ValidationError({field: f"日期（{day:%Y-%m-%d}）不能早于{after_label}"
                                      f"（{after:%Y-%m-%d}）。"})


def _last_on(c):
    # Edits (category, officers, evidence) are dated when typed and move no state: a move
    # follows the previous move, not them.
    return (c.steps.exclude(action__in=transitions.EDITS).order_by("-on")
            .values_list("on", flat=True).first() or c.received_on)


def _check_step_day(c, on):
    check_day(on, after=_last_on(c), after_label="上一办理环节的日期")


# --- the clock ------------------------------------------------------------------------------

def case_items(c):
    return DeadlineItem.objects.filter(subject_type=ContentType.objects.get_for_model(Complaint),
                                       subject_id=c.pk)


def _owner(c, level) -> dict:
    role = {Level.UNIT: Role.UNIT, Level.CITY: Role.CITY, Level.PROVINCE: Role.PROVINCE}[level]
    return {"owner_role": role, "city_id": c.city_id, "agency_id": c.agency_id,
            "unit_id": c.unit_id if level == Level.UNIT else None}


def _item_open(c, code, prefix, event_on, owner) -> DeadlineItem:
    rule = DeadlineRule.objects.get(code=code)
    n = case_items(c).filter(rule=rule).count() + 1
    due = add_working_days(event_on, rule.offset)
    # The unique constraint (rule, subject, stage) stops a second worker's duplicate.
    return DeadlineItem.objects.create(
        rule=rule, subject_type=ContentType.objects.get_for_model(Complaint), subject_id=c.pk,
        stage=f"{prefix}-{n}", event_on=event_on, due_on=due.day, due_at=due.ends_at,
        provisional=due.provisional, **owner)


def _resolve_open(c, on) -> DeadlineItem:
    return _item_open(c, RESOLVE_RULE, "resolve", on, _owner(c, c.level))


def _close_items(items, now=None) -> int:
    now = now or timezone.now()
    done = items.filter(status__in=OPEN_ITEM, due_at__gte=now).update(
        status=ItemStatus.DONE, done_at=now)
    return done + items.filter(status__in=OPEN_ITEM).update(status=ItemStatus.DONE_LATE,
                                                           done_at=now)


def resolution_item(c):
    """The open resolution item of the case (None when resolved or not yet accepted)."""
    return case_items(c).filter(rule__code=RESOLVE_RULE, status__in=OPEN_ITEM).order_by("-id").first()


# --- moves ----------------------------------------------------------------------------------

def _locked(complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _step(c, action, *, by, on, from_state, from_level="", **fields) -> ComplaintStep:
    return ComplaintStep.objects.create(
        complaint=c, action=action, by=by, on=on, from_state=from_state, to_state=c.state,
        from_level=from_level or c.level, to_level=c.level, **fields)


def _move(complaint, action, *, actor, on, check=None, change=None, **step) -> Complaint:
    """Lock, check the move and the date, apply ``change(c)``, save, record the step."""
    c = _locked(complaint)
    if actor is not None:
        transitions.require(actor, c, action)
    to = transitions.target(c, action)
    _check_step_day(c, on)
    if check:
        check(c)
    before, level = c.state, c.level
    if change:
        change(c)  # sees the state before the move (a hold keeps it)
    c.state = to
    c.save()
    _step(c, action, by=actor, on=on, from_state=before, from_level=level, **step)
    return c


def _level_notify(c, text):
    """Tell the organisation of the case's level (who must act now)."""
    ids = {Level.UNIT: {"unit_id": c.unit_id}, Level.CITY: {"city_id": c.city_id},
           Level.PROVINCE: {}}[c.level]
    role = {Level.UNIT: Role.UNIT, Level.CITY: Role.CITY, Level.PROVINCE: Role.PROVINCE}[c.level]
    notify(role=role, text=f"{c}：{text}", link=c.get_absolute_url(), **ids)


def _respondent(kind, agency, unit, employer) -> dict:
    if kind == Respondent.AGENCY and agency is None:
        raise ValidationError({"respondent_agency": "被投诉方为输出机构时，请选择输出机构。"})
    if kind == Respondent.UNIT and unit is None:
        raise ValidationError({"respondent_unit": "被投诉方为组织单位时，请选择组织单位。"})
    if kind == Respondent.EMPLOYER and not (employer or "").strip():
        raise ValidationError({"respondent_employer": "被投诉方为外方用工企业时，请填写企业名称。"})
    return {"respondent_kind": kind,
            "respondent_agency": agency if kind == Respondent.AGENCY else None,
            "respondent_unit": unit if kind == Respondent.UNIT else None,
            "respondent_employer": (employer or "").strip() if kind == Respondent.EMPLOYER else ""}


def _org_name(user) -> str:
    org = user.unit or user.city or user.agency
    return str(org) if org else "专项办"


@audited(AuditAction.COMPLAINT, "登记投诉纠纷")
def complaint_file(*, actor, candidacy, channel, received_on, kind, category, respondent_kind,
                   summary, respondent_agency=None, respondent_unit=None,
                   respondent_employer="", claims=(), sensitive=False,
                   opened_from=None) -> Complaint:
    """A case for a departed worker the filer may see; handled first by the worker's unit
    (by the city when the worker has none)."""
    # The worker's row locked: two tabs posting the same case wait here, the second sees the first.
    candidacy = departed_candidacies(actor).select_for_update(of=("self",)).filter(
        pk=candidacy.pk).first()
    if candidacy is None:
        raise ValidationError({"candidacy": "只能为您可见的、已输出的劳务人员登记投诉。"})
    check_day(received_on, after=candidacy.departed_on, after_label="出境日期",
              field="received_on")
    same = Complaint.objects.filter(candidacy=candidacy, received_on=received_on, kind=kind,
                                    category=category, summary=summary).first()
    if same is not None:  # a doubled or replayed form
        raise ValidationError(f"该人员{received_on:%Y-%m-%d}收到的相同投诉纠纷已登记（{same.number}），"
                              "请勿重复提交；如为另一事项，请在内容中写明。")
    c = Complaint.objects.create(
        candidacy=candidacy, city_id=candidacy.city_id, unit_id=candidacy.unit_id,
        agency_id=candidacy.agency_id, filed_by=actor, filed_role=actor.role,
        filed_org=_org_name(actor), filed_agency_id=actor.agency_id, channel=channel,
        received_on=received_on, kind=kind, category=category, summary=summary,
        level=Level.UNIT if candidacy.unit_id else Level.CITY, sensitive=sensitive,
        **_respondent(respondent_kind, respondent_agency, respondent_unit, respondent_employer))
    for claim_kind, amount, note in claims:
        if amount is None or Decimal(amount) < 0:
            raise ValidationError({"claims": "诉求金额不能为负数。"})
        ComplaintClaim.objects.create(complaint=c, kind=claim_kind, amount=amount, note=note)
    if sensitive:
        c.officers.add(actor)
    _step(c, A.FILE, by=actor, on=received_on, from_state="")
    _level_notify(c, "新登记的投诉纠纷，请受理")
    if opened_from is not None:  # a follow-up visit's issue: linked in the same step
        from apps.followups.services import issue_link_opened
        issue_link_opened(opened_from, c)
    return c


@audited(AuditAction.COMPLAINT, "受理投诉纠纷")
def complaint_accept(complaint, *, actor, on, note="") -> Complaint:
    def change(c):
        c.accepted_on = on

    c = _move(complaint, A.ACCEPT, actor=actor, on=on, change=change, note=note)
    item = _resolve_open(c, on)
    ComplaintStep.objects.filter(pk=c.steps.latest("id").pk).update(due_on=item.due_on)
    return c


def _required(text, field, label):
    if not (text or "").strip():
        raise ValidationError({field: f"请填写{label}。"})
    return text.strip()


@audited(AuditAction.COMPLAINT, "不予受理投诉纠纷")
def complaint_refuse(complaint, *, actor, on, reason) -> Complaint:
    reason = _required(reason, "reason", "不予受理的原因")
    return _move(complaint, A.REFUSE, actor=actor, on=on, reason=reason)


@audited(AuditAction.COMPLAINT, "转输出机构办理")
def complaint_transfer(complaint, *, actor, on, note="") -> Complaint:
    """To the respondent agency, or the worker's agency when the respondent is a unit or the
    foreign employer (the agency manages its people abroad): its written reply is owed."""
    def change(c):
        c.transferred_to_id = c.respondent_agency_id or c.agency_id

    c = _move(complaint, A.TRANSFER, actor=actor, on=on, change=change, note=note)
    item = _item_open(c, REPLY_RULE, "reply", on,
                      {"owner_role": Role.AGENCY, "agency_id": c.transferred_to_id,
                       "city_id": c.city_id, "unit_id": c.unit_id})
    ComplaintStep.objects.filter(pk=c.steps.latest("id").pk).update(due_on=item.due_on)
    notify(role=Role.AGENCY, agency_id=c.transferred_to_id, link=c.get_absolute_url(),
           text=f"{c}：已转贵机构办理，请于{item.due_on:%Y年%m月%d日}前书面答复")
    return c


# --- 补录 (issue 22) -------------------------------------------------------------------------

def _reply_owner(c) -> dict:
    return {"owner_role": Role.AGENCY, "agency_id": c.transferred_to_id, "city_id": c.city_id,
            "unit_id": c.unit_id}


def _paper(on, paper_form_no, owner):
    """A move done on paper during a declared outage period (the one rule of
    ``outages.services.late_entry_check``): (period, number), or None for an ordinary move."""
    if not paper_form_no:
        return None
    from apps.outages.services import late_entry_check
    return late_entry_check(on=on, form_no=paper_form_no, owner=owner, field="on")


def _close_owed(c, items, late, on, *, actor, what, owner):
    """Close what the move discharges: as filed now, or for a 补录 at the end of its paper day
    (after the outages are counted on the items), leaving the 补录 row for the province."""
    if not late:
        return _close_items(items)
    from apps.outages.models import LateEntryKind
    from apps.outages.services import items_extend, late_entry_record, paper_filed_at
    items_extend(items)
    owed = items.filter(status__in=OPEN_ITEM).order_by("-id").first()
    closed = _close_items(items, paper_filed_at(on))
    if owed is not None:
        owed.refresh_from_db()
    late_entry_record(period=late[0], subject=c.steps.latest("id"), kind=LateEntryKind.COMPLAINT,
                      paper_on=on, form_no=late[1], actor=actor, summary=f"{c.number} {what}",
                      owner=owner, on_time=owed is None or owed.status == ItemStatus.DONE,
                      due_on=owed.due_on if owed else None, link=c.get_absolute_url())
    return closed


@audited(AuditAction.COMPLAINT, "输出机构答复投诉纠纷")
def agency_reply(complaint, *, actor, on, text, paper_form_no="") -> Complaint:
    """The agency's written reply; with ``paper_form_no`` a 补录 of a reply made on paper
    during an outage period, on time when ``on`` is within the extended window."""
    text = _required(text, "text", "答复内容")
    late = _paper(on, paper_form_no, _reply_owner(complaint))

    def change(c):
        c.agency_reply = text

    c = _move(complaint, A.REPLY, actor=actor, on=on, change=change, note=text,
              paper_form_no=late[1] if late else "")
    _close_owed(c, case_items(c).filter(rule__code=REPLY_RULE), late, on, actor=actor,
                what="输出机构书面答复", owner=_reply_owner(c))
    _level_notify(c, "输出机构已答复，请组织调解")
    return c


@audited(AuditAction.COMPLAINT, "开始调解投诉纠纷")
def mediation_start(complaint, *, actor, on, note="") -> Complaint:
    return _move(complaint, A.MEDIATE, actor=actor, on=on, note=note)


@audited(AuditAction.COMPLAINT, "暂停办理投诉纠纷")
def complaint_hold(complaint, *, actor, on, reason) -> Complaint:
    """The clock stops: while on hold the case is never overdue nor escalated."""
    reason = _required(reason, "reason", "暂停原因")

    def change(c):
        c.held_from_state, c.held_since, c.hold_reason = c.state, on, reason

    c = _move(complaint, A.HOLD, actor=actor, on=on, change=change, reason=reason)
    # 我的待办 and the scan see the pause too: the running items are paused, not overdue.
    case_items(c).filter(status__in=OPEN_ITEM, due_on__gte=on).update(paused_since=on)
    return c


@audited(AuditAction.COMPLAINT, "恢复办理投诉纠纷")
def complaint_resume(complaint, *, actor, on, note="") -> Complaint:
    """Back to the state the hold left; the working days held are added to every open item's
    extension with the hold's reason, and the due dates recomputed through the calendar."""
    c = _locked(complaint)
    held_since, reason = c.held_since, c.hold_reason
    state = {}

    def change(c):
        state["days"] = working_days_late(held_since, on)
        c.held_since, c.hold_reason, c.held_from_state = None, "", ""

    c = _move(c, A.RESUME, actor=actor, on=on, change=change, note=note, reason=reason)
    days = state["days"]
    due_on = None
    # Only what was still running when the hold began: a pause does not excuse a lapse.
    for item in case_items(c).filter(status__in=OPEN_ITEM, due_on__gte=held_since).select_related(
            "rule"):
        item.extension_days += days
        why = f"暂停{held_since:%Y-%m-%d}至{on:%Y-%m-%d}（{days}个工作日）：{reason}"
        item.extension_reason = "；".join(filter(None, [item.extension_reason, why]))[-200:]
        # The days an outage period took (apps.outages) stay on the item too.
        due = add_working_days(item.event_on,
                               item.rule.offset + item.extension_days + item.outage_days)
        item.due_on, item.due_at, item.provisional = due.day, due.ends_at, due.provisional
        item.paused_since = None
        item.save(update_fields=["extension_days", "extension_reason", "due_on", "due_at",
                                 "provisional", "paused_since"])
        if item.rule.code == RESOLVE_RULE:
            due_on = item.due_on
    case_items(c).filter(paused_since__isnull=False).update(paused_since=None)
    ComplaintStep.objects.filter(pk=c.steps.latest("id").pk).update(days_paused=days,
                                                                      due_on=due_on)
    return c


def claimed_total(c) -> Decimal:
    return c.claims.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@audited(AuditAction.COMPLAINT, "办结投诉纠纷")
def complaint_resolve(complaint, *, actor, on, outcome, amount_recovered, note="",
                      paper_form_no="") -> Complaint:
    """办结; with ``paper_form_no`` a 补录 of a resolution made on paper during an outage."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "请选择办理结果。"})
    late = _paper(on, paper_form_no, _owner(complaint, complaint.level))
    amount = Decimal(amount_recovered if amount_recovered is not None else "0")

    def check(c):
        total = claimed_total(c)
        if amount < 0:
            raise ValidationError({"amount_recovered": "挽回金额不能为负数。"})
        if amount > total:
            raise ValidationError({"amount_recovered": f"挽回金额（{amount}元）不能超过诉求金额"
                                                       f"合计（{total}元）。"})

    def change(c):
        c.outcome, c.amount_recovered, c.resolved_on = outcome, amount, on

    c = _move(complaint, A.RESOLVE, actor=actor, on=on, check=check, change=change,
              note=note, reason=Outcome(outcome).label, paper_form_no=late[1] if late else "")
    _close_owed(c, case_items(c), late, on, actor=actor, what="办结",
                owner=_owner(c, c.level))
    return c


@audited(AuditAction.COMPLAINT, "投诉纠纷结案")
def complaint_close(complaint, *, actor, on, note="") -> Complaint:
    def change(c):
        c.closed_at = timezone.now()

    return _move(complaint, A.CLOSE, actor=actor, on=on, change=change, note=note)


def reopen_deadline(c):
    """The last day a resolved case may be reopened (rule complaint_reopen_window)."""
    rule = DeadlineRule.objects.get(code=REOPEN_RULE)
    return add_working_days(c.resolved_on, rule.offset).day


@audited(AuditAction.COMPLAINT, "重新办理投诉纠纷")
def complaint_reopen(complaint, *, actor, on, reason) -> Complaint:
    """Within the window after resolution: back to mediation with a new resolution due date
    counted from the reopening; a second reopening also escalates one level."""
    reason = _required(reason, "reason", "重新办理的原因")

    def check(c):
        if c.resolved_on is None:
            raise ValidationError("不予受理的案件不能重新办理，可重新登记。")
        last = reopen_deadline(c)
        if on > last:
            raise ValidationError({"on": f"已超过重新办理期限（办结后的工作日期限至"
                                         f"{last:%Y年%m月%d日}）。"})

    def change(c):
        c.reopen_count += 1
        c.outcome, c.amount_recovered, c.resolved_on, c.closed_at = "", None, None, None
        if c.reopen_count >= 2 and c.level in transitions.NEXT_LEVEL:
            c.level = transitions.NEXT_LEVEL[c.level]

    before = _locked(complaint).level
    c = _move(complaint, A.REOPEN, actor=actor, on=on, check=check, change=change,
              reason=reason)
    item = _resolve_open(c, on)
    ComplaintStep.objects.filter(pk=c.steps.latest("id").pk).update(due_on=item.due_on)
    if c.level != before:
        _level_notify(c, f"第{c.reopen_count}次重新办理，升级由贵单位办理")
    return c


@audited(AuditAction.COMPLAINT, "投诉纠纷逾期升级", unless=lambda n: not n)
def complaints_escalate(now=None) -> int:
    """Cases whose resolution is overdue and that are not on hold move up one level (unit →
    city → province) with a fresh resolution due date, and the new level is told. Idempotent:
    the overdue item is closed by a conditional UPDATE, so a second run or a second worker
    (rows locked with SKIP LOCKED) escalates nothing more."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(Complaint), rule__code=RESOLVE_RULE,
        status__in=OPEN_ITEM, due_at__lt=now)
    cases = (Complaint.objects.select_for_update(skip_locked=True)
             .filter(pk__in=overdue.values("subject_id"), state__in=RUNNING_STATES,
                     level__in=list(transitions.NEXT_LEVEL)))
    escalated = 0
    for c in cases:
        if not overdue.filter(subject_id=c.pk).update(status=ItemStatus.DONE_LATE, done_at=now):
            continue  # another run got there first
        before = c.level
        c.level = transitions.NEXT_LEVEL[c.level]
        c.save(update_fields=["level", "updated_at"])
        item = _resolve_open(c, today)
        _step(c, A.ESCALATE, by=None, on=today, from_state=c.state, from_level=before,
              reason="办结期限已过", due_on=item.due_on)
        _level_notify(c, f"办结逾期，已由{Level(before).label}升级由贵单位办理，"
                         f"请于{item.due_on:%Y年%m月%d日}前办结")
        escalated += 1
    return escalated


@audited(AuditAction.COMPLAINT, "修改投诉纠纷类别或被投诉方")
def complaint_edit(complaint, *, actor, category, respondent_kind, respondent_agency=None,
                   respondent_unit=None, respondent_employer="", reason) -> Complaint:
    """The category or the respondent changes; the clock (state, hold, items' extensions) is
    kept. A case with the agency follows a new respondent agency with its reply item."""
    reason = _required(reason, "reason", "修改原因")
    c = _locked(complaint)
    transitions.require(actor, c, A.EDIT)
    if c.state == State.CLOSED:
        raise ValidationError("已结案的案件不能修改。")
    before = f"类别：{c.get_category_display()}；被投诉方：{c.respondent_label}"
    for name, value in _respondent(respondent_kind, respondent_agency, respondent_unit,
                                   respondent_employer).items():
        setattr(c, name, value)
    c.category = category
    if c.transferred_to_id and c.respondent_agency_id and \
            c.respondent_agency_id != c.transferred_to_id:
        c.transferred_to_id = c.respondent_agency_id
        case_items(c).filter(rule__code=REPLY_RULE, status__in=OPEN_ITEM).update(
            agency_id=c.respondent_agency_id)
    c.save()
    after = f"类别：{c.get_category_display()}；被投诉方：{c.respondent_label}"
    _step(c, A.EDIT, by=actor, on=timezone.localdate(), from_state=c.state, reason=reason,
          note=f"{before} → {after}")
    return c


@audited(AuditAction.COMPLAINT, "设置敏感案件及指定经办人")
def officers_set(complaint, *, actor, sensitive, officers) -> Complaint:
    """A sensitive case is seen only by its named officers and its filer. Officers are people
    who could see the case were it not sensitive; the officer marking it is named too."""
    from apps.accounts.models import User

    c = _locked(complaint)
    transitions.require(actor, c, A.OFFICERS)
    officers = list(officers)
    for user in officers:
        if not Complaint.objects.filter(pk=c.pk).filter(complaint_org(user)).exists():
            raise ValidationError({"officers": f"{user.first_name or user.username}无权查看该案件，"
                                               "不能指定为经办人。"})
    if sensitive and actor not in officers:
        officers.append(actor)
    c.sensitive = sensitive
    c.save(update_fields=["sensitive", "updated_at"])
    c.officers.set(officers)
    names = "、".join(sorted(u.first_name or u.username for u in
                             User.objects.filter(pk__in=[u.pk for u in officers])))
    _step(c, A.OFFICERS, by=actor, on=timezone.localdate(), from_state=c.state,
          note=f"{'敏感案件' if sensitive else '非敏感案件'}；指定经办人：{names or '无'}")
    return c


@audited(AuditAction.COMPLAINT, "上传投诉证据材料")
def evidence_add(complaint, *, actor, uploaded, description) -> ComplaintEvidence:
    c = _locked(complaint)
    transitions.require(actor, c, A.EVIDENCE)
    description = _required(description, "description", "材料说明")
    accepted = document_accept(uploaded, field="file")
    accepted.content.seek(0)
    data = accepted.content.read()
    evidence = ComplaintEvidence(
        complaint=c, description=description, original_name=accepted.original_name,
        content_type=accepted.content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
    # A random stored name: the user's file name never reaches the file system.
    evidence.file.save(f"{uuid.uuid4().hex}{accepted.extension}", ContentFile(data), save=False)
    evidence.save()
    _step(c, A.EVIDENCE, by=actor, on=timezone.localdate(), from_state=c.state,
          note=description)
    return evidence
