"""The candidacy list at a million rows: pages by keyset on (stage_on, id), counts nothing."""
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.scoping import visible
from apps.pipeline import views
from apps.pipeline.models import Candidacy
from apps.pipeline.services import candidacy_open
from tests.dashboards.records import _person

pytestmark = pytest.mark.django_db


def _walk(client, params=None):
    """Follow 下一页 to the end: the rows of every page, and the queries of each page."""
    url, seen, queries = reverse("pipeline:candidacy_list"), [], []
    params = dict(params or {})
    while True:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200
        queries.append([q["sql"] for q in captured.captured_queries])
        seen += [c.pk for c in response.context["page"]]
        found = re.search(r'after=([0-9-]+\.[0-9]+)">下一页', response.content.decode())
        if not found:
            return seen, queries, response
        params["after"] = found.group(1)


@pytest.fixture
def many(world, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for i, (unit, day) in enumerate([(world.unit_u1, 3), (world.unit_u1, 3), (world.unit_u2, 5),
                                     (world.unit_u3, 3), (world.unit_u1, 7)]):
        candidacy_open(person=_person(unit), project=world.project_a1, actor=unit,
                       on=date(2026, 2, day))
    return world


@pytest.mark.parametrize("who", ["province", "city_ty", "unit_u1", "agency_a1"])
def test_every_row_the_user_may_see_once_in_the_lists_order(many, client, who):
    user = getattr(many, who)
    client.force_login(user)
    seen, queries, _ = _walk(client)
    expected = list(visible(Candidacy.objects.all(), user).order_by("-stage_on", "-id")
                    .values_list("pk", flat=True))
    assert len(expected) >= 3 and seen == expected
    # No page counts the list, and every page costs the same number of queries.
    assert not any("COUNT(" in sql.upper() and "pipeline_candidacy" in sql
                   for page in queries for sql in page)
    assert len({len(page) for page in queries[1:]}) == 1


def test_a_filter_pages_through_its_rows_only(many, client):
    client.force_login(many.province)
    seen, _, last = _walk(client, {"unit": many.u1.pk})
    assert set(seen) == set(Candidacy.objects.filter(unit=many.u1).values_list("pk", flat=True))
    assert "回到第一页" in last.content.decode()


def test_the_whole_list_on_one_page_is_counted_and_a_bad_cursor_is_the_first_page(
        many, client, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 50)
    client.force_login(many.city_ty)
    n = visible(Candidacy.objects.all(), many.city_ty).count()
    assert f"共 {n} 条" in client.get(reverse("pipeline:candidacy_list")).content.decode()
    response = client.get(reverse("pipeline:candidacy_list"), {"after": "2026-13-99.x'--"})
    assert response.status_code == 200 and f"共 {n} 条" in response.content.decode()
