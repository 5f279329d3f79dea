"""Parallel writers of the same figure (same city, unit, stage, result) lose no update."""
from datetime import date

import pytest
from django.db.models import Sum

from apps.dashboards.models import EventFigure
from apps.dashboards.services import figures_recount
from apps.pipeline.models import Candidacy, Result, Stage
from apps.pipeline.services import candidacy_open, candidacy_record
from tests.concurrency import at_once
from tests.dashboards.records import _person

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 8


def _passed(unit):
    return EventFigure.objects.filter(year=2020, unit=unit, stage=Stage.FIRST_INTERVIEW,
                                      result=Result.PASS).aggregate(n=Sum("n"))["n"] or 0


def test_eight_writers_of_one_figure_at_once_all_count(world):
    made = [candidacy_open(person=_person(world.unit_u1), project=world.project_a1,
                           actor=world.unit_u1, on=date(2020, 3, 2)) for _ in range(WRITERS)]
    ids = iter([c.pk for c in made])
    before = _passed(world.u1)

    def record():
        c = Candidacy.objects.get(pk=next(ids))
        return candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                                on=date(2020, 3, 9), actor=world.agency_a1).pk

    outcomes = at_once(WRITERS, record)
    assert [o for o, _ in outcomes] == ["ok"] * WRITERS, outcomes
    assert _passed(world.u1) == before + WRITERS
    assert figures_recount().differences == 0


def test_writers_during_a_recount_are_neither_lost_nor_counted_twice(world):
    made = [candidacy_open(person=_person(world.unit_u1), project=world.project_a1,
                           actor=world.unit_u1, on=date(2020, 3, 2)) for _ in range(WRITERS)]
    ids = iter([c.pk for c in made])

    def one():
        pk = next(ids, None)
        if pk is None:
            return figures_recount() and "recount"
        return candidacy_record(Candidacy.objects.get(pk=pk), stage=Stage.FIRST_INTERVIEW,
                                result=Result.PASS, on=date(2020, 3, 9),
                                actor=world.agency_a1).pk

    outcomes = at_once(WRITERS + 1, one)
    assert [o for o, _ in outcomes] == ["ok"] * (WRITERS + 1), outcomes
    assert _passed(world.u1) == WRITERS
    assert figures_recount().differences == 0
