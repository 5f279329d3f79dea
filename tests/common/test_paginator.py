"""Lists of a million rows are never counted whole: past the cap they show an estimate."""
import pytest
from django.urls import reverse

from apps.common.paginator import CappedPaginator
from apps.pipeline.services import candidacy_open
from apps.registry.models import Person
from tests.dashboards.records import _person

pytestmark = pytest.mark.django_db


def test_a_short_list_is_counted_exactly(world):
    paginator = CappedPaginator(Person.objects.order_by("pk"), 50)
    assert not paginator.capped and paginator.count == Person.objects.count()
    assert paginator.total_label("人") == f"共 {Person.objects.count()} 人"


def test_past_the_cap_the_lists_say_about_and_page_only_through_the_cap(
        world, client, monkeypatch, django_assert_max_num_queries):
    from datetime import date

    from apps.pipeline.models import Candidacy, CandidacyStatus
    for _ in range(3):
        c = candidacy_open(person=_person(world.unit_u1), project=world.project_a1,
                           actor=world.unit_u1)
        Candidacy.objects.filter(pk=c.pk).update(status=CandidacyStatus.ABROAD,
                                                 departed_on=date(2026, 5, 1))
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    client.force_login(world.province)
    # (The candidacy and person lists page by keyset, never counting:
    # tests/pipeline/test_list_keyset.py, tests/registry/test_person_keyset.py.)
    for name, unit in [("abroad:register", "人")]:
        with django_assert_max_num_queries(14):
            page = client.get(reverse(name)).content.decode()
        assert "约 " in page and f"仅列出前 2 {unit}，请用条件筛选" in page, name
        response = client.get(reverse(name), {"page": 99})
        assert len(response.context["page"].object_list) == 2, name  # only the first 2
    paginator = CappedPaginator(Person.objects.order_by("pk"), 1)
    paginator.cap = 2
    assert paginator.capped and paginator.num_pages == 2 and paginator.estimate >= 3
    # A filtered list under the cap is counted exactly again.
    one = Person.objects.filter(pk=Person.objects.order_by("pk").first().pk)
    assert CappedPaginator(one, 50).total_label("人") == "共 1 人"
