"""Each step of the yearly evaluation sent twice at once (real commits, real threads): an
objection, its answer, the publication, a consequence's decision. One effect each, the other
told in words; the rows a user counts (objections, answer items, score changes,
consequences, bars) are not doubled."""
from decimal import Decimal

import pytest

from apps.audit.models import AuditEvent
from apps.deadlines.models import DeadlineItem
from apps.evaluations import services
from apps.evaluations.models import (
    CardStatus, Consequence, ConsequenceKind, ConsequenceStatus, Objection, ScoreChange,
    Scorecard,
)
from tests.concurrency import at_once
from tests.evaluations.conftest import enter_all, year_card

pytestmark = pytest.mark.django_db(transaction=True)


def _refused(outcomes, words):
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all(o == "ValidationError" and words in m for o, m in outcomes if o != "ok"), outcomes


def _in_objection(w):
    scheme = services.scheme_create(actor=w.province, year=2025, kind="agency")
    services.scheme_lock(scheme, actor=w.province)
    services.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, agency=w.a1)
    enter_all(card, w.province)
    return services.scorecard_open(card, actor=w.province)


def test_an_objection_and_its_answer_each_sent_twice_at_once(world):
    card = _in_objection(world)
    criterion = card.scores.filter(criterion__method="entered").first().criterion
    outcomes = at_once(3, lambda: services.objection_file(
        Scorecard.objects.get(pk=card.pk), actor=world.agency_a1, criterion=criterion,
        text="现场检查当日台账已补齐").pk)
    _refused(outcomes, "相同的异议已提出")
    objection = Objection.objects.get(scorecard=card)
    assert DeadlineItem.objects.filter(subject_id=objection.pk, stage="answer").count() == 1

    outcomes = at_once(2, lambda: services.objection_answer(
        Objection.objects.get(pk=objection.pk), actor=world.province, answer="核实属实，改分",
        points=criterion.points - 1).pk)
    _refused(outcomes, "已答复")
    assert ScoreChange.objects.filter(score__scorecard=card,
                                      score__criterion=criterion).count() == 2  # entered, answer


def test_a_publication_and_a_decision_each_sent_twice_at_once(world):
    card = _in_objection(world)
    services.scorecard_accept(card, actor=world.agency_a1)
    services.scorecard_conclude(card, actor=world.province)
    outcomes = at_once(2, lambda: services.scorecard_publish(
        Scorecard.objects.get(pk=card.pk), actor=world.province).pk)
    _refused(outcomes, "不能进行此操作")
    card.refresh_from_db()
    assert card.status == CardStatus.PUBLISHED
    kinds = list(Consequence.objects.filter(scorecard=card).values_list("kind", flat=True))
    assert len(kinds) == len(set(kinds)) > 0

    failed = year_card(world, 2024, points=Decimal(0))  # a failed year: 不合格 proposed
    fail = failed.consequences.get(kind=ConsequenceKind.FAIL)
    outcomes = at_once(2, lambda: services.consequence_decide(
        Consequence.objects.get(pk=fail.pk), actor=world.province, approve=True).pk)
    _refused(outcomes, "已决定")
    fail.refresh_from_db()
    assert fail.status == ConsequenceStatus.APPROVED
    assert AuditEvent.objects.filter(action="evaluation", object_id=str(fail.pk),
                                     object_type__icontains="consequence").count() == 1
