"""Benchmark: the deadline scan over 1,000,000 open items (goal, issue 5: under 10 s).

Run by hand:  .venv/bin/python bench/deadline_scan.py [items]
Builds a scratch database, inserts the items with one INSERT … SELECT generate_series (a
third due before now, a third within two working days, a third later), then times the scan
twice: the first run marks and notices, the second must change nothing."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _scratch import scratch_database  # noqa: E402


ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def main():
    with scratch_database():
        run()


def run():
    from django.db import connection

    from apps.deadlines.models import DeadlineItem, DeadlineRule, Notice
    from apps.deadlines.rules import rules_ensure
    from apps.deadlines.services import deadlines_scan
    from apps.workdays.seed import calendar_seed

    calendar_seed()
    rules_ensure(DeadlineRule)
    rule = DeadlineRule.objects.get(code="stage_data")
    Notice.objects.all().delete()
    DeadlineItem.objects.all().delete()
    item = DeadlineItem._meta.db_table
    start = time.perf_counter()
    with connection.cursor() as cursor:
        # Candidacy-less items are enough for the scan: it reads only status and due dates.
        cursor.execute(f"""
            INSERT INTO {item} (rule_id, stage, owner_role, event_on, due_on, due_at,
                                provisional, status, created_at)
            SELECT %s, 'medical', 'unit', d - 7, d, (d + 1)::timestamptz - interval '1 microsecond',
                   false, 'open', now()
            FROM (SELECT current_date + ((g %% 3) - 1) * 10 AS d FROM generate_series(1, %s) g) s
        """, [rule.pk, ITEMS])
        cursor.execute(f"ANALYZE {item}")
    print(f"{ITEMS:,} open items inserted in {time.perf_counter() - start:.1f} s")
    for label in ("first scan", "second scan"):
        start = time.perf_counter()
        result = deadlines_scan()
        elapsed = time.perf_counter() - start
        print(f"  {label:<12} {elapsed:6.2f} s   {result}")
    print(f"goal: under 10 s for {ITEMS:,} items")


if __name__ == "__main__":
    main()
