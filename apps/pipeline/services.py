"""The only writers of a candidacy's stage, result and status.

Each change locks the candidacy row, checks the move against transitions.py, writes one
StageEvent (who, when, the date it happened) and updates the candidacy; the history
triggers keep the old and new values.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.common.dates import span_problem
from apps.common.wording import clauses, sentences
from apps.pipeline import gaps, returns, transitions
from apps.pipeline.models import (
    DETAIL_LABELS, OPEN_STATUSES, Candidacy, CandidacyStatus, RejoinReview, ReturnCause, Result,
    Session, Stage, StageEvent,
)
from apps.dashboards.services import figures_add_event, figures_add_withdrawal
from apps.deadlines.models import ItemStatus
from apps.deadlines.services import (
    claim_item_open, notify, return_items_open, return_items_settle, stage_item_close,
    stage_item_open, stage_owner,
)
from apps.outages.services import paper_filed_at
from apps.projects.models import ProjectStatus
from apps.registry.models import Person
from apps.registry.services import contact_phone_normalise, passport_hash, passport_normalise

# Details copied onto the candidacy (the 花名表 columns); others go into the event only.
CANDIDACY_FIELDS = {
    "contract_trade", "contract_term", "service_fee", "loan_applied", "certificate_no",
    "residence_status_no", "country", "departure_trade", "employer", "not_departed_reason",
    "return_reason", "return_phone", "note",
    "return_kind", "return_cause", "owed_wages", "owed_deposit", "return_reported_by",
    "return_verified_by",
}
EVENT_ONLY_FIELDS = {"hospital"}
SENSITIVE = {"passport_no", "return_phone"}


class InvalidTransition(ValidationError):
    pass


class GapNeedsReason(ValidationError):
    """The date lies beyond the province's gap limit and no reason was given."""


# Paths that cannot ask for a reason row by row say where to record it instead.
GAP_ELSEWHERE = "批量录入和花名表上传不能填写超限说明，请在该人员页面单独录入并填写“间隔超限说明”。"


# Who may record that a person left: those who register people, and the agency.
WITHDRAW_ROLES = transitions.RECORDERS[Stage.REGISTERED] | {Role.AGENCY}


def _locked(candidacy, actor) -> Candidacy:
    """The candidacy row, locked, and only if the actor may see it."""
    qs = visible(Candidacy.objects.select_for_update(of=("self",)), actor)
    try:
        return qs.select_related("person").get(pk=candidacy.pk)
    except Candidacy.DoesNotExist:
        raise PermissionDenied("该报名记录不存在或不在您的管辖范围内。")


def _check_date(on, not_before, label="日期"):
    if on > timezone.localdate():
        raise ValidationError({"happened_on": f"{label}不能晚于今天。"})
    if not_before and on < not_before:
        raise ValidationError({"happened_on": f"{label}不能早于上一环节日期"
                                              f"（{not_before:%Y-%m-%d}）。"})


def opening_date_problem(person, on) -> str:
    """Why ``person`` cannot apply for a project on ``on`` ("" when they can; rule 36): not
    before their own registration (报名日期), and going again not before the day their last
    candidacy ended (returned, withdrawn, refused, not departed)."""
    if person.registered_on and on < person.registered_on:
        return (f"报名岗位项目的日期（{on:%Y-%m-%d}）不能早于{person.name}的报名登记日期"
                f"（{person.registered_on:%Y-%m-%d}）。")
    last_end = person.candidacies.aggregate(
        last=Max(Coalesce("returned_on", "ended_on")))["last"]
    if last_end and on < last_end:
        return (f"报名岗位项目的日期（{on:%Y-%m-%d}）不能早于{person.name}上一次报名结束的日期"
                f"（{last_end:%Y-%m-%d}）。")
    return ""


@audited(AuditAction.STAGE, "报名岗位项目")
def candidacy_open(*, person: Person, project, actor, on=None) -> Candidacy:
    """报名: the person applies for a published project through their unit or city."""
    if actor.role not in transitions.RECORDERS[Stage.REGISTERED]:
        raise PermissionDenied("只有组织单位和市人社局可以为人员报名。")
    person = visible(Person.objects.select_for_update(of=("self",)), actor).get(pk=person.pk)
    if project.status != ProjectStatus.PUBLISHED:
        raise ValidationError({"project": "只能报名已发布的岗位项目。"})
    on = on or timezone.localdate()
    _check_date(on, None, "报名日期")
    problem = opening_date_problem(person, on)
    if problem:
        raise ValidationError({"happened_on": problem})
    if person.candidacies.filter(status__in=OPEN_STATUSES).exists():
        raise ValidationError({"project": f"{person.name}已有进行中的报名，不能同时报名两个项目。"})
    # Going again (issue 19 item 5): a returnee whose last return was their own breach is
    # held for the agency's decision before any stage is recorded.
    last_return = (person.candidacies.filter(status=CandidacyStatus.RETURNED)
                   .order_by("-returned_on", "-pk").first())
    review = (RejoinReview.PENDING if last_return
              and last_return.return_cause == ReturnCause.WORKER_BREACH else "")
    candidacy = Candidacy(person=person, project=project, unit=person.unit,
                          city_id=person.city_id, agency_id=project.agency_id,
                          stage=Stage.REGISTERED, result=Result.REGISTERED, stage_on=on,
                          rejoin_review=review, created_by=actor)
    try:
        with transaction.atomic():
            candidacy.save()
    except IntegrityError:
        raise ValidationError({"project": f"{person.name}已有进行中的报名。"})
    if review:
        notify(role=Role.AGENCY, agency_id=project.agency_id, link=candidacy.get_absolute_url(),
               text=f"{person.name}再次报名“{project.name}”：上次归国原因为劳务人员违约或擅自脱离，"
                    "请决定是否同意")
    figures_add_event(StageEvent.objects.create(
        candidacy=candidacy, stage=Stage.REGISTERED, result=Result.REGISTERED, happened_on=on,
        recorded_by=actor))
    return candidacy


def _numbers(details: dict) -> dict:
    """The passport and phone numbers of a stage through the registry's own normalisers
    (full-width digits, spaces and dashes folded; anything else refused by field), and every
    detail within its column's length."""
    found = dict(details)
    if found.get("passport_no"):
        found["passport_no"] = passport_normalise(found["passport_no"])
    if found.get("return_phone"):
        found["return_phone"] = contact_phone_normalise(found["return_phone"], "return_phone")
    too_long = {}
    for name in CANDIDACY_FIELDS & set(found):
        limit = Candidacy._meta.get_field(name).max_length
        if limit and isinstance(found[name], str) and len(found[name]) > limit:
            # Said here, by field, whatever the path: the column would refuse it (a 500).
            too_long[name] = f"{DETAIL_LABELS[name]}最多{limit}字（现为{len(found[name])}字）。"
    if too_long:
        raise ValidationError(too_long)
    return found


def _check_details(stage, result, details):
    missing = [name for name in transitions.REQUIRED.get((stage, result), [])
               if not str(details.get(name) or "").strip()]
    if missing:
        raise ValidationError({name: f"请填写{DETAIL_LABELS[name]}。" for name in missing})


@audited(AuditAction.STAGE, "录入环节结果")
def candidacy_record(candidacy: Candidacy, *, stage, result, on, actor, session=None,
                     gap_reason="", paper_form_no="", **details) -> Candidacy:
    """Record the next stage of a candidacy. Two users at once: one wins, the other is told
    the stage has moved on; never two events for one stage. A date beyond the province's gap
    limit after the previous stage needs ``gap_reason`` (kept on the event, audited).

    ``paper_form_no`` makes it a 补录 (issue 22): the stage was done on paper during a
    declared outage period, on ``on``; it counts as filed on that day, so it is on time when
    the day lies within the item's extended window (``outages.services.late_entry_check``)."""
    if actor.role not in transitions.RECORDERS.get(stage, ()):
        raise PermissionDenied(f"您的角色不能录入“{Stage(stage).label}”环节。")
    c = _locked(candidacy, actor)
    if c.status not in OPEN_STATUSES:
        raise InvalidTransition(f"{c.person.name}的报名状态为“{c.get_status_display()}”，不能再录入。")
    if c.rejoin_review == RejoinReview.PENDING:
        raise InvalidTransition(f"{c.person.name}上次归国原因为劳务人员违约或擅自脱离，"
                                "须先由输出机构决定是否同意再次报名。")
    expected = transitions.next_stage(c.stage)
    if stage != expected:
        raise InvalidTransition(
            f"{c.person.name}当前环节为“{c.get_stage_display()}”，下一环节应为"
            f"“{Stage(expected).label if expected else '无'}”，不能录入“{Stage(stage).label}”。")
    if result not in transitions.RESULTS[stage]:
        raise ValidationError({"result": f"“{Stage(stage).label}”的结果不能是“{Result(result).label}”。"})
    if session is not None and (session.stage != stage or session.project_id != c.project_id):
        raise ValidationError({"session": "场次与该报名记录的环节或项目不符。"})
    _check_date(on, c.stage_on)
    late = None
    if paper_form_no:
        from apps.outages.services import late_entry_check
        late = late_entry_check(on=on, form_no=paper_form_no,
                                owner=stage_owner(c, stage))
    if stage == Stage.TRAINING:
        # The class's rule, whichever path brings the result (class table, person page,
        # 花名表 upload): enrolled, class opened, dated within it, hours attended.
        from apps.training.services import training_result_check
        training_result_check(c, result=result, on=on)
    question = gaps.gap_question(stage=stage, previous_stage=c.stage, previous_on=c.stage_on,
                                 on=on)
    gap_reason = (gap_reason or "").strip()
    if question and not gap_reason:
        raise GapNeedsReason({"gap_reason": f"{c.person.name}：{question}"})
    _check_details(stage, result, details)
    details = _numbers(details)
    if stage == Stage.RETURN:
        # Kind, cause from the list, money owed, who reported it and how it was checked.
        details = returns.return_details(details)

    event_details = {}
    for name, value in details.items():
        if value in (None, ""):
            continue
        if name in SENSITIVE:
            continue  # kept encrypted on the person / candidacy, never in the event's JSON
        event_details[name] = str(value)
    if question:
        event_details["gap_reason"] = gap_reason[:300]
    if late:
        event_details["paper_form_no"] = late[1]
    event = StageEvent.objects.create(candidacy=c, stage=stage, result=result, happened_on=on,
                                      session=session, details=event_details,
                                      recorded_by=actor)
    if question:
        audit_log(actor, AuditAction.GAP_CONFIRM, event,
                  detail=f"{Stage(stage).label} {on:%Y-%m-%d}（距上一环节 {c.stage_on:%Y-%m-%d}）："
                         f"{gap_reason}")
    # The stage's data is filed now (补录: on its paper day): its item closes, on time or late.
    item = stage_item_close(c, stage, session.held_on if session else on,
                            filed_at=paper_filed_at(on) if late else None)
    if late:
        _late_entry(c, event, item, late, actor=actor, on=on)

    changed = ["stage", "result", "stage_on", "status", "updated_at"]
    for name in CANDIDACY_FIELDS & set(details):
        value = details[name]
        setattr(c, name, value if value is not None else getattr(c, name))
        changed.append(name)
    if details.get("passport_no"):
        person = c.person
        person.passport_no = details["passport_no"]  # normalised by _numbers
        person.passport_hash = passport_hash(person.passport_no)
        person.save(update_fields=["passport_no", "passport_hash", "updated_at"])
    if stage == Stage.DEPARTURE and result == Result.DEPARTED:
        c.departed_on = on
        changed.append("departed_on")
        claim_item_open(c, on)  # the unit's 附件8 claim is owed from the departure
    if stage == Stage.RETURN:
        c.returned_on = on
        changed.append("returned_on")
        return_items_settle(c)  # the return is filed: its item closes, the reminders end
    if stage == Stage.TRAINING:
        # However the result arrives (class page, 花名表 upload), the class shows it too.
        from apps.training.models import Enrolment
        Enrolment.objects.filter(candidacy=c, result="").update(
            result=result, result_on=on,
            certificate_no=details.get("certificate_no", "") if result == Result.PASS else "")
    if {"departed_on", "contract_term"} & set(changed):
        from apps.abroad.terms import contract_ends_on
        c.contract_ends_on = contract_ends_on(c.departed_on, c.contract_term)
        changed.append("contract_ends_on")
    c.stage, c.result, c.stage_on = stage, result, on
    c.status = transitions.STATUS_AFTER.get(result, CandidacyStatus.ACTIVE)
    if result in transitions.TERMINAL:
        c.ended_on, c.end_reason = on, f"{Stage(stage).label}{Result(result).label}"
        changed += ["ended_on", "end_reason"]
    c.save(update_fields=changed)
    if "contract_ends_on" in changed and c.status == CandidacyStatus.ABROAD:
        return_items_open(c)  # reminders before the contract ends, the return owed after
    if stage == Stage.RETURN and c.owed_total > 0:
        # Owed money opens a complaint in the same step (and the same transaction).
        from apps.complaints.services import complaint_file
        c.return_complaint = complaint_file(actor=actor, candidacy=c,
                                            **returns.owed_complaint_fields(c))
        c.save(update_fields=["return_complaint", "updated_at"])
    # After the save: a departure's figures read the candidacy's country and trade.
    figures_add_event(event, departed=result == Result.DEPARTED)
    return c


@audited(AuditAction.STAGE, "输出机构决定是否同意再次报名")
def candidacy_rejoin_decide(candidacy: Candidacy, *, actor, accept: bool, note: str) -> Candidacy:
    """The agency of the project decides on a returnee whose return was their own breach:
    accepted, the pipeline goes on; refused, the candidacy ends with the reason."""
    if actor.role != Role.AGENCY:
        raise PermissionDenied("只有该项目的输出机构可以决定。")
    c = _locked(candidacy, actor)
    if c.rejoin_review != RejoinReview.PENDING:
        raise InvalidTransition(f"{c.person.name}的再次报名不在待决定状态。")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写审核意见。"})
    if len(note) > 200:
        raise ValidationError({"note": "审核意见不超过200字。"})
    c.rejoin_review = RejoinReview.ACCEPTED if accept else RejoinReview.REFUSED
    c.rejoin_note = note
    changed = ["rejoin_review", "rejoin_note", "updated_at"]
    if not accept:
        c.status, c.ended_on = CandidacyStatus.ENDED, timezone.localdate()
        c.end_reason = f"输出机构不同意再次报名：{note}"[:200]
        changed += ["status", "ended_on", "end_reason"]
    c.save(update_fields=changed)
    return c
def _late_entry(c, event, item, late, *, actor, on):
    """The 补录 row for the province's review, and the stage's own audit row saying so."""
    from apps.outages.models import LateEntryKind
    from apps.outages.services import late_entry_record
    period, form_no = late
    summary = f"{c.person.name} {event.get_stage_display()}：{event.get_result_display()}"
    late_entry_record(period=period, subject=event, kind=LateEntryKind.STAGE, paper_on=on,
                      form_no=form_no, actor=actor, summary=summary,
                      owner=stage_owner(c, event.stage), on_time=item.status == ItemStatus.DONE,
                      due_on=item.due_on, link=c.person.get_absolute_url())
    audit_log(actor, AuditAction.STAGE, c, detail=f"录入环节结果（补录）：{summary}")


@audited(AuditAction.STAGE, "退出")
def candidacy_withdraw(candidacy: Candidacy, *, actor, on, reason: str) -> Candidacy:
    """The person leaves. After a signed contract it is a breach (中途退出视为违约)."""
    if actor.role not in WITHDRAW_ROLES:
        raise PermissionDenied("无权登记退出。")
    c = _locked(candidacy, actor)
    if c.status != CandidacyStatus.ACTIVE:
        raise InvalidTransition(f"{c.person.name}的报名状态为“{c.get_status_display()}”，不能登记退出。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写退出原因。"})
    # Kept as "中途退出：…（违约）" in end_reason: what fits of the reason is said, not cut.
    room = Candidacy._meta.get_field("end_reason").max_length - len("中途退出：（违约）")
    if len(reason.strip()) > room:
        raise ValidationError({"reason": f"退出原因最多{room}字（现为{len(reason.strip())}字）。"})
    _check_date(on, c.stage_on, "退出日期")
    c.status = CandidacyStatus.WITHDRAWN
    c.breach = transitions.is_breach(c.stage, c.result)
    c.ended_on = on
    c.end_reason = f"中途退出：{reason.strip()}" + ("（违约）" if c.breach else "")
    c.save(update_fields=["status", "breach", "ended_on", "end_reason", "updated_at"])
    figures_add_withdrawal(c)
    return c


@audited(AuditAction.SESSION, "安排场次")
def session_create(*, actor, **fields) -> Session:
    if actor.role not in transitions.RECORDERS[fields["stage"]]:
        raise PermissionDenied("您的角色不能安排该环节的场次。")
    problem = span_problem(fields.get("held_on"), "场次日期")
    if problem:  # a scheduled session may lie ahead, within the programme's span (rule 39)
        raise ValidationError({"held_on": problem})
    session = Session(created_by=actor, agency_id=fields["project"].agency_id, **fields)
    session.full_clean()
    with transaction.atomic():
        session.save()
        # A scheduled session gives the date before any result exists: the results are owed
        # from then on, so a missing result becomes overdue on its own.
        previous = next(s for s, nxt in transitions.NEXT.items() if nxt == session.stage)
        candidates = Candidacy.objects.filter(project=session.project, stage=previous,
                                              status=CandidacyStatus.ACTIVE)
        if session.unit_id:
            candidates = candidates.filter(unit=session.unit_id)
        elif session.city_id:
            candidates = candidates.filter(city=session.city_id)
        for candidacy in candidates:
            stage_item_open(candidacy, session.stage, session.held_on)
    return session


@audited(AuditAction.SESSION, "录入场次结果")
def session_record(session: Session, *, actor, rows) -> list[Candidacy]:
    """Record many candidates of one session at once, all or nothing.

    ``rows`` is a list of (candidacy, result, details). The first refusal rolls back
    every row and names the person."""
    done = []
    for candidacy, result, details in rows:
        try:
            done.append(candidacy_record(candidacy, stage=session.stage, result=result,
                                         on=session.held_on, actor=actor, session=session,
                                         **details))
        except GapNeedsReason as error:
            raise ValidationError(sentences(clauses(error.messages), GAP_ELSEWHERE))
        except ValidationError as error:
            raise ValidationError(sentences(f"{candidacy.person.name}：{clauses(error.messages)}"))
    return done


@audited(AuditAction.GAP_LIMIT, "设置环节间隔上限")
def gap_limit_set(*, actor, stage, months) -> "StageGapLimit":
    """The province sets how many months after the previous stage a stage may be recorded
    without a question."""
    from apps.pipeline.models import StageGapLimit
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以设置环节间隔上限。")
    if stage not in gaps.DEFAULTS:
        raise ValidationError({"stage": "该环节没有间隔上限。"})
    if months is None or not 1 <= months <= 240:
        raise ValidationError({f"months_{stage}": f"“{Stage(stage).label}”的上限应为1到240个月。"})
    limit = StageGapLimit.objects.select_for_update().filter(stage=stage).first()
    old = limit.months if limit else None
    if old == months:
        return limit
    limit, _ = StageGapLimit.objects.update_or_create(
        stage=stage, defaults={"months": months, "updated_by": actor})
    audit_log(actor, AuditAction.GAP_LIMIT, limit,
              detail=f"{Stage(stage).label}：{old or '未设置'} → {months}个月")
    return limit
