"""Dashboard figures against the same numbers counted straight from the records."""
import io
import re
from collections import Counter

import pytest
from django.utils import timezone
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.dashboards import selectors
from apps.dashboards.disclosure import SUPPRESSED
from apps.dashboards.services import figures_recount
from apps.pipeline.models import Candidacy, CandidacyStatus, Stage, StageEvent
from apps.projects.models import JobProject, ProjectStatus
from apps.registry.models import PovertyStatus
from tests.dashboards.records import _people, dashboard_data

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture
def data(world):
    return dashboard_data(world)


def _by_label(table):
    return {row[0]: row for row in table.rows}


def test_progress_by_city_and_unit_equals_the_records(data):
    city = _by_label(selectors.dashboard_table(data.province, YEAR, "city"))
    departed = Counter(c.city.short_name for c in Candidacy.objects.select_related("city")
                       if c.departed_on and c.departed_on.year == YEAR)
    assert departed == {"太原": 10, "大同": 6}
    assert city["太原"][1] == 160 and city["太原"][8] == departed["太原"]
    assert city["大同"][8] == 6 and city["太原"][9] == round(100 * 10 / 160, 1)
    registered = Counter(e.candidacy.city.short_name for e in
                         StageEvent.objects.select_related("candidacy__city")
                         if e.stage == Stage.REGISTERED and e.happened_on.year == YEAR)
    assert city["太原"][2] == registered["太原"] == 13 and city["大同"][2] == 7
    unit = _by_label(selectors.dashboard_table(data.province, YEAR, "unit"))
    assert unit["山西大学"][1] == 40 and unit["山西大学"][8] == 7 and unit["太原学院"][8] == 3
    # 大同's unit has an unknown task: shown unknown, never a guess.
    assert unit[data.u3.name][1] is None and unit[data.u3.name][8] == 6


def test_funnel_shows_where_people_drop_out(data):
    funnel = _by_label(selectors.dashboard_table(data.province, YEAR, "funnel"))
    events = [e for e in StageEvent.objects.all() if e.happened_on.year == YEAR]
    for stage in selectors.FUNNEL_STAGES:
        label = Stage(stage).label
        here = [e for e in events if e.stage == stage]
        assert funnel[label][1] == len(here)
        assert funnel[label][2] == sum(e.result in selectors.ONWARD for e in here)
        assert funnel[label][3] == sum(e.result not in selectors.ONWARD for e in here)
    assert funnel["体检"][3] == 2  # the two who failed the medical
    assert funnel["初试"][4] == 1  # withdrew after the first interview
    withdrawn = Candidacy.objects.filter(status=CandidacyStatus.WITHDRAWN).count()
    assert sum(row[4] for row in funnel.values()) == withdrawn == 1
    assert funnel["报名"][2] == 20 and funnel["输出"][2] == 16
    assert funnel["输出"][5] == 80.0


def test_departures_by_country_trade_agency_month_and_poverty(data):
    departed = [c for c in Candidacy.objects.select_related("agency", "person")
                if c.departed_on and c.departed_on.year == YEAR]
    for key, of in [("country", lambda c: c.country), ("trade", lambda c: c.departure_trade),
                    ("agency", lambda c: c.agency.name),
                    ("month", lambda c: f"{c.departed_on:%Y-%m}")]:
        table = selectors.dashboard_table(data.province, YEAR, key)
        assert {r[0]: r[1] for r in table.rows} == Counter(map(of, departed)), key
        assert table.total[1] == len(departed)
    poverty = _by_label(selectors.dashboard_table(data.province, YEAR, "poverty"))
    lifted = sum(c.person.poverty_status == PovertyStatus.LIFTED for c in departed)
    assert poverty["脱贫劳动力"][3] == lifted == 2
    assert poverty["脱贫劳动力"][4] == round(100 * lifted / len(departed), 1)


def test_time_in_each_stage(data):
    table = _by_label(selectors.dashboard_table(data.province, YEAR, "stage_time"))
    # 太原: 10 days between stages; 大同: 15 days.
    medical = table["初试 → 体检"]
    assert medical[1] == 10 + 2 + 6
    assert medical[2] == round((12 * 10 + 6 * 15) / 18, 1) and medical[3] == 15


def test_city_sees_its_city_unit_itself_agency_its_projects(data):
    city = selectors.dashboard(data.city_ty, YEAR)
    keys = {t.key: t for t in city}
    assert set(_by_label(keys["city"])) == {"太原"}
    assert keys["funnel"].rows[-1][2] == 10  # 太原's departures only
    unit = {t.key: t for t in selectors.dashboard(data.unit_u2, YEAR)}
    assert "city" not in unit and set(_by_label(unit["unit"])) == {"太原学院"}
    assert {r[0]: r[1] for r in unit["country"].rows} == {"新加坡": 3}
    agency = {t.key: t for t in selectors.dashboard(data.agency_a2, YEAR)}
    assert {r[0] for r in agency["project"].rows} == {"新加坡建筑项目"}
    assert agency["agency"].total[1] == 6 and "unit" not in agency


def test_observer_gets_aggregates_with_small_cells_suppressed(data, client):
    tables = {t.key: t for t in selectors.dashboard(data.observer, YEAR)}
    funnel = _by_label(tables["funnel"])
    assert funnel["体检"][3] is None and funnel["初试"][4] is None  # 2 and 1: under 5
    # The task numbers are plans, not people: never hidden. Nor is what protects nothing:
    # the cities' departures and the agencies' (no hidden cell depends on them).
    city = _by_label(tables["city"])
    assert city["太原"][1] == 160 and city["太原"][8] == 10 and city["大同"][8] == 6
    agency = _by_label(tables["agency"])
    assert agency[data.a1.name][1] == 10 and agency[data.a2.name][1] == 6
    trade = _by_label(tables["trade"])
    # 3 people: hidden, and with it a further cell, or 合计 minus the rest would give it back.
    assert trade["建筑"][1] is None
    assert sum(r[1] is None for r in tables["trade"].rows + [tables["trade"].total]) >= 2
    poverty = _by_label(tables["poverty"])
    assert poverty["脱贫劳动力"][3] is None and poverty["脱贫劳动力"][4] is None
    client.force_login(data.observer)
    page = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    assert f"<td class=\"num\">{SUPPRESSED}</td>" in page and "测试3" not in page and "山西大学" in page
    for row in tables["city"].rows + tables["funnel"].rows:
        assert all(v is None or not isinstance(v, int) or v == 0 or v >= 5 for v in row[1:])


def test_province_page_shows_progress_and_funnel(data, client):
    client.force_login(data.province)
    # The index opens on the current year (issue 16), not the latest year with tasks.
    response = client.get(reverse("dashboards:dashboard_index"))
    assert response["Location"] == reverse("dashboards:dashboard",
                                           args=[timezone.localdate().year])
    page = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    for text in ("各市任务完成情况", "各组织单位任务完成情况", "各环节人数（漏斗）", "太原", "大同",
                 "vendor/echarts/echarts.min.js", 'id="dashboard-charts"', "脱贫劳动力"):
        assert text in page


@pytest.mark.parametrize("role", ["province", "observer"])
def test_dashboard_query_count_is_independent_of_data(world, client, role,
                                                     django_assert_max_num_queries):
    client.force_login(getattr(world, role))
    url = reverse("dashboards:dashboard", args=[YEAR])
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    JobProject.objects.filter(pk=world.project_a2.pk).update(status=ProjectStatus.PUBLISHED)
    _people(world, unit_user=world.unit_u1, agency_user=world.agency_a1,
            project=world.project_a1, departed=4, failed_medical=2)
    _people(world, unit_user=world.unit_u3, agency_user=world.agency_a2,
            project=world.project_a2, departed=3, country="德国")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_export_matches_the_table_and_is_formula_safe(data, client):
    Candidacy.objects.filter(country="新加坡").update(country="=HYPERLINK(\"x\")")
    figures_recount()
    client.force_login(data.province)
    response = client.get(reverse("dashboards:dashboard_export", args=[YEAR, "country"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
             for r in range(4, ws.max_row + 1)}
    assert cells == {"日本": 13, "=HYPERLINK(\"x\")": 3, "合计": 16}
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(4, ws.max_row + 1))
    client.force_login(data.observer)
    response = client.get(reverse("dashboards:dashboard_export", args=[YEAR, "funnel"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert SUPPRESSED in values and 2 not in values and 1 not in values


def test_page_says_the_figures_are_live_and_when_they_were_last_checked(data, client):
    client.force_login(data.province)
    url = reverse("dashboards:dashboard", args=[YEAR])
    assert "尚未核对" in client.get(url).content.decode()
    figures_recount()
    page = client.get(url).content.decode()
    assert "数据随录入实时更新" in page and "最近一次核对于" in page and "尚未核对" not in page


def test_a_long_table_shows_its_first_rows_and_exports_them_all(data, client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_ROWS", 1)
    JobProject.objects.filter(pk=data.project_a1.pk).update(status=ProjectStatus.PUBLISHED)
    table = selectors.dashboard_table(data.province, YEAR, "project")
    assert len(table.rows) == 2 and len(table.shown_on_page) == 1 and table.cut == 1
    client.force_login(data.province)
    page = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    assert "另有 1 行未在页面显示" in page
    response = client.get(reverse("dashboards:dashboard_export", args=[YEAR, "project"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert {ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)} == {
        data.project_a1.name, data.project_a2.name}


def test_table_cells_are_escaped_on_the_page(data, client):
    Candidacy.objects.filter(country="新加坡").update(country="<b>新加坡</b>")
    figures_recount()
    client.force_login(data.province)
    page = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    assert "&lt;b&gt;新加坡&lt;/b&gt;" in page and "<b>新加坡</b>" not in page
    # The count links to its people (issue 17); the country in the link is URL-encoded.
    assert re.search(r'<td>日本</td><td class="num"><a href="[^"<>]*" title="查看这些人员">13</a></td>',
                     page)
    assert "f_country=%3Cb%3E" in page


def test_a_second_view_reads_the_kept_sums_until_a_figure_changes(data, client):
    client.force_login(data.city_ty)
    url = reverse("dashboards:dashboard", args=[YEAR])
    first = client.get(url)
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url)
    assert first.context["tables"]["city"].rows == second.context["tables"]["city"].rows
    sums = [q["sql"] for q in second_queries.captured_queries if "GROUP BY" in q["sql"]]
    assert not any("dashboards_eventfigure" in sql for sql in sums)
    before = _by_label(second.context["tables"]["unit"])["山西大学"][8]
    _people(data, unit_user=data.unit_u1, agency_user=data.agency_a1,
            project=data.project_a1, departed=1)
    # No recount: the write changed the figures' version, the kept sums are not read.
    after = _by_label(client.get(url).context["tables"]["unit"])["山西大学"][8]
    assert after == before + 1


def test_funnel_by_cohort_follows_one_years_registrants(data, client):
    """Registered in November 2020, departed in 2021: the event funnel counts their departure
    in 2021, the cohort funnel under 2020, the year they registered."""
    from datetime import date
    _people(data, unit_user=data.unit_u2, agency_user=data.agency_a1, project=data.project_a1,
            departed=5, start=date(2020, 11, 20), step_days=15)
    # No recount: the cohort figures are kept on write like the others.
    event_2020 = _by_label(selectors.dashboard_table(data.province, 2020, "funnel"))
    cohort_2020 = _by_label(selectors.dashboard_table(data.province, 2020, "cohort"))
    event_2021 = _by_label(selectors.dashboard_table(data.province, 2021, "funnel"))
    cohort_2021 = _by_label(selectors.dashboard_table(data.province, 2021, "cohort"))
    registered_2020 = Candidacy.objects.filter(events__stage=Stage.REGISTERED,
                                               events__happened_on__year=2020)
    assert cohort_2020["报名"][2] == event_2020["报名"][2] == registered_2020.count() == 25
    departed = registered_2020.filter(departed_on__isnull=False)
    assert cohort_2020["输出"][2] == departed.count() == 21
    assert event_2020["输出"][2] == departed.filter(departed_on__year=2020).count() == 16
    assert event_2021["输出"][2] == 5 and cohort_2021["输出"][2] == 0
    assert cohort_2020["输出"][4] == round(100 * 21 / 25, 1)
    client.force_login(data.province)
    page = client.get(reverse("dashboards:dashboard", args=[2020])).content.decode()
    assert "按环节发生日期" in page and "按报名年度，本年报名的人员至今走到哪一步" in page


def test_the_observer_cohort_funnel_hides_what_the_event_funnel_hides(data):
    tables = {t.key: t for t in selectors.dashboard(data.observer, YEAR)}
    funnel, cohort = _by_label(tables["funnel"]), _by_label(tables["cohort"])
    # The same people (registered in 2020) in both: hidden in both or shown in both.
    assert (funnel["报名"][2] is None) == (cohort["报名"][2] is None)
    assert cohort["体检"][3] is None  # two failed the medical: under 5
    for row in tables["cohort"].rows:
        assert all(v is None or not isinstance(v, int) or v == 0 or v >= 5 for v in row[1:4])
