"""The scale generator, small: valid rows that the dashboards count like any others."""
from collections import Counter

import pytest
from django.core.management import call_command

from apps.dashboards import selectors
from apps.pipeline.models import Candidacy, Stage, StageEvent
from apps.registry.models import Person

pytestmark = pytest.mark.django_db


def test_generator_makes_a_consistent_pipeline(world):
    before = Person.objects.count()
    call_command("generate_scale", persons=300, events=3000, stdout=__import__("io").StringIO())
    made = Candidacy.objects.filter(created_by__username="scale_generator")
    assert Person.objects.count() - before == 300 and made.count() == 600
    events = StageEvent.objects.filter(candidacy__in=made)
    assert 2500 < events.count() < 3500
    # Every candidacy's events are the stages up to its current one, in order, dated forward.
    order = list(Stage)
    by_candidacy = {}
    for e in events.order_by("candidacy", "happened_on"):
        by_candidacy.setdefault(e.candidacy_id, []).append(e)
    for c in made:
        got = by_candidacy[c.pk]
        assert [e.stage for e in got] == order[:order.index(c.stage) + 1]
        assert got[-1].result == c.result and got[-1].happened_on == c.stage_on
        assert (c.departed_on is not None) == (order.index(c.stage) >= order.index(Stage.DEPARTURE))
    # A person has at most one open candidacy (the database's constraint held).
    assert Person.objects.get(id_hash__startswith="scale", name="测试1").candidacies.count() == 2
    # The generated ID decrypts to a valid number, masked on screen like any other.
    assert len(Person.objects.filter(id_hash__startswith="scale").first().id_number) == 18
    funnel = {r[0]: r for r in selectors.dashboard_table(world.province, 2021, "funnel").rows}
    counted = Counter(e.stage for e in StageEvent.objects.all() if e.happened_on.year == 2021)
    assert {Stage(s).label: n for s, n in counted.items() if s != Stage.RETURN} == {
        label: row[1] for label, row in funnel.items() if row[1]}
