"""Synthetic data at scale (issue 6): persons, candidacies and stage events by set-based SQL.

1,000,000 persons and 10,000,000 stage events are made with three INSERT … SELECT statements
over generate_series, so the database does the work in minutes, not Python in hours.

What is synthetic, honestly:
- The ID numbers are valid (GB 11643) synthetic numbers, but there are only 1,000 distinct
  ciphertexts: 1,000 IDs are encrypted once in Python and each person's column holds one of
  them (AES-GCM per row would take an hour). The unique blind index ``id_hash`` is a
  per-row token ``scale…`` that is not the HMAC of the number, so exact ID search does not
  find these people. Phones and passports are empty.
- Triggers are off for the session (``session_replication_role = replica``): no history rows
  (pghistory) and no foreign-key trigger checks; the SQL builds only valid references.
- No deadline items, sessions or evidence: the dashboards and list pages do not read them.

The pipeline is the shape the dashboards expect: every candidacy is registered; 90% reach the
first interview, 75% the medical, 65% the second interview, 55% the contract, 50% training,
45% departure and 20% return (about 5 events per candidacy); the rest stop at their last stage,
the latest candidacy of a person still open (half of them) or ended with a fail, earlier
candidacies ended. Dates spread from 2020 to 2026, so one year holds about a seventh.
"""
import time
from datetime import date

from django.db import connection, transaction

from apps.pipeline.models import Candidacy, StageEvent
from apps.pipeline.transitions import ORDER
from apps.registry.models import Person

COUNTRIES = ["日本", "新加坡", "以色列", "韩国", "德国"]
TRADES = ["介护", "建筑", "农业", "制造", "餐饮", "焊接"]
ONWARD = {"registered": "registered", "first_interview": "pass", "medical": "pass",
          "second_interview": "pass", "contract": "signed", "training": "pass",
          "departure": "departed", "return": "returned"}
FAILED = {"contract": "not_signed", "departure": "not_departed"}  # others: "fail"
REACH = [90, 75, 65, 55, 50, 45, 20]  # % reaching stages 2..8


def _sql_array(values, cast):
    return "ARRAY[" + ",".join(str(v) for v in values) + f"]::{cast}[]"


def _text_array(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def _defaults(model, given: dict) -> tuple[list[str], list[str]]:
    """Columns and SQL expressions: ``given`` where named, else the field's constant default."""
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.attname in given:
            exprs.append(given[field.attname])
        elif field.null and not field.has_default():
            exprs.append("NULL")
        else:
            value = field.get_default()  # "" for a text column without one, as Django
            if isinstance(value, bool):
                exprs.append("true" if value else "false")
            elif isinstance(value, dict):
                exprs.append("'{}'::jsonb")
            else:
                exprs.append("'" + str(value).replace("'", "''") + "'")
    return columns, exprs


def _insert(cursor, model, given, source):
    columns, exprs = _defaults(model, given)
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
                   f"SELECT {', '.join(exprs)} FROM {source}")
    return cursor.rowcount


def _depth(k):
    """SQL: how many stages candidacy number k went through (1..8)."""
    # The top bits of Knuth's multiplicative hash: the low ones would repeat every 100 k and
    # tie the depth to the project, country and trade, which are also taken modulo k.
    h = f"((({k})::bigint * 2654435761 % 4294967296) * 100 / 4294967296)"
    return "(1 + " + " + ".join(f"({h} < {p})::int" for p in REACH) + ")"


def scale_generate(*, persons: int, events: int, actor, say=print) -> dict:
    """Insert ``persons`` persons and about ``events`` stage events (candidacies ≈ events / 5)."""
    from apps.orgs.models import OrganisingUnit
    from apps.projects.models import JobProject, ProjectStatus
    from apps.registry.idnumber import make_id
    from apps.common.crypto import encrypt

    units = list(OrganisingUnit.objects.order_by("pk").values_list("pk", "city_id"))
    projects = list(JobProject.objects.filter(status=ProjectStatus.PUBLISHED).order_by("pk")
                    .values_list("pk", "agency_id"))
    if not units or not projects:
        raise ValueError("需要先有组织单位和已发布的岗位项目（seed_load 并创建项目）")
    pool = [encrypt(make_id(region="140105", birth=date(1980 + i % 25, 1 + i % 12, 1 + i % 28),
                            seq=f"{i % 1000:03d}")) for i in range(1000)]
    candidacies = max(events // 5, persons)
    unit_ids = _sql_array([u for u, _ in units], "bigint")
    unit_cities = _sql_array([c for _, c in units], "bigint")
    project_ids = _sql_array([p for p, _ in projects], "bigint")
    project_agencies = _sql_array([a for _, a in projects], "bigint")
    nu, np_ = len(units), len(projects)
    stages = _text_array(list(ORDER))
    onward = _text_array([ONWARD[s] for s in ORDER])
    failed = _text_array([FAILED.get(s, "fail") for s in ORDER])
    out = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        start = time.perf_counter()
        out["persons"] = _insert(cursor, Person, {
            "name": "'测试' || i", "sex": "CASE WHEN i % 2 = 0 THEN '男' ELSE '女' END",
            "birth_date": "date '1980-01-01' + (i * 7 % 9000)",
            "id_number": f"({_text_array(pool)})[1 + i % 1000]",
            "id_hash": "'scale' || lpad(i::text, 59, '0')",
            "category": "CASE WHEN i % 3 = 0 THEN '学生' ELSE '社会人员' END",
            "poverty_status": "CASE WHEN i % 10 = 0 THEN '脱贫劳动力' "
                              "WHEN i % 50 = 1 THEN '监测对象' ELSE '' END",
            "unit_id": f"({unit_ids})[1 + i % {nu}]",
            "city_id": f"({unit_cities})[1 + i % {nu}]",
            "registered_on": "date '2020-01-01' + (i % 2500)",
            "created_by_id": str(actor.pk), "created_at": "now()", "updated_at": "now()",
        }, f"generate_series(1, {int(persons)}) AS g(i)")
        cursor.execute("SELECT min(id), max(id) FROM registry_person WHERE id_hash LIKE 'scale%'")
        first_person, last_person = cursor.fetchone()
        assert last_person - first_person + 1 == out["persons"], "person ids not contiguous"
        say(f"persons: {out['persons']:,} in {time.perf_counter() - start:.0f} s")

        # Candidacy k belongs to person ((k-1) % P) + 1; the last P are each person's latest.
        start = time.perf_counter()
        d = "c.depth"
        last_stage = f"({stages})[{d}]"
        is_open = f"(c.k > {candidacies} - {persons} AND (c.k % 2 = 0 OR {d} >= 7))"
        ended = f"(NOT {is_open} AND {d} < 7)"
        result = (f"CASE WHEN {d} = 1 OR NOT {ended} THEN ({onward})[{d}] "
                  f"ELSE ({failed})[{d}] END")
        departed = f"({d} >= 7)"
        reg = "(date '2020-01-01' + (c.k * 37 % 2450)::int)"
        step = "(5 + c.k % 25)::int"
        source = (f"(SELECT k, {_depth('k')} AS depth, ((k - 1) % {persons}) + 1 AS i "
                  f"FROM generate_series(1, {candidacies}) AS g(k)) AS c")
        out["candidacies"] = _insert(cursor, Candidacy, {
            "person_id": f"{first_person} - 1 + c.i",
            "project_id": f"({project_ids})[1 + c.k % {np_}]",
            "agency_id": f"({project_agencies})[1 + c.k % {np_}]",
            "unit_id": f"({unit_ids})[1 + c.i % {nu}]",
            "city_id": f"({unit_cities})[1 + c.i % {nu}]",
            "stage": last_stage, "result": result,
            "stage_on": f"{reg} + ({d} - 1) * {step}",
            "status": f"CASE WHEN {d} = 8 THEN 'returned' WHEN {is_open} AND {d} = 7 "
                      f"THEN 'abroad' WHEN {is_open} THEN 'active' "
                      f"WHEN {d} = 1 THEN 'withdrawn' ELSE 'ended' END",
            "country": f"CASE WHEN {departed} THEN ({_text_array(COUNTRIES)})"
                       f"[1 + c.k % {len(COUNTRIES)}] ELSE '' END",
            "departure_trade": f"CASE WHEN {departed} THEN ({_text_array(TRADES)})"
                               f"[1 + c.k % {len(TRADES)}] ELSE '' END",
            "departed_on": f"CASE WHEN {departed} THEN {reg} + 6 * {step} END",
            # Terms of 1, 2 and 3 years, and the register's stored end of each.
            "contract_term": f"CASE WHEN {d} >= 5 THEN (1 + c.k % 3)::text || '年' ELSE '' END",
            "contract_ends_on": f"CASE WHEN {departed} THEN CAST({reg} + 6 * {step} "
                                f"+ make_interval(years => (1 + c.k % 3)::int) AS date) END",
            "returned_on": f"CASE WHEN {d} = 8 THEN {reg} + 7 * {step} END",
            "ended_on": f"CASE WHEN {ended} OR {d} = 1 AND NOT {is_open} "
                        f"THEN {reg} + ({d} - 1) * {step} END",
            "created_by_id": str(actor.pk), "created_at": "now()", "updated_at": "now()",
        }, source)
        cursor.execute("SELECT min(id) FROM pipeline_candidacy WHERE created_by_id = %s",
                       [actor.pk])
        first_candidacy = cursor.fetchone()[0]
        say(f"candidacies: {out['candidacies']:,} in {time.perf_counter() - start:.0f} s")

        # One event per stage reached: the earlier ones onward, the last one the result.
        start = time.perf_counter()
        source = (f"(SELECT id, id - {first_candidacy} + 1 AS k, result, "
                  f"array_position({stages}, stage) AS depth FROM pipeline_candidacy "
                  f"WHERE created_by_id = {actor.pk}) AS c "
                  f"JOIN generate_series(1, 8) AS o(idx) ON o.idx <= c.depth")
        out["events"] = _insert(cursor, StageEvent, {
            "candidacy_id": "c.id", "stage": f"({stages})[o.idx]",
            "result": f"CASE WHEN o.idx < c.depth THEN ({onward})[o.idx] ELSE c.result END",
            "happened_on": f"{reg} + (o.idx - 1) * {step}", "details": "'{}'::jsonb",
            "recorded_by_id": str(actor.pk), "recorded_at": "now()",
        }, source)
        say(f"events: {out['events']:,} in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        # VACUUM too (not possible inside a test's transaction): it marks the pages
        # all-visible, so that counts by index (a project's filled places) read no rows.
        analyze = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for model in (Person, Candidacy, StageEvent):
            cursor.execute(f"{analyze} {model._meta.db_table}")
    from apps.dashboards.services import figures_recount
    start = time.perf_counter()
    figures_recount()  # the dashboards read the figures, not the events
    say(f"dashboard figures in {time.perf_counter() - start:.0f} s")
    return out


def scale_prepare(*, projects: int = 2_000):
    """The reference data the generator needs: the seed's organisations (loaded when absent),
    published projects, and an inactive generator account that stands as the recorder."""
    from apps.accounts.models import Role, User
    from apps.orgs.models import Agency, City
    from apps.orgs.seed import seed_load
    from apps.projects.models import JobProject, ProjectStatus

    if not City.objects.exists():
        seed_load()
    actor, _ = User.objects.get_or_create(username="scale_generator", defaults={
        "role": Role.PROVINCE, "is_active": False})
    if not JobProject.objects.filter(status=ProjectStatus.PUBLISHED).exists():
        agencies = list(Agency.objects.order_by("pk"))
        JobProject.objects.bulk_create(JobProject(
            agency=agencies[i % len(agencies)], name=f"规模测试项目{i + 1}",
            country=COUNTRIES[i % len(COUNTRIES)], trade=TRADES[i % len(TRADES)],
            headcount=5000, status=ProjectStatus.PUBLISHED, review_no=f"规模-{i + 1}")
            for i in range(projects))
    return actor
