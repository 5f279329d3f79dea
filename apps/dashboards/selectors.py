"""Dashboard figures (SPEC §6): progress against task, the funnel by stage, departures by
country, trade, agency and month, the share of 脱贫劳动力, and time spent in each stage.

Every figure is a GROUP BY over the pre-aggregated figures the user may count (``visible`` on
``apps.dashboards.models``, kept on write and recounted nightly by ``services``): a page
reads a few thousand summary rows, never the year's million events, and the number of
queries is fixed whatever the size of the data. The observer counts everything but gets
only aggregates: cells of 1–4 people are suppressed, and so are the further cells that would
give them back by subtraction, decided once for the page (``disclosure``)."""
import hashlib
from dataclasses import dataclass, field
from html import escape
from functools import cached_property, lru_cache

from django.core.cache import cache
from django.db.models import Max, Sum
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.dashboards.disclosure import SUPPRESSED, TOTAL, suppress
from apps.dashboards.drilldown import ONWARD, FigureQuery
from apps.dashboards.services import version_parts
from apps.dashboards.models import (
    CohortFigure, DepartureFigure, EventFigure, ProjectFigure, WithdrawalFigure,
)
from apps.orgs.models import City, OrganisingUnit
from apps.pipeline.models import Result, Stage
from apps.pipeline.transitions import ORDER
from apps.projects.models import JobProject, ProjectStatus
from apps.quotas.models import Task
from apps.registry.models import PRIORITY_STATUSES, PovertyStatus

PAGE_ROWS = 100  # a longer table shows its first rows; its xlsx export has every row
FUNNEL_STAGES = [s for s in ORDER if s != Stage.RETURN]


@dataclass
class Table:
    key: str
    title: str
    headers: list
    rows: list                      # lists of cells: labels (str) and counts (int or None)
    counts: tuple = ()              # indexes of the columns that count people
    total: list | None = None
    charts: dict = field(default_factory=dict)  # chart series → the column it plots
    # column → the cells it is computed from: a column of the same row, or (row, column)
    derived: dict = field(default_factory=dict)
    limit: int | None = None        # rows shown on the page (the export has them all)
    # What each count is, for the observer's suppression (``disclosure``): a count cell's
    # quantity is its column's key merged with its row's (the 合计 row: ``total_key``).
    col_keys: dict = field(default_factory=dict)
    row_keys: list = field(default_factory=list)
    total_key: dict = field(default_factory=dict)
    row_sums: dict = field(default_factory=dict)    # column → the columns that sum to it
    row_groups: list = field(default_factory=list)  # per row: the quantity its group makes up
    total_group: dict = field(default_factory=dict)
    # (row, column) → the quantity of a single cell, overriding its column's and row's keys
    # (the cohort's 报名 row is the funnel's: the same people).
    cell_keys: dict = field(default_factory=dict)
    hidden: set = field(default_factory=set)        # (row or TOTAL, column) suppressed
    links: dict = field(default_factory=dict)       # (row or TOTAL, column) → drill-down URL

    def indexed_rows(self):
        yield from enumerate(self.rows)
        if self.total is not None:
            yield TOTAL, self.total

    def _cells(self, r, row):
        out = []
        for i, value in enumerate(row):
            if (r, i) in self.hidden:
                out.append((SUPPRESSED, True, ""))
            elif value is None:
                out.append(("—", True, ""))
            elif isinstance(value, str):
                out.append((value, False, ""))
            else:  # text already: the template need not localize a thousand numbers
                out.append((str(value), True, self.links.get((r, i), "")))
        return out

    def quantity(self, r, i) -> dict:
        """What the count in cell (r, i) counts: its column's key with its row's."""
        if (r, i) in self.cell_keys:
            return self.cell_keys[(r, i)]
        return {**self.col_keys.get(i, {}),
                **(self.total_key if r == TOTAL else self.row_keys[r])}

    def link(self, year, page_filters):
        """Each count above zero links to the candidacies it counts (``drilldown``)."""
        page, prefix = tuple(sorted(page_filters.items())), get_script_prefix()
        for r, row in self.indexed_rows():
            for i in self.counts:
                # Only the rows the page shows: the export of 2,000 projects has no links.
                if i in self.col_keys and row[i] and (r, i) not in self.hidden and (
                        r == TOTAL or r < min(len(self.row_keys), self.limit or len(self.rows))):
                    url = _cell_url(year, tuple(sorted(self.quantity(r, i).items())), page,
                                    prefix)
                    if url:
                        self.links[(r, i)] = url
        return self

    def export_rows(self):
        """Every row (and the 合计) as the export writes it: numbers, texts, the marks."""
        return [[SUPPRESSED if (r, i) in self.hidden else "—" if v is None else v
                 for i, v in enumerate(row)] for r, row in self.indexed_rows()]

    @property
    def chart(self):
        """The chart data, read from the rows as they are shown (hidden cells are null), and
        each series' name: its column's header, so the legend says what is drawn."""
        data = {name: [row[col] for row in self.rows] for name, col in self.charts.items()}
        if data:
            data["names"] = {name: self.headers[col] for name, col in self.charts.items()
                             if name != "labels"}
        return data

    @property
    def shown(self):
        """Rows as (text, is_number) cells for the page."""
        return [self._cells(r, row) for r, row in enumerate(self.rows)]

    @property
    def shown_on_page(self):
        """The first ``limit`` rows as cells: a page of 2,000 projects is read by no one."""
        return [self._cells(r, row) for r, row in enumerate(self.rows[:self.limit])]

    @property
    def cut(self):
        """How many rows the page leaves to the export."""
        return max(0, len(self.rows) - self.limit) if self.limit else 0

    @property
    def body_html(self):
        """The page's rows as table cells, every text escaped: built here, as one string,
        because the template engine takes ~20 µs a cell and a page has a few thousand."""
        return mark_safe("".join("<tr>" + "".join(_cell_html(*cell) for cell in row) + "</tr>"
                                 for row in self.shown_on_page))

    @property
    def shown_total(self):
        return self._cells(TOTAL, self.total) if self.total else None

    def hide(self, cells):
        """Blank the given count cells, and every figure computed from a blank one (a rate
        with its numerator or its denominator hidden gives the hidden one back)."""
        self.hidden = set(cells)
        for r, row in self.indexed_rows():
            for i, sources in self.derived.items():
                if any((s if isinstance(s, tuple) else (r, s)) in self.hidden for s in sources):
                    self.hidden.add((r, i))
            for _, i in [c for c in self.hidden if c[0] == r]:
                row[i] = None
        return self


# A cell's address is a pure function of its quantity and the page's filters, not of its
# count: kept across the figures' versions, so a view after a write does not work out ~3,000
# links again (a quarter of that view's time).
@lru_cache(maxsize=100_000)
def _cell_url(year, quantity: tuple, page: tuple, script_prefix: str) -> str:
    query = FigureQuery.for_quantity(year, dict(quantity), dict(page))
    return query.url() if query is not None else ""


def _cell_html(text, num, link):
    text = escape(text)
    if link:
        text = f'<a href="{escape(link)}" title="查看这些人员">{text}</a>'
    return f'<td class="num">{text}</td>' if num else f"<td>{text}</td>"


def _rate(done, task):
    return round(100 * done / task, 1) if done is not None and task else None


# The sums are kept under the figures' version (``services.figures_version``), which changes
# with every write; a minute at most covers a write committed out of id order.
FIGURES_CACHE_SECONDS = 60


# Page filters each figure table can take: every one has the candidacy's city, unit and
# agency; only the departures know the country.
FILTERABLE = {"city", "unit", "agency"}


def _figures(model, user, year, filters=None):
    qs = visible(model.objects.filter(year=year), user)
    for name, value in (filters or {}).items():
        if value and name in FILTERABLE:
            qs = qs.filter(**{name: value})
        elif value and name == "country" and model is DepartureFigure:
            qs = qs.filter(country=value)
    return qs


class Facts:
    """The two larger reads of a dashboard, made once and shared by its tables: the year's
    stage-event figures by city, unit, stage, result and 脱贫 status (with the days since the
    previous stage), and the year's departures by agency, country, trade, month and 脱贫
    status. Both read the pre-aggregated figures (``models``), a few thousand rows, never the
    events themselves; the tables sum these small results in Python."""

    def __init__(self, user, year, version=None, filters=None):
        self.user, self.year, self.version = user, year, version
        self.parts = version_parts(version) if version else None
        self.filters = {k: v for k, v in (filters or {}).items() if v}
        self._stage_counts = {}
        # The figure tables read since it was last emptied: what the table being built
        # depends on (``_kept_tables``). Noted at every read, the first or a kept one.
        self.read = set()

    def key(self, name, part=""):
        """The cache key of ``name`` for this user's scope and filters (and ``part``)."""
        u = self.user
        chosen = hashlib.sha256(repr(sorted(self.filters.items())).encode()).hexdigest()[:16]
        return (f"dashboard:{name}:{self.year}:{u.role}:{u.city_id}:{u.unit_id}:{u.agency_id}:"
                f"{chosen}:{part}")

    def _cached(self, name, read, source=None):
        """The sums are kept per scope until a figure changes: a sum of one figure table
        (``source``) under that table's part of the version, anything else under the whole
        version, so the page views between two writes run none of these GROUP BYs."""
        if source is not None:
            self.read.add(source._meta.db_table)
        if self.version is None:
            return read()
        part = self.parts[source._meta.db_table] if source is not None else self.version
        return cache.get_or_set(self.key(name, part), read, FIGURES_CACHE_SECONDS)

    @cached_property
    def _events(self):
        # (city, unit, stage, result, poverty_status, n, days_n, days_sum, days_max)
        return self._cached("events", lambda: list(
            _figures(EventFigure, self.user, self.year, self.filters)
            .values_list("city", "unit", "stage", "result", "poverty_status")
            .annotate(n=Sum("n"), days_n=Sum("days_n"), days_sum=Sum("days_sum"),
                      days_max=Max("days_max")).order_by()), EventFigure)

    @cached_property
    def _cohort(self):
        # (stage, result, n): the events, at any date, of the people registered this year
        return self._cached("cohort", lambda: list(
            _figures(CohortFigure, self.user, self.year, self.filters)
            .values_list("stage", "result")
            .annotate(n=Sum("n")).order_by()), CohortFigure)

    @cached_property
    def _departures(self):
        return self._cached("departures", lambda: list(
            _figures(DepartureFigure, self.user, self.year, self.filters)
            .values_list("agency__name", "country", "departure_trade", "month",
                         "poverty_status")
            .annotate(n=Sum("n")).order_by()), DepartureFigure)

    @cached_property
    def _filled_by_project(self):
        return self._cached("projects", lambda: dict(
            _figures(ProjectFigure, self.user, self.year, self.filters).values_list("project")
            .annotate(n=Sum("n")).order_by()), ProjectFigure)

    @cached_property
    def _withdrawn_by_stage(self):
        return self._cached("withdrawn", lambda: dict(
            _figures(WithdrawalFigure, self.user, self.year, self.filters).values_list("stage")
            .annotate(n=Sum("n")).order_by()), WithdrawalFigure)

    # Read once a page (above), noted as read by every table that reads them (here).
    events = property(lambda self: self._noted(EventFigure, self._events))
    cohort = property(lambda self: self._noted(CohortFigure, self._cohort))
    departures = property(lambda self: self._noted(DepartureFigure, self._departures))
    filled_by_project = property(lambda self: self._noted(ProjectFigure,
                                                          self._filled_by_project))
    withdrawn_by_stage = property(lambda self: self._noted(WithdrawalFigure,
                                                           self._withdrawn_by_stage))

    def _noted(self, source, value):
        self.read.add(source._meta.db_table)
        return value

    def stage_counts_by(self, key):
        """{city or unit: {stage: people who reached the stage (onward result)}}."""
        if key in self._stage_counts:
            return self._noted(EventFigure, self._stage_counts[key])
        index = {"city": 0, "unit": 1}[key]
        out = self._stage_counts[key] = {}
        for row in self.events:
            if row[3] in ONWARD:
                stages = out.setdefault(row[index], {})
                stages[row[2]] = stages.get(row[2], 0) + row[5]
        return out

    def departures_by(self, index):
        out = {}
        for row in self.departures:
            out[row[index]] = out.get(row[index], 0) + row[5]
        return out


def _onward(stage):
    """The quantity "people who reached ``stage`` this year" (the funnel's 通过)."""
    return {"measure": "onward", "stage": stage}


def _progress(facts, *, key, title, tasks, names, city_of=None):
    """Task, then people reaching each stage in the year, departures and the completion rate.
    ``city_of`` (units): each row's city, whose row of the by-city table its rows make up."""
    by_stage = facts.stage_counts_by(key)
    task_of = dict(tasks)
    ids = list(names)
    headers = ["名称", "任务数"] + [f"{Stage(s).label}" for s in FUNNEL_STAGES] + ["完成率%"]
    rows, total = [], [f"合计（{len(ids)}）", 0] + [0] * len(FUNNEL_STAGES) + [None]
    for pk in ids:
        stages = by_stage.get(pk, {})
        counts = [stages.get(s, 0) for s in FUNNEL_STAGES]
        task = task_of.get(pk)
        rows.append([names[pk], task] + counts + [_rate(counts[-1], task)])
        total[1] += task or 0
        for i, n in enumerate(counts):
            total[2 + i] += n
    departed_col = 1 + len(FUNNEL_STAGES)
    total[-1] = _rate(total[departed_col], total[1])
    table = Table(key=key, title=title, headers=headers, rows=rows, total=total,
                  counts=tuple(range(2, departed_col + 1)),
                  derived={departed_col + 1: (departed_col,)},
                  charts={"labels": 0, "task": 1, "departed": departed_col},
                  col_keys={2 + i: _onward(s) for i, s in enumerate(FUNNEL_STAGES)},
                  row_keys=[{key: pk} for pk in ids])
    if city_of is not None:
        # Units' rows sum to their city's row, less the people of no unit (city channel).
        table.row_groups = [{"city": city_of[pk]} for pk in ids]
        table.total_key = {key: "*"}
    return table


def _cities(user, facts):
    """The cities a by-city table has rows for: the user's, narrowed by the page's filter."""
    cities = visible(City.objects.order_by("code"), user)
    if facts.filters.get("city"):
        cities = cities.filter(pk=facts.filters["city"])
    return cities


def _units(user, facts):
    """The units a by-unit table may have rows for: the user's, narrowed by the filters."""
    units = visible(OrganisingUnit.objects.order_by("seq", "pk"), user)
    for name, lookup in (("city", "city"), ("unit", "pk")):
        if facts.filters.get(name):
            units = units.filter(**{lookup: facts.filters[name]})
    return units


def progress_by_city(user, year, facts) -> Table:
    tasks = visible(Task.objects.filter(year=year, city__isnull=False), user).values_list(
        "city_id", "number")
    cities = _cities(user, facts)
    names = dict(cities.values_list("pk", "short_name"))
    return _progress(facts, key="city", title="各市任务完成情况", tasks=tasks, names=names)


def progress_by_unit(user, year, facts) -> Table:
    tasks = visible(Task.objects.filter(year=year, unit__isnull=False), user).values_list(
        "unit_id", "number")
    units = _units(user, facts)
    if user.role == Role.AGENCY:
        units = units.none()  # an agency's figures are its projects, not its partners' tasks
    task_ids = {pk for pk, _ in tasks}
    # Units with a task or with people this year; the rest of the 90 would be rows of zeros.
    active = set(facts.stage_counts_by("unit")) | task_ids
    found = [u for u in units.values_list("pk", "name", "city_id") if u[0] in active]
    return _progress(facts, key="unit", title="各组织单位任务完成情况", tasks=tasks,
                     names={pk: name for pk, name, _ in found},
                     city_of={pk: city for pk, _, city in found})


def progress_by_project(user, year, facts) -> Table:
    """Filled against headcount for the projects the user may see (an agency: its own)."""
    projects = visible(JobProject.objects.filter(
        status__in=[ProjectStatus.PUBLISHED, ProjectStatus.CLOSED]), user)
    if user.role == Role.AGENCY:
        projects = projects.filter(agency=user.agency_id)
    filled = facts.filled_by_project
    rows, pks = [], []
    for pk, name, headcount in projects.order_by("-pk").values_list("pk", "name", "headcount"):
        done = filled.get(pk, 0)
        if done or user.role == Role.AGENCY:
            rows.append([name, headcount, done, _rate(done, headcount)])
            pks.append(pk)
    return Table(key="project", title="岗位项目招聘完成情况",
                 headers=["项目", "招聘人数", "本年输出", "完成率%"], rows=rows,
                 counts=(2,), derived={3: (2,)}, limit=PAGE_ROWS,
                 col_keys={2: _onward(Stage.DEPARTURE)}, row_keys=[{"project": pk} for pk in pks])


def _stage_passes(counts):
    """(stage, onward, dropped, first stage's onward) for each funnel stage, from
    (stage, result, n) counts."""
    reached = {}
    for stage, result, n in counts:
        results = reached.setdefault(stage, {})
        results[result] = results.get(result, 0) + n
    first = None
    for stage in FUNNEL_STAGES:
        results = reached.get(stage, {})
        onward = sum(n for r, n in results.items() if r in ONWARD)
        dropped = sum(n for r, n in results.items() if r not in ONWARD)
        first = first if first is not None else onward
        yield stage, onward, dropped, first


def funnel(user, year, facts) -> Table:
    """Per stage: people who reached it in the year, who went on, who dropped out there
    (不合格 / 未参加 / 未签订 / 未完成 / 未输出), and who withdrew at it."""
    withdrawn = facts.withdrawn_by_stage
    rows = [[Stage(stage).label, onward + dropped, onward, dropped, withdrawn.get(stage, 0),
             _rate(onward, first)] for stage, onward, dropped, first in _stage_passes(
                 (stage, result, n) for _, _, stage, result, _, n, *_ in facts.events)]
    return Table(key="funnel", title="各环节人数（漏斗）",
                 headers=["环节", "参加人数", "通过", "未通过/未参加", "中途退出", "占报名%"],
                 rows=rows, counts=(1, 2, 3, 4), derived={5: (2, (0, 2))},
                 charts={"labels": 0, "values": 2},
                 col_keys={1: {"measure": "reached"}, 2: {"measure": "onward"},
                           3: {"measure": "dropped"}, 4: {"measure": "withdrawn"}},
                 row_keys=[{"stage": s} for s in FUNNEL_STAGES], row_sums={1: (2, 3)})


def funnel_by_cohort(user, year, facts) -> Table:
    """The people who registered in ``year``, and how far they have got since (whenever it
    happened): one group of people followed, where the event funnel mixes the registrants of
    several years."""
    rows = [[Stage(stage).label, onward + dropped, onward, dropped, _rate(onward, first)]
            for stage, onward, dropped, first in _stage_passes(facts.cohort)]
    registered = {"stage": Stage.REGISTERED}
    return Table(key="cohort", title="", headers=[
        "环节", "本年报名人员中参加人数", "通过", "未通过/未参加", "占本年报名%"],
        rows=rows, counts=(1, 2, 3), derived={4: (2, (0, 2))},
        charts={"labels": 0, "values": 2},
        col_keys={1: {"measure": "cohort_reached"}, 2: {"measure": "cohort_onward"},
                  3: {"measure": "cohort_dropped"}},
        row_keys=[{"stage": s} for s in FUNNEL_STAGES], row_sums={1: (2, 3)},
        cell_keys={(0, 1): {"measure": "reached", **registered},
                   (0, 2): {"measure": "onward", **registered}})


def _departures_by(facts, index, *, title, label, month=False) -> Table:
    counts = facts.departures_by(index)
    if month:
        ordered = sorted(counts.items(), key=lambda kv: kv[0])
    else:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    rows = [[(f"{k:%Y-%m}" if month else k) or "（未填）", n] for k, n in ordered]
    return Table(key=title, title=title, headers=[label, "输出人数"], rows=rows, counts=(1,),
                 total=["合计", sum(r[1] for r in rows)], charts={"labels": 0, "values": 1},
                 col_keys={1: _onward(Stage.DEPARTURE)},
                 row_keys=[{label: k} for k, _ in ordered])


def by_country(user, year, facts):
    return _departures_by(facts, 1, title="按输出国", label="输出国")


def by_trade(user, year, facts):
    return _departures_by(facts, 2, title="按工种", label="输出工种")


def by_agency(user, year, facts):
    return _departures_by(facts, 0, title="按输出机构", label="输出机构")


def by_month(user, year, facts):
    return _departures_by(facts, 3, title="按月份", label="输出月份", month=True)


def poverty_share(user, year, facts) -> Table:
    """脱贫劳动力 and 监测对象 among the people registered and departed in the year."""
    registered = {}
    for _, _, stage, _, poverty, n, *_ in facts.events:
        if stage == Stage.REGISTERED:
            registered[poverty] = registered.get(poverty, 0) + n
    departed = facts.departures_by(4)
    reg_total, dep_total = sum(registered.values()), sum(departed.values())
    rows = []
    for value, label in PovertyStatus.choices:
        r, d = registered.get(value, 0), departed.get(value, 0)
        rows.append([label if value else "其他人员", r, _rate(r, reg_total), d, _rate(d, dep_total)])
    table = Table(key="poverty", title="脱贫劳动力占比",
                  headers=["人员", "报名", "占报名%", "输出", "占输出%"], rows=rows,
                  counts=(1, 3), derived={2: (1, (TOTAL, 1)), 4: (3, (TOTAL, 3))},
                  charts={"labels": 0, "values": 3},
                  col_keys={1: _onward(Stage.REGISTERED), 3: _onward(Stage.DEPARTURE)},
                  row_keys=[{"poverty": value} for value, _ in PovertyStatus.choices],
                  total=["合计", reg_total, 100.0 if reg_total else None, dep_total,
                         100.0 if dep_total else None])
    return table


# Seed 003's figures of the priority groups: registered, screened (初试 taken), trained,
# departed and returned in the year, each group on its own columns.
POVERTY_MEASURES = [("报名", Stage.REGISTERED, "onward"), ("初试", Stage.FIRST_INTERVIEW, "reached"),
                    ("培训合格", Stage.TRAINING, "onward"), ("输出", Stage.DEPARTURE, "onward"),
                    ("归国", Stage.RETURN, "onward")]


def _poverty_counts(facts, index):
    """{city or unit: {(status, stage, measure): n}} of the priority groups' events."""
    out = {}
    for row in facts.events:
        if row[4] not in PRIORITY_STATUSES:
            continue
        counts = out.setdefault(row[index], {})
        for measure in ("reached", "onward") if row[3] in ONWARD else ("reached",):
            key = (row[4], row[2], measure)
            counts[key] = counts.get(key, 0) + row[5]
    return out


def _support_paid(user, year, key):
    """元 paid in the year for the 脱贫 items, by the claiming unit's city or the unit (the
    money data is no agency's nor the observer's, who would read head counts from it)."""
    from apps.subsidies.models import POVERTY_ITEMS, ClaimLine, ClaimStatus
    if user.role in (Role.AGENCY, Role.OBSERVER):
        return None
    lines = visible(ClaimLine.objects.filter(
        item__in=POVERTY_ITEMS, claim__status=ClaimStatus.PAID,
        claim__payment__paid_on__year=year), user)
    return dict(lines.values_list(f"claim__{key}").annotate(paid=Sum("amount")).order_by())


def _poverty_by(user, year, facts, *, key, names, city_of=None) -> Table:
    from apps.quotas.models import PovertyTarget
    index = {"city": 0, "unit": 1}[key]
    counts = _poverty_counts(facts, index)
    departed_all = {pk: stages.get(Stage.DEPARTURE, 0)
                    for pk, stages in facts.stage_counts_by(key).items()}
    target = visible(PovertyTarget.objects.filter(year=year), user).values_list(
        "share", flat=True).first()
    paid = _support_paid(user, year, key)
    columns = [(status, label, stage, measure) for status in PRIORITY_STATUSES
               for label, stage, measure in POVERTY_MEASURES]
    headers = (["名称"] + [f"{PovertyStatus(status).label}{label}" for status, label, *_ in columns]
               + ["占本年输出%", "目标占比%", "已拨付专项补助（元）"])
    n = len(columns)
    departed_cols = [1 + i for i, c in enumerate(columns) if c[2] == Stage.DEPARTURE]
    ids = list(names)
    rows = []
    total = [f"合计（{len(ids)}）"] + [0] * n + [None, target, None]
    for pk in ids:
        found = counts.get(pk, {})
        cells = [found.get((status, stage, measure), 0) for status, _, stage, measure in columns]
        departed = sum(cells[c - 1] for c in departed_cols)
        rows.append([names[pk]] + cells + [_rate(departed, departed_all.get(pk, 0)), target,
                                           None if paid is None else paid.get(pk, 0)])
        for i, value in enumerate(cells):
            total[1 + i] += value
    total[n + 1] = _rate(sum(total[c] for c in departed_cols), sum(departed_all.get(pk, 0)
                                                                  for pk in ids))
    if paid is not None:
        total[n + 3] = sum(r[n + 3] for r in rows)
    table = Table(key=f"poverty_{key}", title="", headers=headers, rows=rows,
                  total=total if rows else None,  # no rows: nothing to add up
                  counts=tuple(range(1, n + 1)), derived={n + 1: tuple(departed_cols)},
                  col_keys={1 + i: {"measure": measure, "stage": stage, "poverty": status}
                            for i, (status, _, stage, measure) in enumerate(columns)},
                  row_keys=[{key: pk} for pk in ids])
    if city_of is not None:
        table.row_groups = [{"city": city_of[pk]} for pk in ids]
        table.total_key = {key: "*"}
    return table


def poverty_by_city(user, year, facts) -> Table:
    cities = _cities(user, facts)
    return _poverty_by(user, year, facts, key="city",
                       names=dict(cities.values_list("pk", "short_name")))


def poverty_by_unit(user, year, facts) -> Table:
    units = _units(user, facts)
    active = set(_poverty_counts(facts, 1))  # units with priority people this year
    found = [u for u in units.values_list("pk", "name", "city_id") if u[0] in active]
    return _poverty_by(user, year, facts, key="unit", names={pk: name for pk, name, _ in found},
                       city_of={pk: city for pk, _, city in found})


def stage_time(user, year, facts) -> Table:
    """Average and longest days spent before each stage, over the stages reached in the year
    (the figures keep, per stage event, the days since the candidacy's previous stage)."""
    found = {}
    for _, _, stage, _, _, _, days_n, days_sum, days_max in facts.events:
        if days_n:
            n, total, longest = found.get(stage, (0, 0, None))
            found[stage] = (n + days_n, total + days_sum,
                            days_max if longest is None else max(longest, days_max))
    found = {stage: (n, total / n, longest) for stage, (n, total, longest) in found.items()}
    rows = []
    for prev, stage in zip(ORDER, ORDER[1:]):
        n, avg, longest = found.get(stage, (0, None, None))
        rows.append([f"{Stage(prev).label} → {Stage(stage).label}", n,
                     round(float(avg), 1) if avg is not None else None, longest])
    table = Table(key="stage_time", title="各环节用时（天）",
                  headers=["环节", "人数", "平均天数", "最长天数"], rows=rows, counts=(1,),
                  derived={2: (1,), 3: (1,)}, charts={"labels": 0, "values": 2},
                  # Everyone at a stage after 报名 has a previous one: its 人数 is the
                  # funnel's 参加人数 of that stage (taken as equal, the safe side).
                  col_keys={1: {"measure": "reached"}},
                  row_keys=[{"stage": s} for s in ORDER[1:]])
    return table


# key → (title, selector, roles that get the table)
EVERYONE = {Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY, Role.OBSERVER}
TABLES = {
    "city": ("各市任务完成情况", progress_by_city, {Role.PROVINCE, Role.CITY, Role.OBSERVER}),
    "unit": ("各组织单位任务完成情况", progress_by_unit,
             {Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER}),
    "project": ("岗位项目招聘完成情况", progress_by_project, {Role.PROVINCE, Role.AGENCY}),
    "funnel": ("各环节人数（漏斗）：按环节发生日期，本年发生的各环节", funnel, EVERYONE),
    "cohort": ("各环节人数（漏斗）：按报名年度，本年报名的人员至今走到哪一步", funnel_by_cohort,
               EVERYONE),
    "country": ("按输出国", by_country, EVERYONE),
    "trade": ("按工种", by_trade, EVERYONE),
    "agency": ("按输出机构", by_agency, EVERYONE),
    "month": ("按月份", by_month, EVERYONE),
    "poverty": ("脱贫劳动力占比", poverty_share, EVERYONE),
    # Not yet the observer's: its suppression would have to weigh these breakdowns of the
    # 脱贫 share against every other table's cells (the observer keeps "poverty").
    "poverty_city": ("脱贫劳动力（按地市）：报名、初试、培训、输出、归国与专项补助", poverty_by_city,
                     {Role.PROVINCE, Role.CITY}),
    "poverty_unit": ("脱贫劳动力（按组织单位）", poverty_by_unit,
                     {Role.PROVINCE, Role.CITY, Role.UNIT}),
    "stage_time": ("各环节用时（天）", stage_time, EVERYONE),
}


# The page filters each table takes (``Facts.filters``); a table that cannot take one of the
# chosen filters is left off the page rather than shown unfiltered. Tasks are cities' and
# units', so the progress tables take no agency; only departures know the country.
ORGS = {"city", "unit", "agency"}
ACCEPTS = {"city": {"city"}, "unit": {"city", "unit"}, "poverty_city": {"city"},
           "poverty_unit": {"city", "unit"}, "country": ORGS | {"country"},
           "trade": ORGS | {"country"}, "agency": ORGS | {"country"},
           "month": ORGS | {"country"}}


def shown_tables(role, filters) -> list[str]:
    chosen = {k for k, v in (filters or {}).items() if v}
    return [key for key, (_, _, roles) in TABLES.items()
            if role in roles and chosen <= ACCEPTS.get(key, ORGS)]


def _table(user, year, key, facts) -> Table:
    title, selector, _ = TABLES[key]
    table = selector(user, year, facts)
    table.key, table.title = key, title
    if user.role != Role.OBSERVER:  # the observer counts, never lists
        table.link(year, facts.filters)
    return table


def _hidden_key(tables):
    """The name a page's suppression is kept under with the figures (~0.4 s of solving for
    90 units × 7 stages): a digest of its rows too, because tasks (and so the unit rows)
    change between refreshes and a hidden set is by row."""
    content = repr([(t.key, t.rows, t.total, t.row_keys, t.row_groups) for t in tables])
    return "hidden-" + hashlib.sha256(content.encode()).hexdigest()


def dashboard(user, year, version=None, filters=None) -> list[Table]:
    """The page's tables. The observer's are suppressed together, from all of them: one
    decision for the page, so that the page, its charts and each export hide the same cells
    and no table gives back what another hides (``disclosure``)."""
    facts = Facts(user, year, version, filters)
    if user.role == Role.OBSERVER or version is None:
        # The finished page, kept like the sums until a figure changes: the observer's
        # cells are suppressed over all its tables at once.
        return facts._cached("tables", lambda: _tables(user, year, facts))
    return _kept_tables(user, year, facts)


def _tables(user, year, facts) -> list[Table]:
    tables = [_table(user, year, key, facts) for key in shown_tables(user.role, facts.filters)]
    if user.role == Role.OBSERVER:
        hidden = facts._cached(_hidden_key(tables), lambda: suppress(tables))
        for t in tables:
            t.hide({(r, c) for key, r, c in hidden if key == t.key})
    return tables


def _kept_tables(user, year, facts) -> list[Table]:
    """Each finished table (its drill-down links included) is kept with the parts of the
    figures' version it was built from: the figure tables it read and the references. A
    write leaves the tables that read none of what it added as they were: a first
    interview does not build the 2,000 projects' table again (issue 17: a view after a
    write rebuilt every table, ~60 ms)."""
    keys = shown_tables(user.role, facts.filters)
    names = {key: facts.key(f"table:{key}") for key in keys}
    kept = cache.get_many(list(names.values()))
    tables, fresh = [], {}
    for key in keys:
        parts, table = kept.get(names[key], ({}, None))
        if table is None or any(facts.parts.get(p) != v for p, v in parts.items()):
            facts.read = set()
            table = _table(user, year, key, facts)
            fresh[names[key]] = ({p: facts.parts[p] for p in facts.read | {"references"}},
                                 table)
        tables.append(table)
    if fresh:
        cache.set_many(fresh, FIGURES_CACHE_SECONDS)
    return tables


def dashboard_table(user, year, key, version=None, filters=None) -> Table:
    """One table as the page shows it (the observer's: suppressed with the whole page)."""
    if user.role == Role.OBSERVER:
        return {t.key: t for t in dashboard(user, year, version, filters)}[key]
    return _table(user, year, key, Facts(user, year, version, filters))
