"""Draft → objection window → answered → published, and the attacks on each step."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.evaluations import services
from apps.evaluations.models import (
    CardStatus, Consequence, ConsequenceKind, Criterion, Kind, Objection, ScoreChange, Scorecard,
)
from apps.orgs.models import AgencyStatus
from apps.workdays.calendar import add_working_days
from tests.conftest import pdf
from tests.evaluations.conftest import YEAR, enter_all, publish

pytestmark = pytest.mark.django_db


def test_agency_card_totals_the_seed_table(agency_card):
    """A1 in 2025: entered criteria full (55 points), computed ones from the records."""
    card = agency_card
    scores = {s.criterion.code: s.points for s in card.scores.select_related("criterion")}
    # 1 verified complaint → 3; 1 departure without contract → 4; 2 dockings → 10;
    # 4 departures (<100) → 0; 75% retained → 15. The grade Ⅱ accident vetoes the year.
    assert (scores["complaints"], scores["contracts"], scores["docking"],
            scores["departures"], scores["retention"]) == (3, 4, 10, 0, 15)
    assert card.total == Decimal("55") + 3 + 4 + 10 + 0 + 15
    assert card.vetoed and card.passed is False


def test_the_whole_flow_with_an_objection_answered(agency_card):
    from apps.accounts.models import User
    card = agency_card
    province = User.objects.get(username="province")
    agency = User.objects.get(username="agency_a1")
    card = services.scorecard_open(card, actor=province)
    due = add_working_days(timezone.localdate(), 5)
    assert (card.status, card.objection_due_on) == (CardStatus.OBJECTION, due.day)
    innovation = card.scheme.criteria.get(code="innovation")
    o = services.objection_file(card, actor=agency, criterion=innovation, text="创新做法有成效")
    # A doubled submission is refused; the province cannot close the window early.
    with pytest.raises(ValidationError):
        services.objection_file(card, actor=agency, criterion=innovation, text="创新做法有成效")
    with pytest.raises(ValidationError, match="异议期"):
        services.scorecard_conclude(card, actor=province)
    item = services.answer_items(o).get()
    assert (item.owner_role, item.due_on, item.status) == (
        "province", add_working_days(timezone.localdate(), 10).day, "open")
    services.objection_answer(o, actor=province, answer="材料不足，调整为8分", points=Decimal(8))
    item.refresh_from_db()
    assert item.status == "done"
    with pytest.raises(ValidationError):
        services.objection_answer(o, actor=province, answer="再答一次")
    services.scorecard_accept(card, actor=agency)
    with pytest.raises(ValidationError):   # the window is closed by the acceptance
        services.objection_file(card, actor=agency, criterion=None, text="补充异议")
    services.scorecard_conclude(card, actor=province)
    card = services.scorecard_publish(card, actor=province)
    assert card.status == CardStatus.PUBLISHED and card.published_at
    change = ScoreChange.objects.get(score__criterion=innovation, score__scorecard=card,
                                     reason__startswith="答复异议")
    assert (change.old_points, change.new_points, change.by) == (10, 8, province)
    kinds = set(card.consequences.values_list("kind", flat=True))
    assert ConsequenceKind.VETO in kinds and ConsequenceKind.FAIL in kinds
    with pytest.raises(ValidationError):
        services.scorecard_publish(card, actor=province)


def test_only_the_organisation_objects_and_only_within_the_window(agency_card):
    from apps.accounts.models import User
    province = User.objects.get(username="province")
    card = services.scorecard_open(agency_card, actor=province)
    for other in ("agency_a2", "unit_u1", "city_ty", "province"):
        with pytest.raises(PermissionDenied):
            services.objection_file(card, actor=User.objects.get(username=other),
                                    criterion=None, text="异议")
    agency = User.objects.get(username="agency_a1")
    with pytest.raises(ValidationError, match="2000"):
        services.objection_file(card, actor=agency, criterion=None, text="长" * 2001)
    Scorecard.objects.filter(pk=card.pk).update(
        objection_due_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="异议期已结束"):
        services.objection_file(card, actor=agency, criterion=None, text="迟到的异议")
    # The window over, the province closes it without the organisation's acceptance.
    assert services.scorecard_conclude(card, actor=province).status == CardStatus.ANSWERED


def test_a_year_is_scored_only_after_it_has_ended_and_with_a_locked_scheme(world):
    this_year = timezone.localdate().year
    scheme = services.scheme_create(actor=world.province, year=this_year, kind=Kind.UNIT)
    with pytest.raises(ValidationError, match="锁定"):
        services.scorecards_compute(scheme, actor=world.province)
    services.scheme_lock(scheme, actor=world.province)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.scorecards_compute(scheme, actor=world.province)
    assert not Scorecard.objects.exists()
    with pytest.raises(ValidationError, match="已锁定"):
        services.criterion_save(scheme, actor=world.province,
                                criterion=scheme.criteria.first(), points=Decimal(50))


def test_the_scheme_is_the_provinces_and_must_add_up(world):
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=world.city_ty, year=2025, kind=Kind.UNIT)
    scheme = services.scheme_create(actor=world.province, year=2025, kind=Kind.UNIT)
    with pytest.raises(ValidationError, match="已存在"):
        services.scheme_create(actor=world.province, year=2025, kind=Kind.UNIT)
    c = scheme.criteria.get(code="satisfaction")
    services.criterion_save(scheme, actor=world.province, criterion=c, points=Decimal(5))
    with pytest.raises(ValidationError, match="95"):
        services.scheme_lock(scheme, actor=world.province)
    with pytest.raises(ValidationError) as bad:
        services.criterion_save(scheme, actor=world.province, criterion=c, method="computed",
                                key="departures", rule={"bands": [{"min": 1, "points": 99}]})
    assert "rule" in bad.value.error_dict
    with pytest.raises(ValidationError) as bad:
        services.criterion_save(scheme, actor=world.province, criterion=c, method="computed",
                                key="no_such_thing", rule={"deduct": 1})
    assert "key" in bad.value.error_dict
    with pytest.raises(ValidationError):   # task completion is not an agency's figure
        agency_scheme = services.scheme_create(actor=world.province, year=2025,
                                               kind=Kind.AGENCY)
        services.criterion_save(agency_scheme, actor=world.province,
                                criterion=agency_scheme.criteria.get(code="departures"),
                                key="task_completion")
    copy = services.scheme_create(actor=world.province, year=2026, kind=Kind.UNIT,
                                  copy_from=scheme)
    assert copy.criteria.get(code="satisfaction").points == 5


def test_entered_scores_need_a_reason_evidence_and_the_right_scorer(year):
    w = year.w
    scheme = services.scheme_create(actor=w.province, year=YEAR, kind=Kind.UNIT)
    services.scheme_lock(scheme, actor=w.province)
    services.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, unit=w.u1)
    s = card.scores.get(criterion__code="satisfaction")
    with pytest.raises(ValidationError, match="0到10"):
        services.score_enter(s, actor=w.city_ty, points=Decimal(11), reason="好", evidence=pdf())
    with pytest.raises(ValidationError):
        services.score_enter(s, actor=w.city_ty, points=Decimal(8), reason=" ", evidence=pdf())
    with pytest.raises(ValidationError):
        services.score_enter(s, actor=w.city_ty, points=Decimal(8), reason="好",
                             evidence=SimpleUploadedFile("a.pdf", b"not a pdf"))
    for outsider in (w.city_dt, w.unit_u1, w.agency_a1):
        with pytest.raises(PermissionDenied):
            services.score_enter(s, actor=outsider, points=Decimal(8), reason="好",
                                 evidence=pdf())
    computed = card.scores.get(criterion__code="task")
    with pytest.raises(ValidationError, match="自动计算"):
        services.score_enter(computed, actor=w.province, points=Decimal(20), reason="好",
                             evidence=pdf())
    services.score_enter(s, actor=w.city_ty, points=Decimal(8), reason="问卷满意率80%",
                         evidence=pdf())
    s.refresh_from_db()
    assert (s.points, s.entered_by, s.evidence_type) == (8, w.city_ty, "application/pdf")
    with pytest.raises(ValidationError, match="尚有指标未评分"):
        services.scorecard_open(card, actor=w.province)


def test_a_published_score_changed_later_keeps_old_and_new(agency_card):
    from apps.accounts.models import User
    province = User.objects.get(username="province")
    card = services.scorecard_open(agency_card, actor=province)
    services.scorecard_accept(card, actor=User.objects.get(username="agency_a1"))
    services.scorecard_conclude(card, actor=province)
    card = services.scorecard_publish(card, actor=province)
    before = card.total
    score = card.scores.get(criterion__code="ledger")
    with pytest.raises(ValidationError):
        services.score_correct(score, actor=province, points=Decimal(4), reason="")
    services.score_correct(score, actor=province, points=Decimal(4), reason="复核发现台账缺两项")
    card.refresh_from_db()
    assert card.total == before - 6
    change = ScoreChange.objects.get(score=score, after_publication=True)
    assert (change.old_points, change.new_points) == (10, 4)
    from apps.audit.models import AuditEvent
    assert AuditEvent.objects.filter(action="evaluation", detail__contains="公布后改分").exists()


def test_two_failed_years_propose_withdrawal_and_the_province_decides(world):
    """A2 scores nothing entered in 2024 and 2025: two failed years in a row. The decision
    suspends the agency through orgs.services.agency_set_status; a refusal needs a reason."""
    cards = []
    for y in (2024, 2025):
        scheme = services.scheme_create(actor=world.province, year=y, kind=Kind.AGENCY)
        services.scheme_lock(scheme, actor=world.province)
        services.scorecards_compute(scheme, actor=world.province)
        card = Scorecard.objects.get(scheme=scheme, agency=world.a2)
        enter_all(card, world.province, points=Decimal(0))
        cards.append(publish(card, world, world.agency_a2))
    twice = Consequence.objects.get(scorecard=cards[1], kind=ConsequenceKind.FAIL_TWICE)
    assert not Consequence.objects.filter(scorecard=cards[0], kind=ConsequenceKind.FAIL_TWICE)
    with pytest.raises(PermissionDenied):
        services.consequence_decide(twice, actor=world.city_dt, approve=True)
    with pytest.raises(ValidationError):
        services.consequence_decide(twice, actor=world.province, approve=False, note="")
    services.consequence_decide(twice, actor=world.province, approve=True, note="取消资格两年")
    world.a2.refresh_from_db()
    assert world.a2.status == AgencyStatus.SUSPENDED
    with pytest.raises(ValidationError, match="已决定"):
        services.consequence_decide(twice, actor=world.province, approve=True)


def test_a_passing_score_proposes_its_reward_band_and_excellence_after_two_years(world):
    """A1 with full entered marks (55) and no 2025 records: complaints 5 + contracts 5 → 65
    points, 4万元 at the 60 band; the excellence rule needs volume it does not have."""
    scheme = services.scheme_create(actor=world.province, year=2025, kind=Kind.AGENCY)
    services.scheme_lock(scheme, actor=world.province)
    services.scorecards_compute(scheme, actor=world.province)
    card = Scorecard.objects.get(scheme=scheme, agency=world.a1)
    enter_all(card, world.province)
    card = publish(card, world, world.agency_a1)
    assert card.passed and card.total == Decimal("65")
    reward = Consequence.objects.get(scorecard=card, kind=ConsequenceKind.REWARD)
    assert reward.amount == Decimal("40000") and "4 万元" in reward.proposal
    assert not Consequence.objects.filter(scorecard=card, kind=ConsequenceKind.EXCELLENT)


def test_excellence_is_proposed_after_the_schemes_years_and_decided_by_the_province(world):
    """The province's 优秀 rule (here lowered to 60 points, no volume) met in 2024 and 2025:
    proposed on 2025's card only (2024 has no year before it)."""
    cards = []
    for y in (2024, 2025):
        scheme = services.scheme_create(actor=world.province, year=y, kind=Kind.AGENCY)
        services.scheme_update(scheme, actor=world.province, pass_mark=Decimal(60),
                               reward_bands=scheme.reward_bands,
                               excellence={"years": 2, "min_score": 60, "min_departures": 0,
                                           "min_retention": 0})
        services.scheme_lock(scheme, actor=world.province)
        services.scorecards_compute(scheme, actor=world.province)
        card = Scorecard.objects.get(scheme=scheme, agency=world.a1)
        enter_all(card, world.province)
        cards.append(publish(card, world, world.agency_a1))
    assert not cards[0].consequences.filter(kind=ConsequenceKind.EXCELLENT).exists()
    excellent = cards[1].consequences.get(kind=ConsequenceKind.EXCELLENT)
    services.consequence_decide(excellent, actor=world.province, approve=True)
    excellent.refresh_from_db()
    assert excellent.status == "approved" and excellent.decided_by == world.province
    world.a1.refresh_from_db()
    assert world.a1.status == AgencyStatus.RECOMMENDED   # a designation changes no status
