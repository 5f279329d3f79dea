"""Rebuilding the dashboard figures (``models``) from the records."""
import time

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.services import not_audited
from apps.dashboards.models import (
    CohortFigure, DepartureFigure, EventFigure, FigureRefresh, ProjectFigure, WithdrawalFigure,
)
from apps.pipeline.models import CandidacyStatus
from apps.pipeline.transitions import ORDER

# Any number: the key of the advisory lock that keeps two refreshes from running at once.
_LOCK = 6_005_001

_PREVIOUS = " ".join(f"WHEN '{nxt}' THEN '{prev}'" for prev, nxt in zip(ORDER, ORDER[1:]))

_EVENTS = f"""
INSERT INTO {EventFigure._meta.db_table}
    (year, city_id, unit_id, agency_id, stage, result, poverty_status,
     n, days_n, days_sum, days_max)
SELECT extract(year FROM e.happened_on)::int, c.city_id, c.unit_id, c.agency_id, e.stage,
       e.result, p.poverty_status, count(*), count(prev.id),
       coalesce(sum(e.happened_on - prev.happened_on), 0), max(e.happened_on - prev.happened_on)
FROM pipeline_stageevent e
JOIN pipeline_candidacy c ON c.id = e.candidacy_id
JOIN registry_person p ON p.id = c.person_id
LEFT JOIN pipeline_stageevent prev ON prev.candidacy_id = e.candidacy_id
     AND prev.stage = (CASE e.stage {_PREVIOUS} END)
GROUP BY 1, 2, 3, 4, 5, 6, 7"""

# A candidacy's cohort is the year of its registration (报名) event.
_COHORTS = f"""
INSERT INTO {CohortFigure._meta.db_table} (year, city_id, unit_id, agency_id, stage, result, n)
SELECT extract(year FROM r.happened_on)::int, c.city_id, c.unit_id, c.agency_id, e.stage,
       e.result, count(*)
FROM pipeline_stageevent e
JOIN pipeline_candidacy c ON c.id = e.candidacy_id
JOIN pipeline_stageevent r ON r.candidacy_id = e.candidacy_id AND r.stage = 'registered'
GROUP BY 1, 2, 3, 4, 5, 6"""

_DEPARTURES = f"""
INSERT INTO {DepartureFigure._meta.db_table}
    (year, month, city_id, unit_id, agency_id, country, departure_trade, poverty_status, n)
SELECT extract(year FROM c.departed_on)::int, date_trunc('month', c.departed_on)::date,
       c.city_id, c.unit_id, c.agency_id, c.country, c.departure_trade, p.poverty_status,
       count(*)
FROM pipeline_candidacy c JOIN registry_person p ON p.id = c.person_id
WHERE c.departed_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"""

_PROJECTS = f"""
INSERT INTO {ProjectFigure._meta.db_table} (year, city_id, unit_id, agency_id, project_id, n)
SELECT extract(year FROM departed_on)::int, city_id, unit_id, agency_id, project_id, count(*)
FROM pipeline_candidacy WHERE departed_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5"""

_WITHDRAWALS = f"""
INSERT INTO {WithdrawalFigure._meta.db_table} (year, city_id, unit_id, agency_id, stage, n)
SELECT extract(year FROM ended_on)::int, city_id, unit_id, agency_id, stage, count(*)
FROM pipeline_candidacy WHERE status = %s AND ended_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5"""


@not_audited("refreshes derived figures (materialised views); no record changes")
def figures_refresh() -> FigureRefresh | None:
    """Rebuild every figure from the records in one transaction: a page reads the old figures
    until the new ones are committed. None when another refresh is running."""
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for model in (EventFigure, CohortFigure, DepartureFigure, ProjectFigure, WithdrawalFigure,
                      FigureRefresh):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(_EVENTS)
        cursor.execute(_COHORTS)
        cursor.execute(_DEPARTURES)
        cursor.execute(_PROJECTS)
        cursor.execute(_WITHDRAWALS, [CandidacyStatus.WITHDRAWN])
        done = FigureRefresh.objects.create(finished_at=timezone.now(),
                                            seconds=time.perf_counter() - start)
    return done


def figures_refreshed_at():
    """When the figures shown were made (None: never)."""
    return FigureRefresh.objects.order_by("-finished_at").values_list(
        "finished_at", flat=True).first()
