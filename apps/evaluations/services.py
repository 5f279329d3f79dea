"""Yearly evaluation: every write, each in one audited service (issue 20).

A scheme is the province's while a draft; locking it is the last edit before scoring. Cards
are computed from the records for a year that has ended, entered criteria are scored with a
reason and evidence, then the organisation has the objection window (working days, the
deadline rule ``evaluation_objection``), the province answers each objection and publishes.
Every state move locks the card (select_for_update) and checks its state under the lock; a
score change leaves a ScoreChange with old and new points. Consequences are proposed at
publication and take effect only when the province decides them; a correction after
publication re-derives them (``_rederive``) without ever changing a decided one."""
import uuid
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.common.files import document_accept
from apps.deadlines.models import DeadlineItem, DeadlineRule
from apps.deadlines.services import _close as items_close
from apps.deadlines.services import notify
from apps.evaluations import computations
from apps.evaluations import excellence as honours
from apps.evaluations.examples import EXCELLENCE, REWARD_BANDS, SOURCE, example_rows
from apps.evaluations.models import (
    PAID, WITHDRAWING, CardStatus, Consequence, ConsequenceKind, ConsequenceStatus, Criterion,
    CriterionScore, Kind, Method, Objection, ScoreChange, Scheme, SchemeStatus, Scorecard,
)
from apps.orgs.models import Agency, AgencyStatus, FilingStatus, OrganisingUnit
from apps.workdays.calendar import add_working_days

OBJECTION_RULE, ANSWER_RULE = "evaluation_objection", "evaluation_answer"
EV = AuditAction.EVALUATION


def _province(actor):
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以进行此操作。")


# --- schemes --------------------------------------------------------------------------------

@audited(EV, "新建年度评估方案")
def scheme_create(*, actor, year: int, kind: str, copy_from=None) -> Scheme:
    """A draft scheme for ``year``: a copy of an earlier year's scheme of the same kind, or
    seed 002's example table."""
    _province(actor)
    if Scheme.objects.filter(year=year, kind=kind).exists():
        raise ValidationError({"year": f"{year}年度的{Kind(kind).label}评估方案已存在。"})
    if copy_from is not None and copy_from.kind != kind:
        raise ValidationError({"copy_from": "只能复制同一评估对象的方案。"})
    if copy_from is not None:
        scheme = Scheme.objects.create(year=year, kind=kind, pass_mark=copy_from.pass_mark,
                                       reward_bands=copy_from.reward_bands,
                                       excellence=copy_from.excellence,
                                       source=f"复制自{copy_from.year}年度方案")
        rows = [{f: getattr(c, f) for f in ("seq", "category", "code", "label", "standard",
                                            "points", "method", "key", "rule", "veto_at")}
                for c in copy_from.criteria.all()]
    else:
        scheme = Scheme.objects.create(year=year, kind=kind, reward_bands=REWARD_BANDS,
                                       excellence=EXCELLENCE[kind], source=SOURCE)
        rows = list(example_rows(kind))
    Criterion.objects.bulk_create([Criterion(scheme=scheme, **row) for row in rows])
    return scheme


def _draft(scheme):
    if not scheme.is_draft:
        raise ValidationError("方案已锁定，不能再修改。")


def _bands(rows, field):
    for row in rows:
        if not isinstance(row, dict) or "min" not in row or "amount" not in row:
            raise ValidationError({field: "每一档须写成“分数线:金额”。"})
        if Decimal(str(row["amount"])) < 0:
            raise ValidationError({field: "奖励金额不能为负数。"})


@audited(EV, "修改评估方案")
def scheme_update(scheme, *, actor, pass_mark, reward_bands, excellence: dict) -> Scheme:
    """Pass mark, reward bands and the 优秀 rule of a draft (excellence.py says its keys)."""
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    if not (Decimal(0) < Decimal(pass_mark) <= Decimal(100)):
        raise ValidationError({"pass_mark": "合格分数线须在0到100之间。"})
    _bands(reward_bands, "reward_bands")
    honours.check(excellence, scheme.criteria.all())
    scheme.pass_mark, scheme.reward_bands = pass_mark, reward_bands
    scheme.excellence = honours.normalised(excellence)
    scheme.save(update_fields=["pass_mark", "reward_bands", "excellence"])
    return scheme


@audited(EV, "保存评估指标")
def criterion_save(scheme, *, actor, criterion=None, **fields) -> Criterion:
    """Add or change one criterion of a draft scheme."""
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    if criterion is not None and criterion.scheme_id != scheme.pk:
        raise ValidationError("该指标不属于此方案。")
    c = criterion or Criterion(scheme=scheme)
    for name, value in fields.items():
        setattr(c, name, value)
    if c.method == Method.ENTERED:
        c.key, c.rule = "", {}
    else:
        comp = computations.COMPUTATIONS.get(c.key)
        if comp is None:
            raise ValidationError({"key": "请选择计算项。"})
        if scheme.kind not in comp.kinds:
            raise ValidationError({"key": f"“{comp.label}”不适用于{scheme.get_kind_display()}。"})
        problems = computations.rule_problems(c.rule, c.points)
        if problems:
            raise ValidationError({"rule": problems})
    if c.points is None or c.points < 0 or c.points > 100:
        raise ValidationError({"points": "分值须在0到100之间。"})
    if Criterion.objects.filter(scheme=scheme, code=c.code).exclude(pk=c.pk).exists():
        raise ValidationError({"code": f"代码“{c.code}”已被本方案的其他指标使用。"})
    c.save()
    return c


@audited(EV, "删除评估指标")
def criterion_delete(criterion, *, actor) -> Scheme:
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=criterion.scheme_id)
    _draft(scheme)
    criterion.delete()
    return scheme


@audited(EV, "锁定评估方案")
def scheme_lock(scheme, *, actor) -> Scheme:
    """The last edit: the points add up to 100 and the pass mark is within them."""
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _draft(scheme)
    total = sum((c.points for c in scheme.criteria.all()), Decimal(0))
    if total != 100:
        raise ValidationError(f"各指标分值合计为 {total} 分，须为100分才能锁定。")
    # A criterion the 优秀 rule reads may have been deleted or made computed since.
    problems = honours.problems(scheme.excellence, scheme.criteria.all())
    if problems:
        raise ValidationError("优秀评选条件有误，请先修改：" + "".join(problems.values()))
    scheme.status, scheme.locked_at, scheme.locked_by = SchemeStatus.LOCKED, timezone.now(), actor
    scheme.save(update_fields=["status", "locked_at", "locked_by"])
    return scheme


# --- computing a year -----------------------------------------------------------------------

def year_ended_problem(year, today=None):
    """Time rule: a year is scored from its records only once it has ended."""
    today = today or timezone.localdate()
    if today <= date(year, 12, 31):
        return f"{year}年度尚未结束（今天是{today:%Y-%m-%d}），不能按记录评分。"
    return None


def organisations(kind):
    if kind == Kind.UNIT:
        return OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED).order_by("seq", "pk")
    return Agency.objects.filter(filing_status=FilingStatus.APPROVED).exclude(
        status=AgencyStatus.BLACKLISTED).order_by("seq", "pk")


def _change(score, new, *, actor, reason, after_publication=False):
    if score.points != new:
        ScoreChange.objects.create(score=score, old_points=score.points, new_points=new,
                                   reason=reason[:500], after_publication=after_publication,
                                   by=actor)


def _fill(card, *, actor, today=None):
    """(Re)compute every computed criterion of a card from the records."""
    org = card.organisation
    kind, year = card.scheme.kind, card.scheme.year
    for criterion in card.scheme.criteria.all():
        score, _ = CriterionScore.objects.get_or_create(scorecard=card, criterion=criterion)
        if not criterion.is_computed:
            continue
        figure = computations.compute(criterion.key, kind, org, year, today)
        new = computations.points_for(criterion.rule, criterion.points, figure)
        _change(score, new, actor=actor, reason="按记录计算")
        score.value, score.count, score.points = figure.value, figure.count, new
        score.sources = {"model": figure.model, "ids": figure.ids}
        score.note = figure.note[:300]
        score.vetoes = criterion.veto_at is not None and figure.count >= criterion.veto_at
        score.save()
    card.computed_at = timezone.now()
    _total(card)


def _total(card):
    scores = list(card.scores.select_related("criterion"))
    card.total = sum((s.points or Decimal(0) for s in scores), Decimal(0))
    vetoes = [s.criterion.label for s in scores if s.vetoes]
    card.vetoed = bool(vetoes)
    card.veto_note = ("一票否决：" + "、".join(vetoes)) if vetoes else ""
    card.passed = (not card.vetoed) and card.total >= card.scheme.pass_mark
    card.save()


@audited(EV, "按记录计算年度评估表")
def scorecards_compute(scheme, *, actor, today=None) -> Scheme:
    """A card for every approved organisation of the kind; computed criteria recomputed on
    the cards still in draft (a card in its objection window or later is left as it is)."""
    _province(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_draft:
        raise ValidationError("请先锁定方案，再按记录计算。")
    problem = year_ended_problem(scheme.year, today)
    if problem:
        raise ValidationError(problem)
    made = 0
    for org in organisations(scheme.kind):
        where = {"unit": org} if scheme.kind == Kind.UNIT else {"agency": org}
        card, created = Scorecard.objects.get_or_create(
            scheme=scheme, **where,
            defaults={"city_id": org.city_id if scheme.kind == Kind.UNIT else None})
        if card.status == CardStatus.DRAFT:
            _fill(card, actor=actor, today=today)
            made += 1
    audit_log(actor, EV, scheme, detail=f"{scheme}：按记录计算 {made} 张评估表")
    return scheme


def _locked(card) -> Scorecard:
    return Scorecard.objects.select_for_update().select_related("scheme").get(pk=card.pk)


def _state(card, *allowed):
    if card.status not in allowed:
        raise ValidationError(f"评估表当前为“{card.get_status_display()}”，不能进行此操作。")


@audited(EV, "重新按记录计算评估表")
def scorecard_recompute(card, *, actor, today=None) -> Scorecard:
    """Records corrected after a draft was computed (or during the objection window, when an
    objection shows a record was wrong): the computed criteria again, each change kept."""
    _province(actor)
    card = _locked(card)
    _state(card, CardStatus.DRAFT, CardStatus.OBJECTION)
    _fill(card, actor=actor, today=today)
    return card


def _may_enter(actor, card):
    """The province scores every card; a city the cards of its own units."""
    if actor.role == Role.PROVINCE:
        return
    if actor.role == Role.CITY and card.unit_id and card.city_id == actor.city_id:
        return
    raise PermissionDenied("只有省专项办或该单位所在的市人社局可以评分。")


def _points_in_range(points, criterion):
    if points is None or points < 0 or points > criterion.points:
        raise ValidationError({"points": f"得分须在0到{criterion.points}分之间。"})


@audited(EV, "录入人工评分")
def score_enter(score, *, actor, points, reason, evidence, count=None) -> CriterionScore:
    """An entered criterion of a draft card: the points, why, and the evidence file; with
    ``count`` the number the scorer found (认定人数: the 技术技能人才 the 优秀 rule reads)."""
    card = _locked(score.scorecard)
    _may_enter(actor, card)
    _state(card, CardStatus.DRAFT)
    score = CriterionScore.objects.select_for_update().select_related("criterion").get(pk=score.pk)
    if score.criterion.is_computed:
        raise ValidationError("该指标按记录自动计算，不能人工评分。")
    _points_in_range(points, score.criterion)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写评分理由。"})
    if count is not None and count < 0:
        raise ValidationError({"count": "认定人数不能为负数。"})
    accepted = document_accept(evidence, field="evidence")
    _change(score, points, actor=actor, reason=reason)
    accepted.content.seek(0)
    # A random stored name: the user's file name never reaches the file system. An earlier
    # file stays on disk: the change history names the score, the audit row the upload.
    score.evidence.save(f"{uuid.uuid4().hex}{accepted.extension}",
                        ContentFile(accepted.content.read()), save=False)
    score.evidence_name = accepted.original_name[:200]
    score.evidence_type = accepted.content_type
    score.points, score.reason, score.count = points, reason[:500], count
    score.entered_by, score.entered_at = actor, timezone.now()
    score.save()
    _total(card)
    return score


def _notify_org(card, text):
    if card.unit_id:
        notify(role=Role.UNIT, unit_id=card.unit_id, text=f"{card}：{text}",
               link=card.get_absolute_url())
    else:
        notify(role=Role.AGENCY, agency_id=card.agency_id, text=f"{card}：{text}",
               link=card.get_absolute_url())


@audited(EV, "评估表进入异议期")
def scorecard_open(card, *, actor) -> Scorecard:
    """The draft goes to the organisation: its objection window is the deadline rule's number
    of working days after today, to the end of the last one (Beijing time)."""
    _province(actor)
    card = _locked(card)
    _state(card, CardStatus.DRAFT)
    missing = [s.criterion.label for s in card.scores.select_related("criterion")
               if s.points is None]
    if missing or card.computed_at is None:
        raise ValidationError("尚有指标未评分：" + ("、".join(missing) or "未按记录计算") + "。")
    today = timezone.localdate()
    due = add_working_days(today, DeadlineRule.objects.get(code=OBJECTION_RULE).offset)
    card.status = CardStatus.OBJECTION
    card.objection_opened_on, card.objection_due_on, card.objection_due_at = (
        today, due.day, due.ends_at)
    card.save()
    _notify_org(card, f"评估初稿已发布，总分 {card.total}，如有异议请于 {due.day:%Y-%m-%d} 前提出")
    return card


def window_open(card, now=None) -> bool:
    now = now or timezone.now()
    return (card.status == CardStatus.OBJECTION and card.accepted_at is None
            and card.objection_due_at is not None and now <= card.objection_due_at)


def _own(actor, card):
    if not card.is_organisation(actor):
        raise PermissionDenied("只有被评估单位本身可以提出异议。")


@audited(EV, "提出评估异议")
def objection_file(card, *, actor, criterion, text) -> Objection:
    card = _locked(card)
    _own(actor, card)
    _state(card, CardStatus.OBJECTION)
    if not window_open(card):
        raise ValidationError("异议期已结束（或已确认无其他异议），不能再提出异议。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写异议内容。"})
    if len(text) > 2000:
        raise ValidationError({"text": "异议内容不能超过2000字。"})
    if criterion is not None and criterion.scheme_id != card.scheme_id:
        raise ValidationError({"criterion": "该指标不属于本评估表。"})
    # A doubled or replayed submission: the same words on the same criterion, unanswered.
    if card.objections.filter(criterion=criterion, text=text, answered_at__isnull=True).exists():
        raise ValidationError({"text": "相同的异议已提出，正在等待答复。"})
    o = Objection.objects.create(scorecard=card, criterion=criterion, text=text, filed_by=actor)
    # The province owes an answer within the rule's working days: on 我的待办, late if later.
    rule = DeadlineRule.objects.get(code=ANSWER_RULE)
    due = add_working_days(timezone.localdate(), rule.offset)
    DeadlineItem.objects.create(
        rule=rule, subject_type=ContentType.objects.get_for_model(Objection), subject_id=o.pk,
        stage="answer", event_on=timezone.localdate(), due_on=due.day, due_at=due.ends_at,
        provisional=due.provisional, owner_role=Role.PROVINCE, city_id=card.city_id,
        agency_id=card.agency_id)
    notify(role=Role.PROVINCE, text=f"{card}：收到异议，请答复", link=card.get_absolute_url())
    return o


def answer_items(objection):
    return DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(Objection), subject_id=objection.pk)


@audited(EV, "确认无其他异议")
def scorecard_accept(card, *, actor) -> Scorecard:
    """The organisation has said all it has to say: the window closes early."""
    card = _locked(card)
    _own(actor, card)
    _state(card, CardStatus.OBJECTION)
    if card.accepted_at is not None:
        raise ValidationError("已确认过。")
    card.accepted_at, card.accepted_by = timezone.now(), actor
    card.save(update_fields=["accepted_at", "accepted_by"])
    return card


@audited(EV, "答复评估异议")
def objection_answer(objection, *, actor, answer, points=None) -> Objection:
    """The province's answer; for an entered criterion it may change the points (kept as a
    score change). A computed criterion changes only through its records and a recompute."""
    _province(actor)
    card = _locked(objection.scorecard)
    _state(card, CardStatus.OBJECTION)
    o = Objection.objects.select_for_update().get(pk=objection.pk)
    if o.answered_at is not None:
        raise ValidationError("该异议已答复。")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "请填写答复。"})
    if points is not None:
        if o.criterion is None or o.criterion.is_computed:
            raise ValidationError({"points": "只有人工评分的指标可在答复时改分；按记录计算的指标请更正记录后重新计算。"})
        score = CriterionScore.objects.select_for_update().get(scorecard=card,
                                                               criterion=o.criterion)
        _points_in_range(points, o.criterion)
        _change(score, points, actor=actor, reason=f"答复异议：{answer}")
        score.points = points
        score.save(update_fields=["points"])
        _total(card)
    o.answer, o.answered_by, o.answered_at = answer[:2000], actor, timezone.now()
    o.save(update_fields=["answer", "answered_by", "answered_at"])
    items_close(answer_items(o), o.answered_at)
    _notify_org(card, "异议已答复")
    return o


@audited(EV, "结束异议期")
def scorecard_conclude(card, *, actor) -> Scorecard:
    """Objection → answered: the window is over (or the organisation closed it) and every
    objection has its answer."""
    _province(actor)
    card = _locked(card)
    _state(card, CardStatus.OBJECTION)
    if window_open(card):
        raise ValidationError(f"异议期至 {card.objection_due_on:%Y-%m-%d} 结束，"
                              "期间被评估单位仍可提出异议。")
    if card.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError("尚有异议未答复。")
    card.status = CardStatus.ANSWERED
    card.save(update_fields=["status"])
    return card


def _org_where(card, path=""):
    return ({f"{path}unit": card.unit_id} if card.unit_id else {f"{path}agency": card.agency_id})


def _published(org_where, kind, year):
    return Scorecard.objects.filter(scheme__kind=kind, scheme__year=year,
                                    status=CardStatus.PUBLISHED, **org_where).first()


def _figure(card, key):
    score = next((s for s in card.scores.select_related("criterion")
                  if s.criterion.key == key), None)
    if score is not None:
        return score.value
    figure = computations.compute(key, card.scheme.kind, card.organisation, card.scheme.year)
    return figure.value


def designated_since(card) -> int | None:
    """The year of the organisation's standing 优秀 designation before this card's year: its
    latest approved designation or re-review, unless that re-review withdrew the title."""
    latest = (Consequence.objects.filter(
        status=ConsequenceStatus.APPROVED, scorecard__scheme__kind=card.scheme.kind,
        scorecard__scheme__year__lt=card.scheme.year, kind__in=[
            ConsequenceKind.EXCELLENT, ConsequenceKind.REVIEW_KEEP, ConsequenceKind.REVIEW_DROP],
        **_org_where(card, "scorecard__"))
        .select_related("scorecard__scheme").order_by("-scorecard__scheme__year").first())
    if latest is None or latest.kind == ConsequenceKind.REVIEW_DROP:
        return None
    return latest.scorecard.scheme.year


def excellence_conditions(card) -> list:
    """第十条's conditions for ``card``'s organisation over the scheme's years up to it."""
    scheme = card.scheme
    rule = honours.normalised(scheme.excellence or {})
    cards = [card] + [_published(_org_where(card), scheme.kind, scheme.year - n)
                      for n in range(1, int(rule["years"]))]
    return honours.conditions(rule, scheme.year, cards, _figure)


def _honours(card) -> list[dict]:
    """Seed 002 第十条 and 第十一条: 优秀 when every condition is met; an organisation already
    优秀 is not designated again but re-reviewed ``review_every`` years after its designation."""
    scheme = card.scheme
    rule = honours.normalised(scheme.excellence or {})
    if not rule:
        return []
    since = designated_since(card)
    if since is not None and scheme.year - since < int(rule["review_every"]):
        return []  # designated within the interval: neither again nor reviewed yet
    met = excellence_conditions(card)
    said = "；".join(str(c) for c in met)
    if since is not None:
        keep = all(c.met for c in met)
        return [{"kind": ConsequenceKind.REVIEW_KEEP if keep else ConsequenceKind.REVIEW_DROP,
                 "proposal": f"{since}年度评为优秀，{scheme.year}年度复核：{said}："
                             + ("保留优秀称号" if keep else "撤销优秀称号")}]
    if not card.passed or not all(c.met for c in met):
        return []
    amount = Decimal(str(rule["amount"]))
    award = f"，一次性奖励 {honours.number_text(amount / 10000)} 万元" if amount else ""
    return [{"kind": ConsequenceKind.EXCELLENT, "amount": amount or None,
             "proposal": f"{said}：评为优秀{award}"}]


def proposals(card) -> list[dict]:
    """What the published year leads to (seed 002 第八条, 第十条 to 第十二条)."""
    scheme = card.scheme
    withdraw = ("取消资格两年：暂停该输出机构合作" if card.agency_id
                else "取消资格两年：撤销该组织单位备案")
    out = []
    if card.vetoed:
        out.append({"kind": ConsequenceKind.VETO, "proposal": f"{card.veto_note}；{withdraw}"})
    if not card.passed:
        previous = _published(_org_where(card), scheme.kind, scheme.year - 1)
        if previous is not None and not previous.passed:
            out.append({"kind": ConsequenceKind.FAIL_TWICE,
                        "proposal": f"{scheme.year - 1}、{scheme.year}年度连续不合格；{withdraw}"})
        out.append({"kind": ConsequenceKind.FAIL, "proposal": f"{scheme.year}年度评估不合格"})
    else:
        bands = [b for b in scheme.reward_bands if card.total >= Decimal(str(b["min"]))]
        if bands:
            band = max(bands, key=lambda b: Decimal(str(b["min"])))
            amount = Decimal(str(band["amount"]))
            out.append({"kind": ConsequenceKind.REWARD, "amount": amount,
                        "proposal": f"总分 {card.total}（{band['min']}分以上档），绩效奖励"
                                    f" {honours.number_text(amount / 10000)} 万元"})
    return out + _honours(card)


@audited(EV, "公布年度评估结果")
def scorecard_publish(card, *, actor) -> Scorecard:
    _province(actor)
    card = _locked(card)
    _state(card, CardStatus.ANSWERED)
    _total(card)
    card.status, card.published_at, card.published_by = (CardStatus.PUBLISHED, timezone.now(),
                                                         actor)
    card.save(update_fields=["status", "published_at", "published_by"])
    for p in proposals(card):
        Consequence.objects.get_or_create(scorecard=card, kind=p["kind"], defaults={
            "proposal": p["proposal"][:300], "amount": p.get("amount")})
    _notify_org(card, f"评估结果已公布：{card.total} 分，{card.grade}")
    return card


def _paid_note(c) -> str:
    from apps.subsidies.models import Claim, ClaimStatus
    claim = Claim.objects.filter(consequence=c).first()
    if claim is None:
        return ""
    if claim.status == ClaimStatus.PAID:
        return f"，奖励已拨付 {claim.total} 元（申请 {claim.pk}）"
    return f"，拨付申请 {claim.pk} {claim.get_status_display()}"


def _rederive(card, *, actor, why):
    """A published card changed: its proposals derived again. A new one is added as proposed;
    an undecided one no longer supported is withdrawn with the reason (kept, not deleted) and
    one supported again comes back; an undecided reward follows its band. A decided one is
    never changed: if it no longer holds (or its amount would differ) it is flagged for the
    province to review. Each change has its audit row."""
    wanted = {p["kind"]: p for p in proposals(card)}
    now = timezone.now()
    for c in card.consequences.select_for_update().order_by("id"):
        p = wanted.pop(c.kind, None)
        label = c.get_kind_display()
        if c.status in (ConsequenceStatus.PROPOSED, ConsequenceStatus.WITHDRAWN):
            if p is None:
                if c.status == ConsequenceStatus.PROPOSED:
                    c.status, c.withdrawn_at = ConsequenceStatus.WITHDRAWN, now
                    c.withdrawn_reason = f"{why}，不再符合“{label}”的条件"[:300]
                    c.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
                    audit_log(actor, EV, c, detail=f"{card}：撤回建议“{label}”（{why}）")
                continue
            proposal, amount = p["proposal"][:300], p.get("amount")
            if (c.status, c.proposal, c.amount) == (ConsequenceStatus.PROPOSED, proposal, amount):
                continue
            detail = (f"重新提出建议“{label}”" if c.status == ConsequenceStatus.WITHDRAWN
                      else f"更新建议“{label}”" + (f"：金额 {c.amount} → {amount} 元"
                                                 if c.amount != amount else ""))
            c.status, c.proposal, c.amount = ConsequenceStatus.PROPOSED, proposal, amount
            c.withdrawn_at, c.withdrawn_reason = None, ""
            c.save(update_fields=["status", "proposal", "amount", "withdrawn_at",
                                  "withdrawn_reason"])
            audit_log(actor, EV, c, detail=f"{card}：{detail}（{why}）")
            continue
        decided = c.get_status_display()
        if p is None:
            flag = f"{why}，已不符合“{label}”的条件（原决定：{decided}{_paid_note(c)}）"
        elif c.kind in PAID and p.get("amount") != c.amount:
            flag = (f"{why}，{label}应为 {p.get('amount')} 元，原决定 {c.amount} 元"
                    f"（{decided}{_paid_note(c)}）")
        else:
            continue
        if c.flag_open and c.flag == flag[:300]:
            continue
        c.flag, c.flagged_at = flag[:300], now
        c.save(update_fields=["flag", "flagged_at"])
        audit_log(actor, EV, c, detail=f"{card}：待复核：{flag}")
    for kind, p in wanted.items():
        c = Consequence.objects.create(scorecard=card, kind=kind, proposal=p["proposal"][:300],
                                       amount=p.get("amount"))
        audit_log(actor, EV, c, detail=f"{card}：新增建议“{c.get_kind_display()}”（{why}）")


@audited(EV, "公布后修改评估得分")
def score_correct(score, *, actor, points, reason, expected=None) -> CriterionScore:
    """A published score changed afterwards: kept with old, new and the reason, the total
    and the grade recomputed, and the proposals derived again for this card and the
    organisation's later published years (which read this one: two failed years, 优秀).
    ``expected``: the points the form showed; a form posted after another correction is
    refused, and so is a correction that changes nothing (a replayed form)."""
    _province(actor)
    card = _locked(score.scorecard)
    _state(card, CardStatus.PUBLISHED)
    score = CriterionScore.objects.select_for_update().select_related("criterion").get(pk=score.pk)
    if expected is not None and expected != score.points:
        raise ValidationError(f"该项得分已被修改为 {score.points} 分（页面显示 {expected} 分），"
                              "请刷新页面后再修改。")
    _points_in_range(points, score.criterion)
    if points == score.points:
        raise ValidationError({"points": f"该项得分已是 {score.points} 分，无需修改（可能是重复提交）。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写修改原因。"})
    before = card.total
    _change(score, points, actor=actor, reason=reason, after_publication=True)
    score.points = points
    score.save(update_fields=["points"])
    _total(card)
    # The card's own row first: the service's (the audit log reads newest first).
    audit_log(actor, EV, card, detail=f"{card}：{score.criterion.label} 公布后改分，总分 "
                                      f"{before} → {card.total}；原因：{reason}")
    why = f"{card.scheme.year}年度“{score.criterion.label}”公布后更正（{before} → {card.total}分）"
    _rederive(card, actor=actor, why=why)
    later = Scorecard.objects.select_for_update(of=("self",)).select_related("scheme").filter(
        scheme__kind=card.scheme.kind, scheme__year__gt=card.scheme.year,
        status=CardStatus.PUBLISHED, **_org_where(card)).order_by("scheme__year")
    for other in later:
        _rederive(other, actor=actor, why=why)
    _notify_org(card, f"已公布的评估得分被修改：{score.criterion.label}，原因：{reason}")
    return score


def _withdraw_qualification(c, card, actor):
    """An approved veto or two failed years: the qualification ends through the
    organisations' own services, and the two-year bar is recorded from today."""
    from apps.orgs.services import agency_set_status, bar_record, unit_update
    label = f"{card.scheme.year}年度评估：{c.get_kind_display()}"
    if card.agency_id:
        agency_set_status(card.agency, status=AgencyStatus.SUSPENDED, actor=actor)
    else:
        unit_update(card.unit, actor=actor, filing_status=FilingStatus.REFUSED, note=label[:200])
    c.bar = bar_record(unit=card.unit, agency=card.agency, starts_on=timezone.localdate(),
                       reason=label, actor=actor)
    audit_log(actor, EV, c, detail=f"{card.organisation}：{label}，取消资格，"
                                   f"{c.bar.ends_on:%Y-%m-%d}前不得重新申报")


@audited(EV, "决定评估结果运用")
def consequence_decide(consequence, *, actor, approve: bool, note: str = "") -> Consequence:
    """The province decides a proposal. A withdrawal takes effect through the organisations'
    own status and filing services and bars the organisation for two years (seed 002 第八条);
    an approved reward or 优秀 award is then asked for and paid through the subsidy claim flow
    (subsidies.services.claim_create_reward)."""
    _province(actor)
    c = Consequence.objects.select_for_update(of=("self",)).select_related(
        "scorecard__agency", "scorecard__unit", "scorecard__scheme").get(pk=consequence.pk)
    if c.status == ConsequenceStatus.WITHDRAWN:
        raise ValidationError("该建议已撤回（评估结果已更正），不能再决定。")
    if c.status != ConsequenceStatus.PROPOSED:
        raise ValidationError("该建议已决定。")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "决定不执行时请说明理由。"})
    c.status = ConsequenceStatus.APPROVED if approve else ConsequenceStatus.REJECTED
    c.decided_by, c.decided_at, c.decision_note = actor, timezone.now(), note[:300]
    if approve and c.kind in WITHDRAWING:
        _withdraw_qualification(c, c.scorecard, actor)
    c.save()
    if approve and c.kind in PAID and c.amount:
        _notify_org(c.scorecard, f"{c.get_kind_display()} {c.amount} 元已决定执行，请申请拨付")
    return c


@audited(EV, "复核更正后的评估结果运用")
def consequence_review(consequence, *, actor, note, lift_bar=False) -> Consequence:
    """The province reviews a decided consequence a correction flagged. The decision itself
    stands (kept in full); with ``lift_bar`` a withdrawal's two-year bar ends today, so the
    organisation may be restored through its own pages."""
    from apps.orgs.services import bar_lift
    _province(actor)
    c = Consequence.objects.select_for_update(of=("self",)).select_related(
        "bar", "scorecard__scheme", "scorecard__unit", "scorecard__agency").get(pk=consequence.pk)
    if not c.flag_open:
        raise ValidationError("该项没有待复核的更正。")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写复核意见。"})
    today = timezone.localdate()
    if lift_bar:
        if c.bar is None or not c.bar.in_force_on(today):
            raise ValidationError({"lift_bar": "该项没有正在执行的取消资格，无需解除。"})
        bar_lift(c.bar, on=today, reason=f"评估结果更正后复核：{note}")
    c.reviewed_by, c.reviewed_at, c.review_note = actor, timezone.now(), note[:300]
    c.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_log(actor, EV, c, detail=f"{c}：复核更正（{c.flag}）：{note}"
                                   + ("；解除取消资格" if lift_bar else ""))
    return c
