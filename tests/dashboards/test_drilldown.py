"""Issue 17, item 3: the dashboards filter by city, unit, agency and country, and every figure
links to the list of the records behind it, scoped like everything else."""
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from apps.accounts.scoping import visible
from apps.dashboards import selectors
from apps.dashboards.disclosure import TOTAL
from apps.dashboards.drilldown import FigureQuery
from apps.pipeline import selectors as pipeline
from tests.dashboards.records import dashboard_data

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture
def data(world):
    return dashboard_data(world)


def _query(url):
    return FigureQuery.from_params({k: v[0] for k, v in parse_qs(urlsplit(url).query,
                                                                  keep_blank_values=True).items()})


def _behind(user, url):
    return _query(url).apply(pipeline.candidacy_list(user)).count()


def _links(tables):
    for table in tables:
        for (r, i), url in table.links.items():
            row = table.total if r == TOTAL else table.rows[r]
            yield table.key, row, i, url


@pytest.mark.parametrize("who", ["province", "city_ty", "unit_u1", "agency_a1"])
def test_every_figure_links_to_exactly_the_people_it_counts(data, who):
    user = getattr(data, who)
    tables = selectors.dashboard(user, YEAR)
    linked = list(_links(tables))
    # Every table with counts of people links them (the province's: all eleven).
    expected = {t.key for t in tables if t.col_keys and any(
        r[i] for r in t.rows for i in t.counts if i in t.col_keys)}
    assert expected and {key for key, *_ in linked} == expected
    for key, row, i, url in linked:
        assert _behind(user, url) == row[i], (key, row[0], i)


def test_a_figures_list_names_what_it_shows_and_can_be_exported(data, client):
    client.force_login(data.province)
    city = {t.key: t for t in selectors.dashboard(data.province, YEAR)}["city"]
    row = next(r for r, cells in enumerate(city.rows) if cells[0] == "太原")
    url = city.links[(row, 8)]  # 太原's departures
    page = client.get(url).content.decode()
    assert "统计明细：2020年本年发生 · 输出 · 通过 · 太原" in unescape(page)
    assert page.count('<td><a href="/registry/persons/') == 10
    # The dashboard page itself carries the link on the number.
    body = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    assert f'<a href="{url.replace("&", "&amp;")}" title="查看这些人员">10</a>' in body
    export = client.get(reverse("pipeline:candidacy_export") + "?" + urlsplit(url).query)
    assert export.status_code == 200


def test_filters_narrow_every_table_to_the_chosen_organisation(data, client):
    """The province filtered on 太原 sees what 太原's own officer sees."""
    filtered = {t.key: t for t in selectors.dashboard(data.province, YEAR,
                                                      filters={"city": data.city_ty.city_id})}
    own = {t.key: t for t in selectors.dashboard(data.city_ty, YEAR)}
    assert [r[0] for r in filtered["city"].rows] == ["太原"]
    for key in ("funnel", "cohort", "country", "trade", "agency", "month", "stage_time"):
        assert filtered[key].rows == own[key].rows, key
    by_unit = {t.key: t for t in selectors.dashboard(data.province, YEAR,
                                                     filters={"unit": data.unit_u2.unit_id})}
    assert "city" not in by_unit and [r[0] for r in by_unit["unit"].rows] == ["太原学院"]
    assert {r[0]: r[1] for r in by_unit["country"].rows} == {"新加坡": 3}
    # A filtered figure's link keeps the filter: the list is the filtered figure's people.
    for key, row, i, url in _links(by_unit.values()):
        assert _behind(data.province, url) == row[i], (key, row[0])


def test_a_country_filter_keeps_the_departure_tables_and_says_which_are_left_off(data, client):
    client.force_login(data.province)
    response = client.get(reverse("dashboards:dashboard", args=[YEAR]), {"country": "新加坡"})
    tables = response.context["tables"]
    assert set(tables) == {"country", "trade", "agency", "month"}
    assert {r[0]: r[1] for r in tables["country"].rows} == {"新加坡": 3}
    notice = re.search(r'id="tables-left-off">(.*?)</p>', response.content.decode()).group(1)
    assert "各市任务完成情况" in notice and "输出国只在输出统计中记录" in notice
    for key, row, i, url in _links(tables.values()):
        assert _behind(data.province, url) == row[i], (key, row[0])
    export = client.get(reverse("dashboards:dashboard_export", args=[YEAR, "trade"]),
                        {"country": "新加坡"})
    assert export.status_code == 200
    assert client.get(reverse("dashboards:dashboard_export", args=[YEAR, "city"]),
                      {"country": "新加坡"}).status_code == 404


def test_a_filter_outside_the_users_scope_filters_nothing_and_shows_nothing_more(data, client):
    """A city officer forging 大同's pk: the choice is refused, the page stays its own."""
    client.force_login(data.city_ty)
    own = client.get(reverse("dashboards:dashboard", args=[YEAR])).context["tables"]
    foreign_city = data.city_dt.city_id
    response = client.get(reverse("dashboards:dashboard", args=[YEAR]),
                          {"city": foreign_city, "unit": data.unit_u3.unit_id})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or \
        response.context["form"].errors
    forged = response.context["tables"]
    assert {k: t.rows for k, t in forged.items()} == {k: t.rows for k, t in own.items()}
    # A forged drill-down link reads through the user's scope: 大同's people stay unseen.
    query = FigureQuery(year=YEAR, stage="departure", outcome="onward", city=foreign_city)
    page = client.get(query.url())
    assert page.status_code == 200 and '<td><a href="/registry/persons/' not in page.content.decode()


def test_the_observer_counts_but_gets_no_filters_and_no_links(data, client):
    client.force_login(data.observer)
    response = client.get(reverse("dashboards:dashboard", args=[YEAR]),
                          {"city": data.city_ty.city_id})
    assert response.context["form"] is None
    assert not any(t.links for t in response.context["tables"].values())
    assert "查看这些人员" not in response.content.decode()
    full = {t.key: t.rows for t in selectors.dashboard(data.observer, YEAR)}
    assert {k: t.rows for k, t in response.context["tables"].items()} == full


def test_a_malformed_link_is_not_read_as_a_wider_list(data, client):
    client.force_login(data.province)
    base = FigureQuery(year=YEAR, stage="medical", outcome="dropped").url()
    assert _behind(data.province, base) == 2
    for bad in ("f_year=abc", "f_stage=nope", "f_outcome=all", "f_month=2020-13-01"):
        query = FigureQuery.from_params(dict(p.split("=") for p in
                                             (urlsplit(base).query + "&" + bad).split("&")))
        assert query is None, bad
    response = client.get(base + "&f_unit=x")
    assert "统计明细" not in response.content.decode()


def test_filtered_dashboard_query_count_does_not_grow_with_the_filter(data, client,
                                                                     django_assert_max_num_queries):
    client.force_login(data.province)
    url = reverse("dashboards:dashboard", args=[YEAR])
    with django_assert_max_num_queries(50) as plain:
        client.get(url)
    with django_assert_max_num_queries(len(plain.captured_queries) + 3):
        client.get(url, {"city": data.city_ty.city_id, "agency": data.a1.pk})


def test_visible_scope_is_the_only_gate_of_a_drilldown(data):
    """The link's filter is applied on top of ``visible``: never instead of it."""
    query = FigureQuery(year=YEAR, source="departure")
    unit_sees = query.apply(pipeline.candidacy_list(data.unit_u2)).count()
    assert unit_sees == 3 == visible(
        pipeline.candidacy_list(data.unit_u2), data.unit_u2).filter(
        departed_on__year=YEAR).count()
