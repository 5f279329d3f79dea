"""The dashboard figures (``models``): kept on write, recounted every night.

Kept on write: every service that changes what a figure counts (a stage event, a departure,
a withdrawal, a person moved to another unit or given another 脱贫 status) inserts, in its own
transaction, figure rows that add or take away its part (``figures_add_event``,
``figures_add_withdrawal``, ``figures_moved``). The rows are deltas: the same key may appear
many times and the pages sum them (they always did: they GROUP BY over the figures). Why
insert rather than ``UPDATE … SET n = n + 1`` on a unique key: an insert takes no row lock,
so two writers of the same city and stage never wait for each other, never deadlock (a
batch of 50 results updating keys in its own order would), and never lose an update — there
is no read-modify-write at all. The figure is visible when the event is, committed together.

Each delta is computed by the same SELECT as the full count, restricted to the records that
changed: one definition of what a figure counts, for the write path and the recount.

Recounted every night (``figures_recount``): the true figures are counted from the records,
compared with the sums of the kept rows, every difference logged (audit row, and the
province's dashboard shows it), and the rows of each table replaced by the true ones (which
also folds the day's deltas into one row per key). It runs in a REPEATABLE READ snapshot:
a writer committing meanwhile keeps its delta rows (not visible to the DELETE) and its
records are not in the count, so nothing is lost or counted twice."""
import time
from decimal import Decimal
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.services import audited_within, not_audited
from apps.common import references
from apps.dashboards.models import (
    CohortFigure, DepartureFigure, EventFigure, FigureRefresh, ProjectFigure, WithdrawalFigure,
)
from apps.pipeline.models import CandidacyStatus
from apps.pipeline.transitions import ORDER

# Any number: the key of the advisory lock that keeps two recounts from running at once.
_LOCK = 6_005_001
REPAIRS_KEPT = 200  # differences listed in a recount's report (all are counted)

_PREVIOUS = " ".join(f"WHEN '{nxt}' THEN '{prev}'" for prev, nxt in zip(ORDER, ORDER[1:]))


class _Count:
    """One figure table: its key columns, its measures, and the SELECT that counts them
    from the records (``{where}``: which records; ``{sign}``: 1 to add, -1 to take away)."""

    def __init__(self, model, keys, measures, select, where_column):
        self.model, self.keys, self.measures = model, keys, measures
        self.select, self.where_column = select, where_column

    @property
    def table(self):
        return self.model._meta.db_table

    def sql(self, where="TRUE", sign=1):
        # A take-away row leaves the longest days to the rows it takes from.
        return self.select.format(where=where, sign=sign,
                                  days_max="max(e.happened_on - prev.happened_on)"
                                  if sign > 0 else "NULL::int")

    def insert(self, where="TRUE", sign=1):
        columns = ", ".join(self.keys + self.measures)
        return f"INSERT INTO {self.table} ({columns}) {self.sql(where, sign)}"


COUNTS = [
    _Count(EventFigure,
           ["year", "city_id", "unit_id", "agency_id", "stage", "result", "poverty_status"],
           ["n", "days_n", "days_sum", "days_max"], f"""
SELECT extract(year FROM e.happened_on)::int, c.city_id, c.unit_id, c.agency_id, e.stage,
       e.result, p.poverty_status, {{sign}} * count(*), {{sign}} * count(prev.id),
       {{sign}} * coalesce(sum(e.happened_on - prev.happened_on), 0),
       {{days_max}}
FROM pipeline_stageevent e
JOIN pipeline_candidacy c ON c.id = e.candidacy_id
JOIN registry_person p ON p.id = c.person_id
LEFT JOIN pipeline_stageevent prev ON prev.candidacy_id = e.candidacy_id
     AND prev.stage = (CASE e.stage {_PREVIOUS} END)
WHERE {{where}}
GROUP BY 1, 2, 3, 4, 5, 6, 7""", "e.candidacy_id"),
    # A candidacy's cohort is the year of its registration (报名) event.
    _Count(CohortFigure, ["year", "city_id", "unit_id", "agency_id", "stage", "result"], ["n"],
           """
SELECT extract(year FROM r.happened_on)::int, c.city_id, c.unit_id, c.agency_id, e.stage,
       e.result, {sign} * count(*)
FROM pipeline_stageevent e
JOIN pipeline_candidacy c ON c.id = e.candidacy_id
JOIN pipeline_stageevent r ON r.candidacy_id = e.candidacy_id AND r.stage = 'registered'
WHERE {where}
GROUP BY 1, 2, 3, 4, 5, 6""", "e.candidacy_id"),
    _Count(DepartureFigure,
           ["year", "month", "city_id", "unit_id", "agency_id", "country", "departure_trade",
            "poverty_status"], ["n"], """
SELECT extract(year FROM c.departed_on)::int, date_trunc('month', c.departed_on)::date,
       c.city_id, c.unit_id, c.agency_id, c.country, c.departure_trade, p.poverty_status,
       {sign} * count(*)
FROM pipeline_candidacy c JOIN registry_person p ON p.id = c.person_id
WHERE c.departed_on IS NOT NULL AND {where}
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8""", "c.id"),
    _Count(ProjectFigure, ["year", "city_id", "unit_id", "agency_id", "project_id"], ["n"], """
SELECT extract(year FROM c.departed_on)::int, c.city_id, c.unit_id, c.agency_id, c.project_id,
       {sign} * count(*)
FROM pipeline_candidacy c WHERE c.departed_on IS NOT NULL AND {where}
GROUP BY 1, 2, 3, 4, 5""", "c.id"),
    _Count(WithdrawalFigure, ["year", "city_id", "unit_id", "agency_id", "stage"], ["n"], f"""
SELECT extract(year FROM c.ended_on)::int, c.city_id, c.unit_id, c.agency_id, c.stage,
       {{sign}} * count(*)
FROM pipeline_candidacy c
WHERE c.status = '{CandidacyStatus.WITHDRAWN.value}' AND c.ended_on IS NOT NULL AND {{where}}
GROUP BY 1, 2, 3, 4, 5""", "c.id"),
]
EVENTS, COHORTS, DEPARTURES, PROJECTS, WITHDRAWALS = COUNTS


# --- kept on write: steps of the audited pipeline and registry services ----------------------

@audited_within
def figures_add_event(event, *, departed=False):
    """A stage event was recorded: its figure, and the departure's when it is one."""
    # One round trip for all of them: the write path's extra cost is mostly the trips.
    statements = [(EVENTS.insert("e.id = %s"), event.pk), (COHORTS.insert("e.id = %s"), event.pk)]
    if departed:
        statements += [(count.insert("c.id = %s"), event.candidacy_id)
                       for count in (DEPARTURES, PROJECTS)]
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(sql for sql, _ in statements), [v for _, v in statements])


@audited_within
def figures_add_withdrawal(candidacy):
    with connection.cursor() as cursor:
        cursor.execute(WITHDRAWALS.insert("c.id = %s"), [candidacy.pk])


@audited_within
@contextmanager
def figures_moved(candidacy_ids):
    """The records of these candidacies change a key of their figures (their unit and city,
    their person's 脱贫 status): their figures are taken out before and put back after."""
    ids = list(candidacy_ids)
    if not ids:
        yield
        return
    _adjust(ids, -1)
    yield
    _adjust(ids, 1)


def _adjust(ids, sign):
    with connection.cursor() as cursor:
        for count in COUNTS:
            cursor.execute(count.insert(f"{count.where_column} = ANY(%s)", sign), [ids])


# --- read ------------------------------------------------------------------------------------

@not_audited("reads the figures' version; writes nothing")
def figures_version() -> str:
    """Changes whenever a figure row is added (the rows are only ever added, or replaced
    by higher ids at a recount), and whenever the reference data the tables read live
    changes (``references_changed``): the dashboards keep their sums and tables under it.
    One part a figure table, in COUNTS' order, then the references': ``version_parts``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(
            f"(SELECT max(id) FROM {c.table})" for c in COUNTS))
        figures = "-".join(str(v or 0) for v in cursor.fetchone())
    return f"{figures}-r{references.version()}"


def version_parts(version: str) -> dict:
    """{figure table: its part, …, "references": …} of a ``figures_version``: a table of the
    dashboard built from some figures is still true while their parts are unchanged."""
    *figures, refs = version.split("-")
    return {**{c.table: part for c, part in zip(COUNTS, figures)}, "references": refs}


@not_audited("bumps the dashboards' cache version; no record changes")
def references_changed(**_signal):
    """Tasks, cities, units, agencies and projects are read live by the dashboards' tables
    (rows, names, task numbers, headcounts): a change to one makes the kept tables stale.
    Connected to their saves and deletes (apps.py); a write that bypasses save() calls it
    itself."""
    references.changed()


def last_recount() -> FigureRefresh | None:
    return FigureRefresh.objects.order_by("-finished_at").first()


# --- the nightly recount -------------------------------------------------------------------

def _differences(cursor, count):
    """Keys whose kept sums differ from the true ones: (key, kept, true) of the measures.
    One GROUP BY over both sides (NULL keys group together, as they must). The longest days
    are not compared: a person moved away leaves the old key's maximum behind (a maximum
    cannot be taken back by a delta); the replacement repairs it without a report."""
    keys = ", ".join(count.keys)
    m = [c for c in count.measures if c != "days_max"]
    kept = ", ".join(f"sum({c}) AS kept_{c}" for c in m)
    no_kept = ", ".join(f"NULL::bigint AS kept_{c}" for c in m)
    no_true = ", ".join(f"NULL::bigint AS true_{c}" for c in m)
    true = ", ".join(f"{c} AS true_{c}" for c in m)
    cursor.execute(f"""
        SELECT {keys}, {", ".join(f"max(kept_{c})" for c in m)},
               {", ".join(f"max(true_{c})" for c in m)}
        FROM (SELECT {keys}, {kept}, {no_true} FROM {count.table} GROUP BY {keys}
              UNION ALL
              SELECT {keys}, {no_kept}, {true} FROM truth_{count.table}) both_sides
        GROUP BY {keys}
        HAVING {" OR ".join(f"coalesce(max(kept_{c}), 0) <> coalesce(max(true_{c}), 0)"
                            for c in m)}""")
    width = len(count.keys)
    for row in cursor.fetchall():
        yield (dict(zip(count.keys, row[:width])), row[width:width + len(m)],
               row[width + len(m):])


@not_audited("recounts derived figures from the records; writes its own audit row when it "
             "repairs a difference")
def figures_recount() -> FigureRefresh | None:
    """Count every figure from the records, log each difference from the kept figures, and
    replace them with the true ones. None when another recount is running."""
    from apps.audit.models import AuditAction
    from apps.audit.services import audit_log

    start = time.perf_counter()
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:  # one snapshot for the count, the comparison and the replacement
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SET LOCAL work_mem = '256MB'")
        repairs, found = [], 0
        for count in COUNTS:
            cursor.execute(f"DROP TABLE IF EXISTS truth_{count.table}")
            cursor.execute(f"CREATE TEMP TABLE truth_{count.table} ON COMMIT DROP AS "
                           f"SELECT * FROM ({count.sql()}) t("
                           f"{', '.join(count.keys + count.measures)})")
            for key, kept, true in _differences(cursor, count):
                found += 1
                if len(repairs) < REPAIRS_KEPT:
                    repairs.append({"table": count.model._meta.verbose_name,
                                    "key": {k: _plain(v) for k, v in key.items()},
                                    "kept": [_plain(v) for v in kept],
                                    "true": [_plain(v) for v in true]})
            # Rows committed by writers after this snapshot are not deleted: they stay as
            # the deltas of records the count did not see.
            columns = ", ".join(count.keys + count.measures)
            cursor.execute(f"DELETE FROM {count.table}")
            cursor.execute(f"INSERT INTO {count.table} ({columns}) "
                           f"SELECT {columns} FROM truth_{count.table}")
        done = FigureRefresh.objects.create(finished_at=timezone.now(), differences=found,
                                            repairs=repairs,
                                            seconds=time.perf_counter() - start)
        if found:
            audit_log(None, AuditAction.FIGURES, done,
                      detail=f"统计核对：{found}项统计数与原始记录不符，已按记录修正")
    return done


def _plain(value):
    """A value for the JSON report: dates as text, sums (numeric) as integers."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return int(value) if isinstance(value, Decimal) else value

