"""Benchmark (issue 6): list and dashboard pages over 1,000,000 persons and 10,000,000 events.

Run by hand:  DATABASE_URL=postgres://…/<name> .venv/bin/python bench/dashboard.py [persons] [events]
The scratch database is bench_<name> (bench/_scratch.py), kept between runs (keepdb, and not
serialized): a second run with the same sizes reuses the data; figures are refreshed when
the database has none. Goals: p95 server time ≤ 150 ms; query count independent of the data
size (also asserted by tests/dashboards); each dashboard ≤ 2× the bare GROUP BY queries it
needs, timed here as plain SQL on the same connection. Prints the figures and the ratios;
"sql ms" is the time a page spends in its queries (one run).

Before (2026-11-22, 2 shared cores; 1,000,000 persons, 2,000,000 candidacies, 10,000,003
events, year 2020 ≈ 1.3 M events), the dashboards scanning the events, p50 / p95 ms (queries):
  dashboard province 11,535 / 15,079 (16), city 14,548 / 17,068 (15), observer 9,806 / 9,876 (13)
  person list 749 / 830 (6) and 894 / 941 (7) as city; candidacy list 4,822 / 5,591 (9) and
  1,367 / 1,385 (10) as city; project list 124 / 124 (6); public page 236 / 239 (2)
  province dashboard / its GROUP BYs over the events as plain SQL (8,065 ms) = 1.43.

After (same data, same machine, 15 runs; the dashboards read the pre-aggregated figures of
apps/dashboards/models.py: 5,850 + 4,752 + 18,000 + 450 rows for 2020, rebuilt in 38 s;
the lists count at most 10,001 rows; the project counts are index-only), p50 / p95 ms
(queries, of which ms in SQL); queries counted after a warm-up request, hence one fewer:
  dashboard province 46 / 50 (14, 20), city 33 / 34 (13, 14), observer 30 / 31 (11, 11)
  person list 22 / 23 (6, 4) and 29 / 30 (7, 10) as city; candidacy list 53 / 112 (9, 12)
  and 50 / 52 (10, 9) as city; project list 24 / 26 (5, 9); public page 32 / 34 (2, 16)
  province dashboard / its GROUP BYs over the figures as plain SQL (17 ms) = 2.66: its own
  queries take 20 ms (1.2×); the rest is Python (2,000 project rows for the export, the
  request's middleware) and the template. Every page is under the 150 ms p95 goal; the 2×
  ratio is not met by the page as a whole.

Then (same day, same data, 15 runs): the figures' sums are kept per scope until the next
refresh (their refresh time is in the cache key), so only the first view of a scope after a
refresh runs the GROUP BYs (≈ 46–50 ms, as above); the views after it, which this bench
times: dashboard province 21 / 21 (10, 3), city 16 / 17 (10, 2), observer 14 / 15 (8, 1);
province dashboard / its bare GROUP BYs (16 ms) = 1.30.

Issue 17 (2026-12-02, full size 1,000,000 / 10,000,003, 9 runs, on a machine at load
average ≈ 7 on 2 cores — other engineers' test suites — so every absolute figure is inflated:
the same bare GROUP BYs took 137 ms here against 16 ms before). Before (issue 17's text,
same sizes): province dashboard p50 52 / p95 192 ms; freshness up to 30 minutes (the
rebuild). After, figures kept on write (delta rows in the service's transaction):
  freshness: a committed stage event was on the province's dashboard after 405 ms (one page
  view; goal ≤ 60 s), no rebuild.
  write path, 100 stage events each way, medians: 80.5 ms with figures, 76.1 ms without:
  extra 4.4 ms (goal ≤ 2 ms: NOT met as measured under this load), ratio 1.06 (goal ≤ 1.5).
  dashboard province 198 / 254, city 151 / 211, observer 141 / 168 ms; province dashboard /
  bare GROUP BYs = 1.45. The 50 ms province goal is not shown met: re-measure on a quiet
  machine before concluding either way.

Issue 17 again (2026-12-02 evening, same sizes, 15 runs, a quiet machine: load < 1).
Measured first: dashboard province 175 / 269 ms (15 queries, 12 ms of SQL), city 81 / 92,
observer 38 / 42; bare GROUP BYs 30 ms (ratio 5.79); write path 18.50 ms with figures,
16.04 without: extra 2.45 ms (goal ≤ 2), ratio 1.15; freshness 345 ms. A profile showed the
page's time in Python: the ~2,800 drill-down links reversed and urlencoded one by one (60%),
the tables built again on every view, the filter selects rendered through two template
includes an option. After (drill-down URLs kept per query, the finished tables kept under
the figures' version, which now also follows tasks, organisations and projects; selects
written in Python), timed the same way: dashboard province 45 / 52, city 34 / 41, observer
20 / 22 ms, that is p50 within the 50 ms goal and p95 just over it; the first view after a
write builds the tables again (≈ the "before" figure less the links, ~80 ms). The write
path's figure inserts now go in one round trip (not yet re-measured on a quiet machine).

Issue 17 closed (2026-12-03, a fresh scratch database of the same sizes made in 219 s, a
quiet machine: load < 1.3, 15 runs; 200 stage events each way for the write path):
  dashboard province 23 / 31 ms (10 queries, 5 ms of SQL), city 20 / 22, observer 10 / 10
  person list 14 / 15 and 15 / 16; candidacy list 26 / 27 and 27 / 29; projects 20 / 20;
  public page 31 / 42. Province dashboard / its bare GROUP BYs (12 ms) = 1.99 (goal ≤ 2).
  write path: 12.50 ms a stage event with the figures kept, 11.08 without: extra 1.42 ms
  (goal ≤ 2), ratio 1.13 (goal ≤ 1.5).
  freshness: a committed event on the province's dashboard after 92 ms (goal ≤ 60 s).
Every goal of the issue is met as measured here; bench/lists.py has every list page.

Then a write rebuilds only the tables that read what it added (2026-12-03, a fresh scratch
database made in 841 s, measured at load average 3–4 on 2 cores — other engineers' test
suites — so every figure is inflated about 3×: the same bare GROUP BYs took 53 ms against 12
quiet): dashboard province 79 / 126, city 88 / 113, observer 41 / 49; write path extra 4.03
ms, ratio 1.09; freshness 188 ms; the province's dashboard viewed after a stage event each
time (the tables that read stage events built again, the project and departure tables kept
on a first interview) 218 / 317 ms, about 2.5× a view of kept tables at the same load. Not
re-measured quiet: that figure is the cost of a first view after a write, which no goal
names, and the steady views are those above."""
import os
import statistics
from contextlib import nullcontext
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scratch import scratch_database  # noqa: E402

PERSONS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
RUNS = int(os.environ.get("BENCH_RUNS", 15))
PROJECTS = 2_000  # about 1,000 candidacies a project at full size
YEAR = 2020


def main():
    with scratch_database():
        run()


def _times(fn, runs=RUNS):
    fn()  # warm: plans, caches
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return _p50_p95(out)


def _p50_p95(times):
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95 + 0.5) - 1)]


def _bare_sql():
    """The GROUP BYs the province's dashboard needs, as plain SQL over the pre-aggregated
    figures (no ORM, no scoping, no template): the ratio is what the page adds to the
    aggregation it cannot avoid."""
    y = f"year = {YEAR}"
    return {
        "events by city, unit, stage, result, poverty (+ stage days)":
            f"SELECT city_id, unit_id, stage, result, poverty_status, sum(n), sum(days_n), "
            f"sum(days_sum), max(days_max) FROM dashboards_eventfigure WHERE {y} "
            f"GROUP BY 1, 2, 3, 4, 5",
        "withdrawn": f"SELECT stage, sum(n) FROM dashboards_withdrawalfigure WHERE {y} GROUP BY 1",
        "by project": f"SELECT project_id, sum(n) FROM dashboards_projectfigure WHERE {y} "
                      f"GROUP BY 1",
        "departures by agency, country, trade, month, poverty":
            f"SELECT a.name, f.country, f.departure_trade, f.month, f.poverty_status, sum(f.n) "
            f"FROM dashboards_departurefigure f LEFT JOIN orgs_agency a ON a.id = f.agency_id "
            f"WHERE {y} GROUP BY 1, 2, 3, 4, 5",
    }


def run():
    import logging

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from apps.dashboards.models import (
        DepartureFigure, EventFigure, FigureRefresh, ProjectFigure, WithdrawalFigure,
    )
    from apps.dashboards.scale import scale_generate, scale_prepare
    from apps.dashboards.services import figures_recount
    from apps.orgs.models import City
    from apps.pipeline.models import StageEvent
    from apps.registry.models import Person

    logging.getLogger("axes").setLevel(logging.WARNING)
    actor = scale_prepare(projects=PROJECTS)
    have = Person.objects.filter(id_hash__startswith="scale").count()
    if have != PERSONS:
        if have:
            print(f"the scratch database holds {have:,} generated persons, not {PERSONS:,}: "
                  "drop it (dropdb) or run with those sizes")
            return
        start = time.perf_counter()
        scale_generate(persons=PERSONS, events=EVENTS, actor=actor)
        print(f"generated in {time.perf_counter() - start:.0f} s")
    if not FigureRefresh.objects.exists():
        start = time.perf_counter()
        figures_recount()
        print(f"dashboard figures refreshed in {time.perf_counter() - start:.0f} s")
    events = StageEvent.objects.count()
    print(f"data: {Person.objects.count():,} persons, {events:,} stage events; year {YEAR}")
    print("figures: " + ", ".join(f"{m.__name__} {m.objects.filter(year=YEAR).count():,}"
                                  for m in (EventFigure, DepartureFigure, ProjectFigure,
                                            WithdrawalFigure)) + f" rows in {YEAR}")

    users = bench_users()
    pages = [
        ("dashboard", "province", reverse("dashboards:dashboard", args=[YEAR])),
        ("dashboard", "city", reverse("dashboards:dashboard", args=[YEAR])),
        ("dashboard", "observer", reverse("dashboards:dashboard", args=[YEAR])),
        ("person list", "province", reverse("registry:person_list")),
        ("person list", "city", reverse("registry:person_list")),
        ("candidacy list", "province", reverse("pipeline:candidacy_list")),
        ("candidacy list", "city", reverse("pipeline:candidacy_list")),
        ("project list", "province", reverse("projects:project_list")),
        ("public page", None, reverse("publicity:public_home")),
    ]
    client = Client()
    results = {}
    print(f"\n{'page':<16}{'as':<10}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'sql ms':>8}")
    for name, role, url in pages:
        client.logout()
        if role:
            client.force_login(users[role])
            user = users[role]
            _second_factor(client, user)  # the second factor is not what is measured

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        queries = []

        def timed(execute, sql, *args):
            start = time.perf_counter()
            try:
                return execute(sql, *args)
            finally:
                queries.append((time.perf_counter() - start) * 1000)

        get()  # warm, then once more counting and timing the queries
        with connection.execute_wrapper(timed):
            get()
        p50, p95 = _times(get)
        results[(name, role)] = p50
        print(f"{name:<16}{role or '—':<10}{p50:9.0f}{p95:9.0f}{len(queries):9d}"
              f"{sum(queries):8.0f}{'' if p95 <= 150 else '   over the 150 ms goal'}")

    print("\nbare GROUP BY (plain SQL over the figures, the province's dashboard):")
    bare_total = 0.0
    with connection.cursor() as cursor:
        for label, sql in _bare_sql().items():
            p50, _ = _times(lambda: (cursor.execute(sql), cursor.fetchall()), runs=5)
            bare_total += p50
            print(f"  {label:<56}{p50:9.0f} ms")
    print(f"  {'total':<56}{bare_total:9.0f} ms")
    ratio = results[("dashboard", "province")] / bare_total
    print(f"\nprovince dashboard / bare GROUP BY = {ratio:.2f} (goal ≤ 2)")
    _write_path(users, client)


WRITES = int(os.environ.get("BENCH_WRITES", 200))


def bench_users():
    """The benchmark's accounts: the province, 太原's city, the observer."""
    from apps.accounts.models import Role, User
    from apps.orgs.models import City

    taiyuan = City.objects.get(short_name="太原")
    return {role: User.objects.get_or_create(username=f"bench_{role}", defaults=defaults)[0]
            for role, defaults in [("province", {"role": Role.PROVINCE}),
                                   ("city", {"role": Role.CITY, "city": taiyuan}),
                                   ("observer", {"role": Role.OBSERVER})]}


def _write_path(users, client):
    """Issue 17: the stage-event write path with figure-keeping on and off, and freshness
    (a committed event to its figure on the province's dashboard)."""
    from datetime import timedelta
    from unittest import mock

    from django.urls import reverse

    from apps.pipeline import services as pipeline
    from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage

    city = users["city"]
    waiting = list(Candidacy.objects.filter(
        city=city.city_id, stage=Stage.REGISTERED, status=CandidacyStatus.ACTIVE,
        stage_on__year=YEAR).order_by("id")[:2 * WRITES + 1 + RUNS])
    if len(waiting) < 2 * WRITES + 1 + RUNS:
        print(f"\nwrite path: only {len(waiting)} registered candidacies left in {YEAR}; "
              "regenerate the scratch database")
        return

    def record(c):
        pipeline.candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                                  on=c.stage_on + timedelta(days=3), actor=city)

    times = {"on": [], "off": []}
    # Alternating one by one: both sides see the same load of a shared machine.
    for i, c in enumerate(waiting[:2 * WRITES]):
        side = "on" if i % 2 == 0 else "off"
        with mock.patch.object(pipeline, "figures_add_event",
                               lambda *a, **k: None) if side == "off" else nullcontext():
            start = time.perf_counter()
            record(c)
            times[side].append((time.perf_counter() - start) * 1000)
    on, off = (statistics.median(times[k]) for k in ("on", "off"))
    print(f"\nstage event through the service ({WRITES} each, medians): figures kept "
          f"{on:.2f} ms, without {off:.2f} ms; extra {on - off:.2f} ms (goal ≤ 2), "
          f"ratio {on / off:.2f} (goal ≤ 1.5)")

    # Freshness: commit an event, then read the province's dashboard until it shows it.
    client.logout()
    client.force_login(users["province"])
    _second_factor(client, users["province"])
    url = reverse("dashboards:dashboard", args=[YEAR])

    def first_interviews():
        tables = client.get(url).context["tables"]
        return next(r for r in tables["funnel"].rows if r[0] == Stage.FIRST_INTERVIEW.label)[2]

    before = first_interviews()  # the sums are kept now: the next view must not use them
    record(waiting[2 * WRITES])
    committed = time.perf_counter()
    while first_interviews() != before + 1:
        if time.perf_counter() - committed > 120:
            print("freshness: not shown after 120 s")
            return
    print(f"freshness: committed event on the province's dashboard after "
          f"{(time.perf_counter() - committed) * 1000:.0f} ms (goal ≤ 60 s)")

    # A busy day: a stage event recorded before every view, so each view is the first of
    # its version (the tables that read the new figures are built again, the rest kept).
    after = []
    for c in waiting[2 * WRITES + 1:]:
        record(c)
        start = time.perf_counter()
        first_interviews()
        after.append((time.perf_counter() - start) * 1000)
    p50, p95 = _p50_p95(after)
    print(f"dashboard province, a stage event before each view ({len(after)}): "
          f"p50 {p50:.0f} / p95 {p95:.0f} ms")


def _second_factor(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY

    from apps.accounts.models import TotpDevice
    device = TotpDevice.objects.filter(user=user, confirmed=True).first() or \
        TotpDevice.objects.create(user=user, name="bench", confirmed=True, key="00" * 20)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


if __name__ == "__main__":
    main()
