"""Done when: a scorecard computed from a seeded year, every computed criterion checked
against an independent recount of the records (plain Python over every row, not the
computation's queries)."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.abroad.terms import add_months
from apps.complaints.models import Complaint
from apps.deadlines.models import DeadlineItem
from apps.evaluations import computations, services
from apps.evaluations.computations import COMPUTATIONS, compute, points_for
from apps.evaluations.models import CardStatus, Kind, Scorecard
from apps.incidents.models import Incident, IncidentReport
from apps.pipeline.models import Candidacy, StageEvent
from apps.projects.models import ProjectDocking
from apps.quotas.models import Task
from apps.subsidies.models import ClaimStep
from apps.training.models import Enrolment, SpotCheck
from tests.evaluations.conftest import BJ, YEAR

pytestmark = pytest.mark.django_db


def _of(kind, org, row, unit_attr="unit_id", agency_attr="agency_id"):
    return getattr(row, unit_attr if kind == Kind.UNIT else agency_attr) == org.pk


def _departed(kind, org):
    return [c for c in Candidacy.objects.all()
            if c.departed_on and c.departed_on.year == YEAR and _of(kind, org, c)]


def recount(key, kind, org, today):
    """(count, value, ids) from first principles for each computation key."""
    dep = _departed(kind, org)
    if key == "departures":
        return len(dep), Decimal(len(dep)), sorted(c.pk for c in dep)
    if key == "task_completion":
        task = next(t.number for t in Task.objects.all() if t.year == YEAR and t.unit_id == org.pk)
        return len(dep), (Decimal(len(dep)) * 100 / task).quantize(Decimal("0.1")), \
            sorted(c.pk for c in dep)
    if key == "retention":
        cohort = [c for c in dep if add_months(c.departed_on, 6) <= today]
        kept = [c for c in cohort if c.returned_on is None
                or c.returned_on >= add_months(c.departed_on, 6)]
        if not cohort:
            return 0, None, []
        return len(kept), (Decimal(len(kept)) * 100 / len(cohort)).quantize(Decimal("0.1")), \
            sorted(c.pk for c in cohort)
    if key == "early_returns":
        rows = [c for c in Candidacy.objects.all() if _of(kind, org, c) and c.returned_on
                and c.returned_on.year == YEAR and c.return_kind == "early"]
    elif key == "contracts":
        signed = {e.candidacy_id for e in StageEvent.objects.all()
                  if e.stage == "contract" and e.result == "signed"}
        rows = [c for c in dep if c.pk not in signed]
    elif key == "complaints":
        rows = [c for c in Complaint.objects.all() if c.resolved_on and c.resolved_on.year == YEAR
                and c.outcome in ("upheld", "partly")
                and (c.respondent_unit_id if kind == Kind.UNIT else c.respondent_agency_id) == org.pk]
    elif key == "serious_incidents":
        rows = [i for i in Incident.objects.all() if i.occurred_at.astimezone(BJ).year == YEAR
                and i.grade <= 2 and _of(kind, org, i)]
    elif key == "late_reports":
        rows = [r for r in IncidentReport.objects.select_related("incident")
                if r.late and r.filed_at.astimezone(BJ).year == YEAR and _of(kind, org, r.incident)]
    elif key == "timeliness":
        now = timezone.now()
        rows = [i for i in DeadlineItem.objects.all() if i.due_on.year == YEAR
                and i.owner_role == kind and _of(kind, org, i)
                and (i.status == "done_late" or (i.status in ("open", "due_soon", "overdue")
                                                 and i.due_at < now and not i.paused_since))]
    elif key == "training_pass":
        assessed = [e for e in Enrolment.objects.select_related("training_class")
                    if e.result_on and e.result_on.year == YEAR and e.result in ("pass", "fail")
                    and _of(kind, org, e.training_class)]
        passed = sum(1 for e in assessed if e.result == "pass")
        if not assessed:
            return 0, None, []
        return passed, (Decimal(passed) * 100 / len(assessed)).quantize(Decimal("0.1")), \
            sorted(e.pk for e in assessed)
    elif key == "docking":
        rows = [d for d in ProjectDocking.objects.select_related("project")
                if d.created_at.astimezone(BJ).year == YEAR
                and (d.unit_id if kind == Kind.UNIT else d.project.agency_id) == org.pk]
    elif key == "claims_returned":
        rows = [s for s in ClaimStep.objects.select_related("claim") if s.action == "return"
                and s.at.astimezone(BJ).year == YEAR and s.claim.unit_id == org.pk]
    elif key == "falsified":
        rows = [s for s in SpotCheck.objects.select_related("training_class")
                if s.checked_on.year == YEAR and s.outcome in ("falsified", "serious")
                and s.training_class.unit_id == org.pk]
    else:
        raise AssertionError(f"no recount for {key}: add one")
    return len(rows), Decimal(len(rows)), sorted(r.pk for r in rows)


def test_the_seeded_year_gives_the_expected_figures(year):
    w, today = year.w, year.today
    u = lambda key: compute(key, Kind.UNIT, w.u1, YEAR, today)  # noqa: E731
    assert u("departures").count == 4                 # not 2024's, not the sentinel's
    assert u("task_completion").value == Decimal("80.0")   # 4 of 5
    assert (u("retention").value, u("retention").count) == (Decimal("75.0"), 3)  # 3 of 4
    assert u("early_returns").count == 2
    assert u("contracts").count == 1                  # December's, no 合同·签订
    assert u("complaints").count == 2                 # upheld + partly, 2025, against U1
    assert u("serious_incidents").count == 1
    assert u("late_reports").count == 2
    assert u("timeliness").count == 2                 # done late + open past due
    assert (u("training_pass").value, u("training_pass").count) == (Decimal("66.7"), 2)
    assert u("docking").count == 2
    assert u("falsified").count == 1
    assert u("claims_returned").count == 1            # 2025's return, not 2026's
    a = compute("complaints", Kind.AGENCY, w.a1, YEAR, today)
    assert a.count == 1


@pytest.mark.parametrize("kind", [Kind.UNIT, Kind.AGENCY])
def test_every_computed_criterion_matches_a_recount_of_the_records(year, kind):
    w = year.w
    own, other = (w.u1, w.u3) if kind == Kind.UNIT else (w.a1, w.a2)
    keys = [k for k, comp in COMPUTATIONS.items() if kind in comp.kinds]
    assert len(keys) == (13 if kind == Kind.UNIT else 10)
    for key in keys:
        for org in (own, other):
            figure = compute(key, kind, org, YEAR, year.today)
            if key == "task_completion" and org == other:
                # The sentinel unit has no 2025 task: said, never guessed.
                assert figure.value is None and "任务数未知" in figure.note
                continue
            count, value, ids = recount(key, kind, org, year.today)
            assert (figure.count, figure.value, sorted(figure.ids)) == (count, value, ids), key


def test_a_scorecard_computed_from_the_seeded_year(year):
    """The unit scheme copied from seed 002's example, locked, computed: each computed score
    is the recount scored by its rule, the vetoes fire, the card is not shown to the unit."""
    w = year.w
    scheme = services.scheme_create(actor=w.province, year=YEAR, kind=Kind.UNIT)
    services.scheme_lock(scheme, actor=w.province)
    services.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, unit=w.u1)
    assert card.status == CardStatus.DRAFT and card.city == w.ty
    scores = {s.criterion.code: s for s in card.scores.select_related("criterion")}
    assert len(scores) == scheme.criteria.count() == 15
    for s in scores.values():
        if not s.criterion.is_computed:
            assert s.points is None
            continue
        count, value, ids = recount(s.criterion.key, Kind.UNIT, w.u1, year.today)
        assert (s.count, s.value, sorted(s.sources["ids"])) == (count, value, ids)
    # Points by the seed's rules: 80% → 15 of 20; 75% kept → 10; 2 early → 3; 66.7% → 5;
    # 1 without contract → 4; 2 late items → 8; 2 late reports → 3; 2 dockings → 5;
    # 2 complaints → 1; the serious accident and the falsified check veto the year.
    got = {code: scores[code].points for code in
           ("task", "retention", "early", "training", "contracts", "timeliness",
            "late_reports", "docking", "complaints")}
    assert got == {"task": 15, "retention": 10, "early": 3, "training": 5, "contracts": 4,
                   "timeliness": 8, "late_reports": 3, "docking": 5, "complaints": 1}
    assert card.vetoed and "重大安全责任事故" in card.veto_note and "弄虚作假" in card.veto_note
    assert card.passed is False
    assert Scorecard.objects.filter(scheme=scheme).count() == 3   # every approved unit


def test_bands_and_deductions_follow_the_seed_wording():
    band = {"bands": [{"min": 100, "points": 3}, {"over": 200, "points": 8},
                      {"over": 300, "points": 10}]}
    f = lambda v: computations.Figure(Decimal(v), int(v), "x")  # noqa: E731
    assert [points_for(band, 10, f(v)) for v in (99, 100, 200, 201, 300, 301)] == \
        [0, 3, 3, 8, 8, 10]
    assert points_for({"deduct": 2}, 5, f(4)) == 0        # never below zero
    assert points_for({"bands": [{"min": 1, "points": 5}]}, 10,
                      computations.Figure(None, 0, "x")) == 0
