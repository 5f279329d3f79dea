"""Attacks on the observer's suppression, made on what the observer receives: the page's
tables, its chart data and every xlsx export, parsed back. The attacker's relations are
built here from the published structure (every 合计 row, the funnel's row identity, the same
quantity in two tables, a city and its units), independently of ``disclosure``; the solver
substitutes the shown values until nothing more is learnt, subtracting nested relations too."""
import io
import json
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.dashboards import selectors
from apps.dashboards.disclosure import SUPPRESSED, pinned
from apps.dashboards.services import figures_recount
from apps.orgs.models import OrganisingUnit, UnitCategory
from apps.pipeline.models import Candidacy, Stage, StageEvent
from apps.projects.models import JobProject, ProjectStatus
from apps.quotas.models import Task
from tests.dashboards.records import _people, dashboard_data

pytestmark = pytest.mark.django_db
YEAR = 2020
FUNNEL = [Stage(s).label for s in selectors.FUNNEL_STAGES]


class _Page(HTMLParser):
    """The dashboard's tables as {key: {"headers", "rows", "total"}} of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.part, self.row, self.cell = {}, None, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("table-"):
            self.current = self.tables.setdefault(attrs["id"][6:], {"headers": [], "rows": [],
                                                                    "total": None})
        elif self.current is not None and tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.part == "thead":
                self.current["headers"] = self.row
            elif self.part == "tfoot":
                self.current["total"] = self.row
            elif len(self.row) > 1:  # not the "暂无数据" row
                self.current["rows"].append(self.row)
            self.row = None
        elif tag == "section":
            self.current = None


def _number(text):
    try:
        return float(text) if "." in str(text) else int(text)
    except (TypeError, ValueError):
        return None


def _as_read(value):
    """A cell as a reader takes it: a number (20 and "20.0" alike) or its text."""
    number = _number(str(value))
    return str(value) if number is None else number


def fetch_as(client, user):
    """What ``user`` receives: the page's tables, its chart data, and every table's export."""
    client.force_login(user)
    page = client.get(reverse("dashboards:dashboard", args=[YEAR])).content.decode()
    parser = _Page()
    parser.feed(page)
    charts = json.loads(page.split('id="dashboard-charts" type="application/json">')[1]
                        .split("</script>")[0])
    exports = {}
    for key in parser.tables:
        response = client.get(reverse("dashboards:dashboard_export", args=[YEAR, key]))
        ws = load_workbook(io.BytesIO(response.content)).active
        exports[key] = [[ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
                        for r in range(4, ws.max_row + 1)]
    return parser.tables, charts, exports


def cells_of(tables):
    """{(table, row or "total", header): text}: every published cell, the 合计 row too."""
    out = {}
    for key, t in tables.items():
        for r, row in list(enumerate(t["rows"])) + ([("total", t["total"])] if t["total"] else []):
            for header, text in zip(t["headers"][1:], row[1:]):
                out[(key, r, header)] = text
    return out


def attacker_relations(tables, unit_city):
    """Each relation: [(cell, coefficient)] summing to zero, built from the page's structure."""
    rel = []
    row_of = {key: {row[0]: r for r, row in enumerate(t["rows"])} for key, t in tables.items()}
    for key, t in tables.items():  # every column and its 合计 (rates and days do not add up)
        if t["total"]:
            for header in t["headers"][1:]:
                if "%" not in header and "天数" not in header:
                    rel.append([((key, "total", header), 1)] + [
                        ((key, r, header), -1) for r in range(len(t["rows"]))])
    funnel = row_of.get("funnel", {})
    for label, r in funnel.items():  # 参加 = 通过 + 未通过
        rel.append([(("funnel", r, "参加人数"), 1), (("funnel", r, "通过"), -1),
                    (("funnel", r, "未通过/未参加"), -1)])
    same = []  # the same quantity in two tables
    for label, r in funnel.items():
        same.append([("funnel", r, "通过"), ("city", "total", label)])
    departed = [("funnel", funnel.get("输出"), "通过"), ("poverty", "total", "输出")] + [
        (key, "total", "输出人数") for key in ("country", "trade", "agency", "month")]
    same += [departed, [("funnel", funnel.get("报名"), "通过"), ("poverty", "total", "报名")]]
    for label, r in row_of.get("stage_time", {}).items():
        after = label.split(" → ")[1]
        if after in funnel:
            same.append([("stage_time", r, "人数"), ("funnel", funnel[after], "参加人数")])
    for cells in same:
        rel += [[(a, 1), (b, -1)] for a, b in zip(cells, cells[1:])]
    for city, r in row_of.get("city", {}).items():  # a city is its units (public unit list)
        units = [u for name, u in row_of.get("unit", {}).items() if unit_city.get(name) == city]
        for label in FUNNEL:  # and its people of no unit (city channel), never shown
            rel.append([(("city", r, label), 1), (("channel", city, label), -1)]
                       + [(("unit", u, label), -1) for u in units])
    for label in FUNNEL:  # all units and all the city channels: everyone
        rel.append([(("city", "total", label), 1), (("unit", "total", label), -1)] + [
            (("channel", city, label), -1) for city in row_of.get("city", {})])
    return rel


def solve(relations, known):
    """Substitute known values into every relation; a relation with one unknown left gives
    it; a relation whose unknowns are within another's is subtracted from it. Until no new
    value comes. Returns the values learnt."""
    learnt = dict(known)
    rows = relations
    while True:
        reduced = []
        for rel in rows:
            unknown, const = {}, 0
            for cell, coef in rel:
                if cell in learnt:
                    const += coef * learnt[cell]
                else:
                    unknown[cell] = unknown.get(cell, 0) + coef
            unknown = {c: v for c, v in unknown.items() if v}
            if unknown:
                reduced.append((unknown, const))
        new = {}
        for unknown, const in reduced:
            if len(unknown) == 1:
                (cell, coef), = unknown.items()
                new[cell] = -const / coef
        for a, ca in reduced:  # nested: b − a leaves b's other unknowns
            for b, cb in reduced:
                if a is not b and set(a) < set(b) and all(b[c] == a[c] for c in a):
                    rest = {c: v for c, v in b.items() if c not in a}
                    if len(rest) == 1:
                        (cell, coef), = rest.items()
                        new[cell] = -(cb - ca) / coef
        new = {c: v for c, v in new.items() if c not in learnt}
        if not new:
            return learnt
        learnt.update(new)


def check_observer_receives_nothing_recoverable(client, world):
    tables, charts, exports = fetch_as(client, world.observer)
    cells = cells_of(tables)
    counts = {c: t for c, t in cells.items() if "%" not in c[2] and "天数" not in c[2]
              and c[2] != "任务数"}
    hidden = {c for c, t in counts.items() if t == SUPPRESSED}
    # (a) no count of 1–4 people anywhere: tables, 合计 rows, chart series, exports.
    for cell, text in counts.items():
        assert text == SUPPRESSED or _number(text) in (0, None) or _number(text) >= 5, cell
    for key, t in tables.items():
        # The export is the page's table, cell for cell (the same hidden cells and marks).
        shown = t["rows"] + ([t["total"]] if t["total"] else [])
        assert [[_as_read(v) for v in row] for row in exports[key]] == [
            [_as_read(v) for v in row] for row in shown], key
        # Every chart series is a column of the table as shown: a hidden cell is null there.
        for name, series in charts.get(key, {}).items():
            if name == "names":  # the series' names: the table's own headers
                assert set(series.values()) <= set(t["headers"]), key
                continue
            columns = [[row[c] for row in t["rows"]] for c in range(len(t["headers"]))]
            assert any(len(col) == len(series) and all(
                x in ("—", SUPPRESSED) if v is None else str(v) == x
                for v, x in zip(series, col)) for col in columns), (key, name)
            assert all(v is None or not isinstance(v, int) or v == 0 or v >= 5 or name == "task"
                       for v in series), (key, name)
    # A rate or a time is shown only when the counts it is made of are.
    # (numerator and denominator: the row's count, the 合计's, the funnel's first stage).
    sources = {"完成率%": [(None, "输出")], "占输出%": [(None, "输出"), ("total", "输出")],
               "占报名%": [(None, "通过"), (0, "通过"), (None, "报名"), ("total", "报名")],
               "平均天数": [(None, "人数")], "最长天数": [(None, "人数")]}
    for (key, r, header), text in cells.items():
        if header in sources and _number(text) is not None:
            for row, source in sources[header]:
                assert cells.get((key, r if row is None else row, source)) != SUPPRESSED, (
                    key, r, header)
    # (b) the attacker's solver pins no hidden cell, nor a city's people of no unit when
    # they are 1–4 (when there are none, the attacker guesses it and is right: known).
    unit_city = {u.name: u.city.short_name  # the public unit list says where each unit is
                 for u in OrganisingUnit.objects.select_related("city")}
    known = {c: _number(t) for c, t in cells.items() if _number(t) is not None}
    for city in (world.ty, world.dt):
        for stage, label in zip(selectors.FUNNEL_STAGES, FUNNEL):
            n = StageEvent.objects.filter(
                candidacy__city=city, candidacy__unit__isnull=True, stage=stage,
                result__in=selectors.ONWARD, happened_on__year=YEAR).count()
            if n == 0:
                known[("channel", city.short_name, label)] = 0
            elif n < 5:
                hidden.add(("channel", city.short_name, label))
    relations = attacker_relations(tables, unit_city)
    learnt = solve(relations, known)
    assert not (set(learnt) & hidden), sorted(set(learnt) & hidden, key=repr)
    # The same relations solved exactly (linear algebra): no hidden cell is fixed either.
    relations = [[(c, k) for c, k in rel if c in cells or c[0] == "channel"]
                 for rel in relations]
    hidden = {c for c in hidden if c in cells} | {
        c for c in hidden if c[0] == "channel"}
    hidden -= set(known)
    assert not (pinned(relations, hidden) & hidden)
    return tables, hidden


def _world(world, *groups):
    JobProject.objects.filter(pk=world.project_a2.pk).update(status=ProjectStatus.PUBLISHED)
    for unit, agency, project, kwargs in groups:
        kwargs = dict(kwargs)
        no_unit = kwargs.pop("no_unit", False)
        made = _people(world, unit_user=getattr(world, unit), agency_user=getattr(world, agency),
                       project=getattr(world, project), **kwargs)
        if no_unit:  # people the city registered itself (the city channel): no unit
            Candidacy.objects.filter(pk__in=[c.pk for c in made]).update(unit=None)
    figures_recount()
    return world


TY1 = ("unit_u1", "agency_a1", "project_a1")
TY2 = ("unit_u2", "agency_a1", "project_a1")
DT3 = ("unit_u3", "agency_a2", "project_a2")
WORLDS = {
    # 大同 has one unit, and it is small: the city row is that unit's row.
    "one_small_unit_in_a_city": [(*TY1, {"departed": 8}), (*TY2, {"departed": 6}),
                                 (*DT3, {"departed": 3, "start": date(2020, 6, 1)})],
    # One small cell in a funnel row (2 failed the medical) beside large ones.
    "row_with_one_small_cell": [(*TY1, {"departed": 9, "failed_medical": 2}),
                                (*DT3, {"departed": 6})],
    # Two small countries in one column, with a large one.
    "column_with_two_small_cells": [
        (*TY1, {"departed": 7}), (*TY2, {"departed": 3, "country": "新加坡"}),
        (*DT3, {"departed": 2, "country": "德国", "departure_trade": "护理"})],
    # 3 people of 太原 come through the city itself (no unit): 太原 minus its units.
    "city_channel_people": [(*TY1, {"departed": 8}), (*TY2, {"departed": 3, "no_unit": True}),
                            (*DT3, {"departed": 6})],
    # Every total under 5.
    "total_under_five": [(*TY1, {"departed": 3, "withdrawn": 1})],
}


@pytest.mark.parametrize("shape", list(WORLDS))
def test_observer_cannot_recover_a_suppressed_cell(world, client, shape):
    tables, hidden = check_observer_receives_nothing_recoverable(client,
                                                                 _world(world, *WORLDS[shape]))
    assert hidden  # each of these worlds has small cells to hide


def test_observer_cannot_recover_a_suppressed_cell_of_the_seed_world(world, client):
    tables, hidden = check_observer_receives_nothing_recoverable(client, dashboard_data(world))
    # 3 to 建筑 beside 13 unnamed: both hidden (or 合计 minus 13 gives 3 back).
    trade = {row[0]: row[1] for row in tables["trade"]["rows"]}
    assert trade["建筑"] == SUPPRESSED and SUPPRESSED in list(trade.values()) + [
        tables["trade"]["total"][1]] and list(trade.values()).count(SUPPRESSED) >= 2


def test_a_city_row_equal_to_its_only_unit_is_hidden_alike(world, client):
    _world(world, *WORLDS["one_small_unit_in_a_city"])
    tables, _ = check_observer_receives_nothing_recoverable(client, world)
    city = {row[0]: row for row in tables["city"]["rows"]}
    unit = {row[0]: row for row in tables["unit"]["rows"]}
    # 3 people in 大同, all of them at its one unit: hidden in both tables, every stage.
    assert set(city["大同"][2:9]) == {SUPPRESSED} and set(unit[world.u3.name][2:9]) == {SUPPRESSED}


def test_other_roles_keep_their_exact_figures(world, client):
    dashboard_data(world)
    tables, charts, exports = fetch_as(client, world.province)
    trade = {row[0]: row[1] for row in tables["trade"]["rows"]}
    assert trade == {"建筑": "3", "介护": "13"} and tables["trade"]["total"][1] == "16"
    assert exports["trade"][-1] == ["合计", 16] and 3 in charts["trade"]["values"]
    assert SUPPRESSED not in {t for c, t in cells_of(tables).items()}
    city_tables, _, _ = fetch_as(client, world.city_ty)
    funnel = {row[0]: row for row in city_tables["funnel"]["rows"]}
    assert funnel["体检"][3] == "2"  # the two who failed the medical, in the city's own view


def test_the_solver_of_this_file_finds_what_a_plain_rule_leaves():
    """The attacker is real: against the old rule (hide 1–4 only) it gives the hidden cells
    back by subtraction, also through a total that another table shows."""
    row = [(("t", 0, "n"), 1), (("t", 1, "n"), 1), (("t", "total", "n"), -1)]
    assert solve([row], {("t", 1, "n"): 13, ("t", "total", "n"): 16})[("t", 0, "n")] == 3
    chain = [[(("a", 0, "x"), 1), (("a", 1, "x"), 1), (("a", "total", "x"), -1)],
             [(("a", "total", "x"), 1), (("b", "total", "y"), -1)],
             [(("b", "total", "y"), 1), (("b", 0, "y"), -1), (("b", 1, "y"), -1)]]
    learnt = solve(chain, {("a", 1, "x"): 7, ("b", 0, "y"): 6, ("b", 1, "y"): 4})
    assert learnt[("a", 0, "x")] == 3
    # Nested relations: a city that is its units, and the units' 合计 with the city's.
    nested = [[(("c", 0, "x"), 1), (("u", 0, "x"), -1), (("u", 1, "x"), -1)],
              [(("u", "total", "x"), 1), (("u", 0, "x"), -1), (("u", 1, "x"), -1),
               (("u", 2, "x"), -1)]]
    assert solve(nested, {("c", 0, "x"): 9, ("u", "total", "x"): 12})[("u", 2, "x")] == 3


def _project_row(page, name):
    row = page.split(f">{name}</a>")[1].split("</tr>")[0]
    return [cell.split("</td>")[0] for cell in row.split('<td class="num">')[1:]]


def test_project_pages_hide_a_projects_small_counts_from_the_observer(world, client):
    """The other pages the observer reaches with counts of people: the project list and
    detail (已输出, 剩余名额 which gives 已输出 back, 已报名)."""
    _world(world, *WORLDS["total_under_five"])  # project_a1: 3 departed
    for project in (world.project_a1, world.project_a2):
        people = Candidacy.objects.filter(project=project)
        filled, applied = people.filter(departed_on__isnull=False).count(), people.count()
        for user, hide in ((world.observer, lambda n: SUPPRESSED if 0 < n < 5 else str(n)),
                           (world.province, str)):
            client.force_login(user)
            remaining = (SUPPRESSED if hide(filled) == SUPPRESSED
                         else str(max(0, project.headcount - filled)))
            listed = client.get(reverse("projects:project_list")).content.decode()
            assert _project_row(listed, project.name) == [str(project.headcount), hide(filled),
                                                          remaining], (user, project)
            detail = client.get(reverse("projects:project_detail", args=[project.pk]))
            assert (f"<dd>{hide(filled)} / {remaining}（已报名 {hide(applied)}）</dd>"
                    in detail.content.decode()), (user, project)
    assert 0 < Candidacy.objects.filter(project=world.project_a1,
                                        departed_on__isnull=False).count() < 5


def test_task_forms_carry_no_second_table_of_departures_for_the_observer(world, client):
    """附件1 / 附件2 list departures on a second sheet (完成情况): for the observer that would
    be a second table of the dashboard's counts over other rows (and its scope counts nobody:
    zeros), so its workbook has the form alone."""
    _world(world, *WORLDS["column_with_two_small_cells"])
    # 附件1 lists the units with a task (u2 has none): 7 + 2; 附件2 every city: 7 + 3 + 2.
    for form, col, total in (("rosters:export_form1", 4, 9), ("rosters:export_form2", 3, 12)):
        for user in (world.observer, world.province):
            client.force_login(user)
            wb = load_workbook(io.BytesIO(client.get(reverse(form, args=[YEAR])).content))
            if user == world.observer:
                assert wb.sheetnames == [wb.worksheets[0].title], form
                assert "已输出" not in {c.value for row in wb.worksheets[0].iter_rows()
                                         for c in row}
            else:
                ws = wb["完成情况"]
                departed = [ws.cell(row=r, column=col).value for r in range(4, ws.max_row + 1)]
                assert departed[-1] == total and 2 in departed, form  # exact


def test_a_task_added_between_refreshes_does_not_shift_the_hidden_cells(world, client):
    """The unit rows come from the live tasks, the counts from the last refresh: a task given
    to a new unit adds a row above the others before the next refresh. The hidden cells must
    follow the figures, not the row numbers of the page seen before."""
    _world(world, *WORLDS["one_small_unit_in_a_city"])  # 大同's only unit: 3 people
    before, _ = check_observer_receives_nothing_recoverable(client, world)
    first = OrganisingUnit.objects.create(name="太原新增学院", category=UnitCategory.UNDERGRADUATE,
                                          city=world.ty, seq=0)
    Task.objects.create(year=YEAR, unit=first, number=30)
    tables, _ = check_observer_receives_nothing_recoverable(client, world)
    assert tables["unit"]["rows"][0][0] == "太原新增学院"
    assert set(tables["unit"]["rows"][-1][2:9]) == {SUPPRESSED}  # 大同's unit, still hidden
    # The same figures keep the same hidden cells: two versions of the page together give
    # the attacker nothing more than one (the new unit's row is all zeros, shown).
    for key, t in before.items():
        rows = {row[0]: row for row in tables[key]["rows"]}
        for row in t["rows"]:
            assert [x == SUPPRESSED for x in row[2:]] == [
                x == SUPPRESSED for x in rows[row[0]][2:]], (key, row[0])
    assert SUPPRESSED not in tables["unit"]["rows"][0]
