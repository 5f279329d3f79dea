"""Reads of the yearly evaluation: lists, a card's history, and the records behind a figure,
each through scoping.visible."""
from django.apps import apps as django_apps

from apps.accounts.scoping import visible
from apps.evaluations.models import Scheme, Scorecard


def scheme_list(user):
    return visible(Scheme.objects.all(), user)


def scorecard_list(user, filters=None):
    filters = filters or {}
    qs = visible(Scorecard.objects.select_related("scheme", "unit", "agency", "city"), user)
    if filters.get("year"):
        qs = qs.filter(scheme__year=filters["year"])
    if filters.get("kind"):
        qs = qs.filter(scheme__kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("-scheme__year", "scheme__kind", "unit__seq", "agency__seq", "pk")


def history(card, user):
    """The organisation's cards of every year (its own history), as the user may see them."""
    where = {"unit": card.unit_id} if card.unit_id else {"agency": card.agency_id}
    return scorecard_list(user).filter(scheme__kind=card.scheme.kind, **where)


def consequences(card, user):
    """A card's consequences as ``user`` may see them, each with its bar and its reward's
    claim and payment (a claim out of the user's scope is not shown)."""
    from apps.evaluations.models import Consequence
    from apps.subsidies.models import Claim
    rows = list(visible(Consequence.objects.filter(scorecard=card), user)
                .select_related("decided_by", "reviewed_by", "bar").order_by("id"))
    claims = {c.consequence_id: c for c in visible(Claim.objects.filter(
        consequence__in=[r.pk for r in rows]), user).select_related("payment")}
    for row in rows:
        row.paid_claim = claims.get(row.pk)
    return rows


def consequence_claim(consequence, user):
    from apps.subsidies.models import Claim
    return visible(Claim.objects.filter(consequence=consequence), user).select_related(
        "payment").first()


def score_changes(card):
    """Every score change of a card (the card is already in the user's scope)."""
    from apps.evaluations.models import ScoreChange
    return ScoreChange.objects.filter(score__scorecard=card).select_related(
        "score__criterion", "by")


def _d(day):
    return f"{day:%Y-%m-%d}" if day else "—"


def _person(c):
    return c.person.name


# model label -> (select_related, [(header, value of a row)]): the drill-down tables.
DRILL = {
    "pipeline.Candidacy": (("person", "project", "unit", "agency"), [
        ("姓名", _person), ("岗位项目", lambda c: c.project.name),
        ("组织单位", lambda c: str(c.unit or "—")), ("输出机构", lambda c: str(c.agency)),
        ("输出时间", lambda c: _d(c.departed_on)), ("合同期限", lambda c: c.contract_term or "—"),
        ("预计回国", lambda c: _d(c.contract_ends_on)), ("归国时间", lambda c: _d(c.returned_on)),
        ("归国原因", lambda c: c.return_reason or "—"), ("状态", lambda c: c.get_status_display()),
    ]),
    "complaints.Complaint": (("candidacy__person",), [
        ("案件编号", lambda c: c.number),
        ("劳务人员", lambda c: "（敏感案件）" if c.sensitive else c.candidacy.person.name),
        ("类别", lambda c: c.get_category_display()), ("被投诉方", lambda c: c.respondent_label),
        ("办结日期", lambda c: _d(c.resolved_on)), ("办理结果", lambda c: c.get_outcome_display()),
    ]),
    "incidents.Incident": ((), [
        ("事件", str), ("发生时间", lambda i: f"{i.occurred_at:%Y-%m-%d %H:%M}"),
        ("状态", lambda i: i.get_status_display()),
    ]),
    "incidents.IncidentReport": (("incident",), [
        ("报告", lambda r: str(r.incident)), ("类型", lambda r: r.get_kind_display()),
        ("应报时间", lambda r: f"{r.due_at:%Y-%m-%d %H:%M}"),
        ("报送时间", lambda r: f"{r.filed_at:%Y-%m-%d %H:%M}"),
    ]),
    "deadlines.DeadlineItem": (("rule",), [
        ("事项", lambda i: i.rule.name), ("截止日期", lambda i: _d(i.due_on)),
        ("状态", lambda i: i.get_status_display()),
        ("完成时间", lambda i: f"{i.done_at:%Y-%m-%d %H:%M}" if i.done_at else "未完成"),
    ]),
    "training.Enrolment": (("candidacy__person", "training_class"), [
        ("姓名", lambda e: e.candidacy.person.name), ("培训班", lambda e: e.training_class.name),
        ("考核日期", lambda e: _d(e.result_on)), ("结果", lambda e: e.get_result_display()),
    ]),
    "projects.ProjectDocking": (("project", "unit", "city"), [
        ("对接", str), ("拟推荐人数", lambda d: d.planned if d.planned is not None else "—"),
        ("登记时间", lambda d: f"{d.created_at:%Y-%m-%d}"),
    ]),
    "subsidies.ClaimStep": (("claim",), [
        ("申请", lambda s: f"{s.claim.get_phase_display()}（第{s.round}轮）"),
        ("退回时间", lambda s: f"{s.at:%Y-%m-%d}"), ("退回原因", lambda s: s.reason or "—"),
    ]),
    "training.SpotCheck": (("training_class",), [
        ("培训班", lambda s: s.training_class.name), ("抽查日期", lambda s: _d(s.checked_on)),
        ("结论", lambda s: s.get_outcome_display()),
    ]),
}


def score_records(score, user):
    """The records behind a computed figure that ``user`` may see, as table rows, and how
    many of them are outside the user's scope (counted, never shown)."""
    label, ids = score.sources.get("model"), score.sources.get("ids") or []
    if label not in DRILL:
        return [], [], 0
    related, columns = DRILL[label]
    model = django_apps.get_model(label)
    rows = list(visible(model.objects.filter(pk__in=ids), user).select_related(*related)
                .order_by("pk"))
    table = [[value(r) for _, value in columns] for r in rows]
    return [h for h, _ in columns], table, len(ids) - len(rows)


def public_grades(limit=200):
    """Published results only, for the public page (seed 002 第七条: 评估结果予以公示): the
    organisation, the year, the total and the grade; nothing a draft or an objection says."""
    from apps.evaluations.models import CardStatus
    return (Scorecard.objects.filter(status=CardStatus.PUBLISHED)
            .select_related("scheme", "unit", "agency")
            .order_by("-scheme__year", "scheme__kind", "-total", "pk")[:limit])
