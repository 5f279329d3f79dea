"""Claims, standards and budgets: every change here, row-locked, each step recorded once."""
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.deadlines import services as deadlines
from apps.registry import idnumber
from apps.subsidies import eligibility
from apps.subsidies.eligibility import (
    PHASE_CLASS, PHASE_CLASS_STATUS, PHASE_EVENT, PHASE_ITEMS, SHARE, STANDARD_OF,
)
from apps.subsidies.models import (
    POVERTY_ITEMS, STANDARD_CAPS, STANDARD_ITEMS, Budget, Claim, ClaimedPerson, ClaimLine, ClaimStatus, ClaimStep, Fund, Item, Payment, Phase,
    Standard, StandardYear, StepAction,
)
from apps.subsidies.rewards import REWARD_ITEM, reward_problems
from apps.quotas.models import PlanStatus
from apps.training.models import TrainingClass
from apps.training.services import class_money_problems

CENT = Decimal("0.01")

# The claim's flow, said once: who may take which step, and from which status.
# An agency files only its evaluation rewards (claim_create_reward); it never withdraws one.
FLOW = {
    "submit": {Role.UNIT: {ClaimStatus.DRAFT, ClaimStatus.RETURNED},
               Role.AGENCY: {ClaimStatus.DRAFT, ClaimStatus.RETURNED}},
    "refresh": {Role.UNIT: {ClaimStatus.DRAFT, ClaimStatus.RETURNED},
                Role.AGENCY: {ClaimStatus.DRAFT, ClaimStatus.RETURNED}},
    "withdraw": {Role.UNIT: {ClaimStatus.DRAFT, ClaimStatus.RETURNED}},
    "review": {Role.CITY: {ClaimStatus.SUBMITTED}},
    "approve": {Role.PROVINCE: {ClaimStatus.REVIEWED}},
    "pay": {Role.PROVINCE: {ClaimStatus.APPROVED}},
    # Any step before payment may send it back to the unit.
    "return": {Role.CITY: {ClaimStatus.SUBMITTED},
               Role.PROVINCE: {ClaimStatus.SUBMITTED, ClaimStatus.REVIEWED,
                               ClaimStatus.APPROVED}},
}
FLOW_DENIED = {"submit": "补助资金申请由组织单位填报和提交。", "refresh": "补助资金申请由组织单位填报。",
               "withdraw": "补助资金申请由组织单位撤回。", "review": "由有管辖权的市人社局审核。",
               "approve": "由省专项办审批。", "pay": "由省专项办登记拨付。", "return": "无权退回补助资金申请。"}


def flow(action, claim=None) -> dict:
    """Who may take ``action``, from which statuses. A claim without a city (an agency's
    evaluation reward) has no city bureau to review it: the province's 初审 takes the city's
    place (seed 002 第十三条: 初审, 审核, 审批, 拨付). ``claim`` None: any claim."""
    roles = FLOW[action]
    if Role.CITY not in roles or (claim is not None and claim.city_id is not None):
        return roles
    no_city = {role: statuses for role, statuses in roles.items() if role != Role.CITY}
    no_city[Role.PROVINCE] = no_city.get(Role.PROVINCE, set()) | roles[Role.CITY]
    return no_city if claim is not None else {**roles, Role.PROVINCE: no_city[Role.PROVINCE]}


def may(action, role, claim=None) -> bool:
    return role in flow(action, claim)


def allowed_actions(claim, user) -> list[str]:
    """The steps ``user`` may take on ``claim`` now, for the page's buttons."""
    return [a for a in FLOW if claim.status in flow(a, claim).get(user.role, ())
            and not (a == "withdraw" and claim.phase == Phase.EVALUATION)]


def _guarded(action, claim, actor, expected_round=None) -> Claim:
    """The claim, locked and in scope, after checking the actor may take this step now.
    ``expected_round``: the round the page showed. A page opened before the claim was
    returned and submitted again (other lines, another total) is refused, not applied to a
    claim its user never saw."""
    if not may(action, actor.role):
        raise PermissionDenied(FLOW_DENIED[action])
    claim = _locked(claim, actor)
    if not may(action, actor.role, claim):
        raise PermissionDenied(FLOW_DENIED[action])
    if claim.status not in flow(action, claim)[actor.role]:
        raise ValidationError(f"该申请当前为“{claim.get_status_display()}”，不能进行此操作。")
    if expected_round is not None and expected_round != claim.round:
        raise ValidationError(f"该申请已退回并重新提交（现为第{claim.round}次提交，合计 {claim.total} 元），"
                              "页面已过期，本次操作未执行。请刷新页面核对后再操作。")
    return claim


# --- Standards ------------------------------------------------------------------------------

def _standards_province_only(actor):
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以设置补助标准。")


def _standard_year(year, actor, copied_from=None) -> StandardYear:
    """The year's set, locked; a year set for the first time starts as a draft."""
    standard_year, _ = StandardYear.objects.select_for_update().get_or_create(
        year=year, defaults={"copied_from": copied_from})
    return standard_year


@audited(AuditAction.STANDARD, "补助标准")
def standard_set(*, actor, year, item, amount, fund) -> Standard:
    """The province sets 元/人 for an item of a year (never in code). A new year's standards
    are a draft until published; a published year's correction counts for claims filed from
    then on (claims already filed keep the standard they were filed with)."""
    _standards_province_only(actor)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "标准应大于0。"})
    cap = STANDARD_CAPS.get(item)
    if cap is not None and amount > cap:
        raise ValidationError({"amount": f"“{dict(STANDARD_ITEMS)[item]}”每人不超过{cap}元"
                                         f"（晋人社厅函〔2020〕127号），不能设为{amount}元。"})
    if fund not in Fund.values:
        raise ValidationError({"fund": "请选择资金渠道。"})
    standard_year = _standard_year(year, actor)
    old = Standard.objects.filter(year=year, item=item).first()
    standard, _ = Standard.objects.update_or_create(
        year=year, item=item, defaults={"amount": amount, "fund": fund, "updated_by": actor})
    if old is None or (old.amount, old.fund) != (standard.amount, standard.fund):
        audit_log(actor, AuditAction.STANDARD, standard,
                  detail=f"{year}年补助标准（{standard_year.get_status_display()}）"
                         f" {standard.get_item_display()}："
                         f"{old.amount if old else '未设置'} → {standard.amount}元/人"
                         f"（{standard.get_fund_display()}）")
    return standard


@audited(AuditAction.STANDARD, "复制补助标准")
def standards_copy(*, actor, from_year, to_year) -> int:
    """Start a year's standards from another year's: each item the target year has not set
    is copied (one already set is never overwritten). A year started this way is a draft: the
    province corrects it and publishes it before any claim of ``to_year`` uses it."""
    _standards_province_only(actor)
    standard_year = _standard_year(to_year, actor, copied_from=from_year)
    have = set(Standard.objects.filter(year=to_year).values_list("item", flat=True))
    rows = [Standard(year=to_year, item=s.item, amount=s.amount, fund=s.fund, updated_by=actor)
            for s in Standard.objects.filter(year=from_year) if s.item not in have]
    if not rows:
        raise ValidationError(f"{from_year}年没有{to_year}年尚未设置的补助标准可复制。")
    Standard.objects.bulk_create(rows)
    audit_log(actor, AuditAction.STANDARD, standard_year,
              detail=f"复制补助标准：{from_year}年 → {to_year}年（{standard_year.get_status_display()}），"
                     f"{len(rows)}项")
    return len(rows)


@audited(AuditAction.STANDARD, "发布补助标准")
def standards_publish(*, actor, year) -> StandardYear:
    """Publish a year's draft: from now units and cities see it and claims of that year are
    computed from it. A conditional UPDATE, so two clicks publish once and audit once."""
    _standards_province_only(actor)
    items = dict(Standard.objects.filter(year=year).values_list("item", "amount"))
    if not items:
        raise ValidationError(f"{year}年还没有设置任何补助标准，不能发布。")
    changed = StandardYear.objects.filter(year=year, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by=actor)
    if not changed:
        raise ValidationError(f"{year}年补助标准已发布。")
    standard_year = StandardYear.objects.get(year=year)
    unset = [label for code, label in STANDARD_ITEMS if code not in items]
    audit_log(actor, AuditAction.STANDARD, standard_year,
              detail=f"发布{year}年补助标准：{len(items)}项"
                     + (f"；未设置：{'、'.join(unset)}" if unset else ""))
    return standard_year


def _published(**where):
    # Only a published year counts: a draft is still being prepared by the province.
    return Standard.objects.filter(
        year__in=StandardYear.objects.filter(status=PlanStatus.PUBLISHED).values("year"),
        **where)


def _standard_for(year, item, event_on=None, phase=None) -> tuple[Decimal, str] | None:
    """The per-person amount of a claim item and its fund, from the year's standards. None
    for a 脱贫 item the year does not set: those are paid only in the years they are set."""
    code = STANDARD_OF.get(item, item)
    standard = _published(year=year, item=code).first()
    if standard is None and item in POVERTY_ITEMS:
        return None
    if standard is None:
        label = dict(STANDARD_ITEMS)[code]
        why = (f"（标准年度按{PHASE_EVENT[phase]}日期{event_on:%Y-%m-%d}确定）"
               if event_on and phase else "")
        drafted = StandardYear.objects.filter(year=year, status=PlanStatus.DRAFT).exists()
        missing = "尚未发布" if drafted else "尚未设置"
        raise ValidationError(f"省专项办{missing}{year}年“{label}”的补助标准{why}，暂不能申请。")
    amount = (standard.amount * Decimal(SHARE.get(item, "1"))).quantize(CENT)
    return amount, standard.fund


# --- Claims ---------------------------------------------------------------------------------

def _own_unit(actor):
    if actor.role != Role.UNIT:
        raise PermissionDenied("补助资金申请由组织单位填报。")


def _check_class(phase, training_class, unit) -> None:
    kind = PHASE_CLASS[phase]
    if training_class is None:
        if kind is not None:
            raise ValidationError({"training_class": f"“{Phase(phase).label}”阶段须选择培训班。"})
        return
    if training_class.unit_id != unit.pk:
        raise ValidationError({"training_class": "只能为本单位的培训班申请资金。"})
    if kind is not None and training_class.kind != kind:
        raise ValidationError({"training_class": f"“{Phase(phase).label}”阶段须选择"
                                                 f"{'非建制班' if kind == 'standing' else '强化培训班'}。"})
    statuses = PHASE_CLASS_STATUS.get(phase)
    if statuses and training_class.status not in statuses:
        raise ValidationError({"training_class": f"培训班当前{training_class.get_status_display()}，"
                                                 f"还不能申请“{Phase(phase).label}”阶段资金。"})
    problems = class_money_problems(training_class)
    if problems:
        raise ValidationError({"training_class": problems})


def _build_lines(claim) -> None:
    """Derive every line from the records: its people, 人数 = their number, amount = 人数 × 标准.
    An evaluation reward: one line of the decided amount (1 × the amount), no people."""
    if claim.phase == Phase.EVALUATION:
        amount = claim.consequence.amount
        ClaimLine.objects.create(claim=claim, item=REWARD_ITEM[claim.consequence.kind],
                                 fund=Fund.EMPLOYMENT, standard=amount, count=1, amount=amount)
        claim.employment_total, claim.skills_total, claim.total = amount, Decimal(0), amount
        claim.save(update_fields=["employment_total", "skills_total", "total", "updated_at"])
        return
    totals = {Fund.EMPLOYMENT: Decimal(0), Fund.SKILLS: Decimal(0)}
    standards = {item: _standard_for(claim.year, item, claim.event_on, claim.phase)
                 for item in PHASE_ITEMS[claim.phase]}
    for item, (standard, fund) in ((i, s) for i, s in standards.items() if s is not None):
        pairs = eligibility.eligible(item, unit=claim.unit, training_class=claim.training_class,
                                     departed_in=_departed_in(claim))
        if not pairs:
            continue
        line = ClaimLine.objects.create(claim=claim, item=item, fund=fund, standard=standard,
                                        count=len(pairs), amount=standard * len(pairs))
        ClaimedPerson.objects.bulk_create([
            ClaimedPerson(line=line, item=item, person_id=person, candidacy_id=candidacy)
            for person, candidacy in pairs])
        totals[fund] += line.amount
    if not any(totals.values()):
        raise ValidationError("按现有记录，没有可以申请该阶段资金的人员（或均已申请过）。")
    claim.employment_total, claim.skills_total = totals[Fund.EMPLOYMENT], totals[Fund.SKILLS]
    claim.total = claim.employment_total + claim.skills_total
    claim.save(update_fields=["employment_total", "skills_total", "total", "updated_at"])


def _rebuild(claim) -> None:
    try:
        with transaction.atomic():
            claim.lines.all().delete()
            _build_lines(claim)
    except IntegrityError:
        # Another claim took some of these people at the same moment: it keeps them.
        raise ValidationError("部分人员刚刚被本单位的另一份申请占用，请刷新后重试。")


def _departed_in(claim):
    return claim.year if claim.phase == Phase.DEPARTURE else None


def claim_event(phase, training_class, unit, today=None):
    """The date of the event a phase's money follows, refused while it has not happened:
    开班 on the class's recorded opening, 结业 on its recorded end, 出国 on the earliest
    departure not yet claimed (a claim takes that year's departures; later years follow in
    their own claims). Its year is the claim's standards year."""
    from apps.pipeline.models import Candidacy
    today = today or timezone.localdate()
    label = Phase(phase).label
    if phase == Phase.DEPARTURE:
        ids = {c for item in PHASE_ITEMS[phase] if item not in POVERTY_ITEMS
               for _, c in eligibility.eligible(item, unit=unit, training_class=training_class)
               if c}
        # A 脱贫 item still unclaimed counts only for a departure year that sets it: else a
        # departure of a year without it would hold every later year's claim back.
        for item in POVERTY_ITEMS:
            years = _published(item=item).values("year")
            ids |= set(Candidacy.objects.filter(
                pk__in=[c for _, c in eligibility.eligible(
                    item, unit=unit, training_class=training_class)],
                departed_on__year__in=years).values_list("pk", flat=True))
        first = Candidacy.objects.filter(pk__in=ids, departed_on__lte=today).order_by(
            "departed_on").values_list("departed_on", flat=True).first()
        if first is None:
            raise ValidationError("按现有记录，没有可以申请该阶段资金的人员（或均已申请过）："
                                  "没有已出国且尚未申请的人员。")
        return first
    if phase in (Phase.OPENING, Phase.STANDING_OPENING):
        on = training_class.opened_on
        if on is None:
            raise ValidationError({"training_class": f"培训班尚未记录开班日期，还不能申请“{label}”阶段资金。"})
    else:
        on = training_class.ends_on if training_class.status == "ended" else None
        if on is None:
            raise ValidationError({"training_class": f"培训班尚未结业，还不能申请“{label}”阶段资金。"})
    if on > today:
        raise ValidationError({"training_class": f"{PHASE_EVENT[phase]}日期（{on:%Y-%m-%d}）"
                                                 f"晚于今天，还不能申请“{label}”阶段资金。"})
    return on


# A bank account number: a card 16 to 19 digits, an organisation's account up to 30 or so.
ACCOUNT_DIGITS = (8, 32)
_ACCOUNT_SEPARATORS = re.compile(r"[\-‐‑–—－]")


def account_no_normalise(raw) -> str:
    """A bank account number as digits only: full-width digits folded, spaces and dashes
    (as printed on a card or a bank's letter) dropped. Anything else, or a length no bank
    account has, is refused on ``account_no``: never stored trimmed into shape."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    digits = _ACCOUNT_SEPARATORS.sub("", idnumber.normalise(text))  # spaces, zero-widths gone
    if not (digits.isascii() and digits.isdigit()):
        shown = "".join(c for c in text[:40] if c.isprintable())
        raise ValidationError({"account_no": f"银行账号“{shown}”只能包含数字（可用空格或短横线分隔）。"})
    low, high = ACCOUNT_DIGITS
    if not low <= len(digits) <= high:
        raise ValidationError({"account_no": f"银行账号为{len(digits)}位，应为{low}至{high}位数字，请核对。"})
    return digits


def bank_account(bank_name, account_name, account_no, missing: str) -> dict:
    """The payee account of a claim, whichever path files it: all three given, trimmed, the
    number by account_no_normalise."""
    values = {"bank_name": str(bank_name or "").strip(), "account_name": str(account_name or "").strip()}
    if not (values["bank_name"] and values["account_name"] and str(account_no or "").strip()):
        raise ValidationError({"account_no": missing})
    return {**values, "account_no": account_no_normalise(account_no)}


@audited(AuditAction.CLAIM, "新建补助资金申请")
def claim_create(*, actor, phase, training_class=None, bank_name, account_name,
                 account_no, note="") -> Claim:
    """A unit files a phase's claim after its event; the standards year is that event's."""
    _own_unit(actor)
    if phase == Phase.EVALUATION:
        raise ValidationError({"phase": "年度评估奖励在评估结果运用页面申请拨付，不能在此填报。"})
    if phase not in Phase.values:
        raise ValidationError({"phase": "请选择申请阶段。"})
    unit = actor.unit
    if training_class is not None:
        training_class = visible(TrainingClass.objects.select_for_update(of=("self",)), actor) \
            .select_related("unit").filter(pk=training_class.pk).first()
        if training_class is None:
            raise ValidationError({"training_class": "只能为本单位的培训班申请资金。"})
    _check_class(phase, training_class, unit)
    bank = bank_account(bank_name, account_name, account_no, "请填写本单位的开户银行、账户名称和银行账号。")
    event_on = claim_event(phase, training_class, unit)
    claim = Claim.objects.create(unit=unit, city_id=unit.city_id, year=event_on.year,
                                 event_on=event_on, phase=phase,
                                 training_class=training_class, **bank, note=note,
                                 created_by=actor)
    _rebuild(claim)
    return claim


@audited(AuditAction.CLAIM, "新建评估奖励拨付申请")
def claim_create_reward(consequence, *, actor, bank_name, account_name, account_no,
                        note="") -> Claim:
    """The rewarded unit or agency asks for the money of an approved 绩效奖励 or 优秀 award
    (seed 002 第十三条): a draft claim of one line, the decided amount, that then goes
    through submit → review (the unit's city; the province for an agency) → approve → pay.
    Only from an approved consequence, and once: the consequence row is locked while the
    claim is made, and the claim's consequence is unique."""
    from apps.evaluations.models import Consequence
    c = visible(Consequence.objects.select_for_update(of=("self",)), actor).filter(
        pk=consequence.pk).select_related("scorecard__scheme", "scorecard__unit",
                                          "scorecard__agency").first()
    if c is None:
        raise PermissionDenied("该评估结果运用不存在或不在您的范围内。")
    card = c.scorecard
    if not card.is_organisation(actor):
        raise PermissionDenied("奖励由获奖的组织单位或输出机构本身申请拨付。")
    existing = Claim.objects.filter(consequence=c).first()
    if existing is not None:
        raise ValidationError(f"该奖励已申请拨付（申请编号 {existing.pk}），不能重复申请。")
    problems = reward_problems(c)
    if problems:
        raise ValidationError(problems)
    bank = bank_account(bank_name, account_name, account_no, "请填写开户银行、账户名称和银行账号。")
    unit = card.unit
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                unit=unit, agency=card.agency, city_id=unit.city_id if unit else None,
                year=card.scheme.year, event_on=timezone.localdate(c.decided_at),
                phase=Phase.EVALUATION, consequence=c, **bank, note=note, created_by=actor)
            _build_lines(claim)
    except IntegrityError:
        raise ValidationError("该奖励刚刚已申请拨付，不能重复申请。")
    return claim


def verify(claim) -> list[str]:
    """Every line still matches the records: its 人数 is the number of its people, each of
    them is still eligible, and the totals add up. Asked at every step. An evaluation
    reward: its consequence is still approved and unflagged, and the claim is its one line
    of no more than the decided amount."""
    if claim.phase == Phase.EVALUATION:
        return reward_problems(claim.consequence, claim)
    problems = []
    lines = list(claim.lines.prefetch_related("people"))
    for line in lines:
        people = {p.person_id for p in line.people.all()}
        label = Item(line.item).label
        if line.count != len(people):
            problems.append(f"“{label}”人数为{line.count}，但名单上有{len(people)}人。")
        if line.amount != line.standard * line.count:
            problems.append(f"“{label}”金额不等于人数×标准。")
        allowed = {person for person, _ in eligibility.eligible(
            line.item, unit=claim.unit, training_class=claim.training_class,
            include_claim=claim, departed_in=_departed_in(claim))}
        stale = people - allowed
        if stale:
            problems.append(f"“{label}”中有{len(stale)}人已不符合申请条件（记录已变化）。")
    for fund, total in ((Fund.EMPLOYMENT, claim.employment_total),
                        (Fund.SKILLS, claim.skills_total)):
        if sum((ln.amount for ln in lines if ln.fund == fund), Decimal(0)) != total:
            problems.append(f"{Fund(fund).label}合计与明细不符。")
    if claim.training_class_id:
        problems += class_money_problems(claim.training_class)
    return problems


def claim_lateness(claim, today=None) -> dict | None:
    """How late the claim was filed, in working days after its due day: the due day is N
    working days after its event (the province's "claim" deadline rule, N = 10 by the plan;
    a 非建制班's its "standing_info" rule). A draft counts to today. None: no event known."""
    from apps.deadlines.models import DeadlineRule
    from apps.workdays.calendar import working_days_late
    if claim.event_on is None or claim.phase not in PHASE_EVENT:
        return None  # an evaluation reward: no deadline rule for asking
    code = "standing_info" if claim.phase in (Phase.STANDING_OPENING, Phase.STANDING_AFTER) \
        else "claim"
    offset = DeadlineRule.objects.filter(code=code).values_list("offset", flat=True).first() or 10
    # Working days lost to outage periods of the unit's are not counted (issue 22).
    from apps.outages.services import extended_due
    due, extension = extended_due(claim.event_on, offset, _claim_owner(claim))
    submitted = claim.steps.filter(action=StepAction.SUBMIT).order_by("at").first()
    filed_on = (submitted.paper_on or timezone.localdate(submitted.at)) if submitted \
        else (today or timezone.localdate())
    return {"event": PHASE_EVENT[claim.phase], "event_on": claim.event_on, "due_on": due.day,
            "provisional": due.provisional, "filed_on": filed_on, "submitted": bool(submitted),
            "days": offset, "late": working_days_late(due.day, filed_on),
            "extension": extension.reason,
            "paper_form_no": submitted.paper_form_no if submitted else ""}


def _locked(claim, actor) -> Claim:
    found = visible(Claim.objects.select_for_update(of=("self",)), actor).filter(pk=claim.pk) \
        .select_related("unit", "training_class").first()
    if found is None:
        raise PermissionDenied("该申请不存在或不在您的管辖范围内。")
    return found


def _step(claim, action, to_status, actor, reason="") -> Claim:
    try:
        with transaction.atomic():
            ClaimStep.objects.create(claim=claim, round=claim.round, action=action,
                                     from_status=claim.status, to_status=to_status,
                                     reason=reason, actor=actor)
    except IntegrityError:
        raise ValidationError("该申请刚刚已由他人处理。")
    claim.status = to_status
    claim.save(update_fields=["status", "round", "return_reason", "updated_at"])
    decision = action in (StepAction.REVIEW, StepAction.APPROVE, StepAction.RETURN, StepAction.PAY)
    audit_log(actor, AuditAction.APPROVE if decision else AuditAction.CLAIM, claim,
              detail=f"补助资金申请：{StepAction(action).label}" + (f"（{reason}）" if reason else ""))
    return claim


def _verified(claim):
    problems = verify(claim)
    if problems:
        raise ValidationError(problems)


@audited(AuditAction.CLAIM, "重新生成申请明细")
def claim_refresh(claim, *, actor) -> Claim:
    """A draft or returned claim is derived again from today's records."""
    claim = _guarded("refresh", claim, actor)
    _rebuild(claim)
    return claim


def _claim_owner(claim) -> dict:
    if claim.agency_id:
        return {"owner_role": Role.AGENCY, "city_id": None, "unit_id": None,
                "agency_id": claim.agency_id}
    return {"owner_role": Role.UNIT, "city_id": claim.city_id, "unit_id": claim.unit_id,
            "agency_id": None}


@audited(AuditAction.CLAIM, "提交补助资金申请")
def claim_submit(claim, *, actor, paper_on=None, paper_form_no="") -> Claim:
    """The unit submits its claim. With ``paper_on`` and ``paper_form_no`` it is a 补录 (issue
    22): the claim was handed in on paper on that day, inside a declared outage period, and
    counts as filed then (for the claim items and the lateness the reviewer sees)."""
    claim = _guarded("submit", claim, actor)
    late = None
    if paper_on or paper_form_no:
        from apps.outages.services import late_entry_check
        if paper_on is None:
            raise ValidationError({"paper_on": "补录须填写纸质提交日期。"})
        late = late_entry_check(on=paper_on, form_no=paper_form_no, owner=_claim_owner(claim),
                                field="paper_on")
        if claim.event_on and paper_on < claim.event_on:
            raise ValidationError({"paper_on": f"纸质提交日期（{paper_on:%Y-%m-%d}）不能早于"
                                               f"{PHASE_EVENT.get(claim.phase, '决定')}日期"
                                               f"（{claim.event_on:%Y-%m-%d}）。"})
    _verified(claim)
    if claim.status == ClaimStatus.RETURNED:
        claim.round += 1
    claim.return_reason = ""
    _step(claim, StepAction.SUBMIT, ClaimStatus.SUBMITTED, actor)
    filed_at = None
    if late:
        from apps.outages.services import paper_filed_at
        filed_at = paper_filed_at(paper_on)
        ClaimStep.objects.filter(claim=claim, round=claim.round, action=StepAction.SUBMIT).update(
            paper_on=paper_on, paper_form_no=late[1])
    if claim.phase == Phase.DEPARTURE:
        # The claim owed after departure is filed: the claim items of these people close.
        deadlines.claim_items_close(ClaimedPerson.objects.filter(
            line__claim=claim, candidacy__isnull=False).values("candidacy"), filed_at)
    if late:
        from apps.outages.models import LateEntryKind
        from apps.outages.services import late_entry_record
        lateness = claim_lateness(claim)
        step = ClaimStep.objects.get(claim=claim, round=claim.round, action=StepAction.SUBMIT)
        late_entry_record(period=late[0], subject=step, kind=LateEntryKind.CLAIM,
                          paper_on=paper_on, form_no=late[1], actor=actor,
                          summary=f"{claim.organisation.name} {claim.get_phase_display()}补助资金申请提交",
                          owner=_claim_owner(claim), on_time=not lateness or not lateness["late"],
                          due_on=lateness["due_on"] if lateness else None,
                          link=reverse("subsidies:claim_detail", args=[claim.pk]))
    return claim


@audited(AuditAction.APPROVE, "审核补助资金申请")
def claim_review(claim, *, actor, note="", expected_round=None) -> Claim:
    """The city with jurisdiction reviews it first."""
    claim = _guarded("review", claim, actor, expected_round)
    _verified(claim)
    return _step(claim, StepAction.REVIEW, ClaimStatus.REVIEWED, actor, note)


@audited(AuditAction.APPROVE, "审批补助资金申请")
def claim_approve(claim, *, actor, note="", expected_round=None) -> Claim:
    claim = _guarded("approve", claim, actor, expected_round)
    _verified(claim)
    return _step(claim, StepAction.APPROVE, ClaimStatus.APPROVED, actor, note)


def payment_date_problem(claim, paid_on, today=None) -> str:
    """Why the claim cannot be recorded as paid on ``paid_on`` ("" when it can; rules 12 and
    31): not in the future, and not before the day (Beijing) the province approved it in this
    round: money is not paid before it was granted."""
    if paid_on is None:
        return "请填写拨付日期。"
    if paid_on > (today or timezone.localdate()):
        return f"拨付日期（{paid_on.isoformat()}）不能晚于今天。"
    approved = (ClaimStep.objects.filter(claim=claim, round=claim.round,
                                         action=StepAction.APPROVE)
                .values_list("at", flat=True).first())
    if approved is None:
        return "该申请尚未经省专项办审批通过，不能登记拨付。"
    approved_on = timezone.localdate(approved)
    if paid_on < approved_on:
        return (f"拨付日期（{paid_on.isoformat()}）不能早于省专项办审批通过的日期"
                f"（{approved_on:%Y-%m-%d}）。")
    return ""


@audited(AuditAction.APPROVE, "登记拨付")
def claim_pay(claim, *, actor, paid_on, voucher_no, expected_round=None) -> Payment:
    """The approved amount is paid once (one payment per claim, a unique constraint)."""
    claim = _guarded("pay", claim, actor, expected_round)
    if claim.phase == Phase.EVALUATION:
        _verified(claim)  # never more than decided, never on a withdrawn or flagged decision
    if not voucher_no.strip():
        raise ValidationError({"voucher_no": "请填写拨付凭证号。"})
    problem = payment_date_problem(claim, paid_on)
    if problem:
        raise ValidationError({"paid_on": problem})
    payment = Payment.objects.create(claim=claim, paid_on=paid_on, voucher_no=voucher_no.strip(),
                                     amount=claim.total, recorded_by=actor)
    _step(claim, StepAction.PAY, ClaimStatus.PAID, actor, f"凭证号 {payment.voucher_no}")
    return payment


@audited(AuditAction.APPROVE, "退回补助资金申请")
def claim_return(claim, *, actor, reason, expected_round=None) -> Claim:
    """Any step before payment may send it back to the unit, with a reason."""
    claim = _guarded("return", claim, actor, expected_round)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写退回原因。"})
    claim.return_reason = reason.strip()
    return _step(claim, StepAction.RETURN, ClaimStatus.RETURNED, actor, reason.strip())


@audited(AuditAction.CLAIM, "撤回补助资金申请")
def claim_withdraw(claim, *, actor) -> Claim:
    """The unit abandons a draft or returned claim: its people may be claimed again."""
    claim = _guarded("withdraw", claim, actor)
    if claim.phase == Phase.EVALUATION:
        # Withdrawn, it would hold its consequence (one claim each) and the reward go unpaid.
        raise ValidationError("评估奖励申请不能撤回；如需更正，请待退回后重新提交。")
    claim.lines.all().delete()
    claim.employment_total = claim.skills_total = claim.total = Decimal(0)
    claim.save(update_fields=["employment_total", "skills_total", "total", "updated_at"])
    return _step(claim, StepAction.WITHDRAW, ClaimStatus.WITHDRAWN, actor)


# --- Budgets --------------------------------------------------------------------------------

@audited(AuditAction.BUDGET, "报送年度预算")
def budget_submit(*, actor, year, planned_people, amount, note="") -> Budget:
    """A city or a unit files (or corrects) its budget for ``year``; due by 31 May before."""
    if actor.role not in (Role.CITY, Role.UNIT):
        raise PermissionDenied("年度预算由市人社局和组织单位报送。")
    if year != timezone.localdate().year + 1:
        raise ValidationError({"year": f"只能报送下一年度（{timezone.localdate().year + 1}年）的预算。"})
    if amount is None or amount < 0:
        raise ValidationError({"amount": "预算金额不能为负数。"})
    city_id = actor.city_id if actor.role == Role.CITY else actor.unit.city_id
    unit_id = actor.unit_id if actor.role == Role.UNIT else None
    budget, _ = Budget.objects.update_or_create(
        year=year, city_id=city_id, unit_id=unit_id,
        defaults={"planned_people": planned_people, "amount": amount, "note": note,
                  "submitted_by": actor})
    deadlines.budget_item_close(year, city_id=city_id, unit_id=unit_id)
    return budget
