"""Issue 17: the figures are kept on write (no rebuild) and recounted every night."""
from datetime import date

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from apps.dashboards.models import EventFigure, FigureRefresh
from apps.dashboards.services import figures_recount
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.pipeline.services import candidacy_open, candidacy_record, candidacy_withdraw
from apps.registry.models import PovertyStatus
from apps.registry.services import person_transfer, person_update
from tests.dashboards.records import _people, _person, dashboard_data
from tests.pipeline_walk import walk

pytestmark = pytest.mark.django_db
YEAR = 2020


@pytest.fixture
def data(world):
    return dashboard_data(world)


def _page(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboards:dashboard", args=[YEAR]))
    assert response.status_code == 200
    return response.context["tables"], response.content.decode()


def _row(table, label):
    return next(row for row in table.rows if row[0] == label)


def _funnel(tables, stage):
    return _row(tables["funnel"], Stage(stage).label)


def test_a_departure_recorded_shows_on_the_dashboard_without_a_rebuild(data, client):
    tables, _ = _page(client, data.province)  # and keeps the sums of this version
    departed_ty = _row(tables["city"], "太原")[8]
    japan = _row(tables["country"], "日本")[1]
    c = walk(candidacy_open(person=_person(data.unit_u1), project=data.project_a1,
                            actor=data.unit_u1, on=date(2020, 7, 1)),
             unit_user=data.unit_u1, agency_user=data.agency_a1, until=Stage.TRAINING)
    tables, _ = _page(client, data.province)
    assert _row(tables["city"], "太原")[8] == departed_ty  # trained, not yet departed
    candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED, on=date(2020, 9, 1),
                     actor=data.agency_a1, passport_no="E7654321", residence_status_no="R9",
                     country="日本", departure_trade="介护", employer="さくら")
    tables, page = _page(client, data.province)
    assert _row(tables["city"], "太原")[8] == departed_ty + 1
    assert _row(tables["country"], "日本")[1] == japan + 1
    assert not FigureRefresh.objects.exists()  # no recount ran
    # The city of 大同 sees none of it; 太原's city does.
    assert _row(_page(client, data.city_ty)[0]["city"], "太原")[8] == departed_ty + 1


def test_registration_and_withdrawal_show_at_once(data, client):
    tables, _ = _page(client, data.city_ty)
    registered = _funnel(tables, Stage.REGISTERED)[1]
    withdrawn = _funnel(tables, Stage.FIRST_INTERVIEW)[4]
    c = candidacy_open(person=_person(data.unit_u1), project=data.project_a1,
                       actor=data.unit_u1, on=date(2020, 8, 3))
    c = candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                         on=date(2020, 8, 10), actor=data.agency_a1)
    candidacy_withdraw(c, actor=data.unit_u1, on=date(2020, 8, 12), reason="个人原因")
    tables, _ = _page(client, data.city_ty)
    assert _funnel(tables, Stage.REGISTERED)[1] == registered + 1
    assert _funnel(tables, Stage.FIRST_INTERVIEW)[4] == withdrawn + 1
    assert figures_recount().differences == 0  # what was kept is what the records say


def test_a_person_moved_to_another_unit_takes_their_figures_along(data, client):
    departed = Candidacy.objects.filter(unit=data.u1, status=CandidacyStatus.ABROAD).first()
    tables, _ = _page(client, data.province)
    u1, u2 = _row(tables["unit"], "山西大学")[8], _row(tables["unit"], "太原学院")[8]
    person_transfer(departed.person, to_unit=data.u2, reason="工作调动", actor=data.province)
    tables, _ = _page(client, data.province)
    assert (_row(tables["unit"], "山西大学")[8], _row(tables["unit"], "太原学院")[8]) == (
        u1 - 1, u2 + 1)
    assert figures_recount().differences == 0


def test_a_change_of_poverty_status_moves_the_persons_figures(data, client):
    tables, _ = _page(client, data.province)
    lifted = _row(tables["poverty"], PovertyStatus.LIFTED.label)
    person = Candidacy.objects.filter(status=CandidacyStatus.ABROAD,
                                      person__poverty_status="").first().person
    person_update(person, actor=data.unit_u1 if person.unit_id == data.u1.pk else
                  data.unit_u2 if person.unit_id == data.u2.pk else data.unit_u3,
                  poverty_status=PovertyStatus.LIFTED)
    tables, _ = _page(client, data.province)
    now = _row(tables["poverty"], PovertyStatus.LIFTED.label)
    assert (now[1], now[3]) == (lifted[1] + 1, lifted[3] + 1)  # registered, departed
    assert figures_recount().differences == 0


def test_the_recount_repairs_a_corrupted_figure_and_tells_the_province(data, client):
    true = _row(_page(client, data.province)[0]["city"], "太原")[8]
    kept = EventFigure.objects.filter(year=YEAR, city=data.ty, stage=Stage.DEPARTURE,
                                      result=Result.DEPARTED).first()
    EventFigure.objects.filter(pk=kept.pk).update(n=F("n") + 5)  # a figure gone wrong
    cache.clear()  # a minute later: the kept sums have expired
    assert _row(_page(client, data.province)[0]["city"], "太原")[8] == true + 5
    done = figures_recount()
    assert done.differences == 1
    assert _row(_page(client, data.province)[0]["city"], "太原")[8] == true
    (repair,) = done.repairs
    assert repair["key"]["city_id"] == data.ty.pk and repair["kept"][0] - repair["true"][0] == 5
    audit = AuditEvent.objects.get(action=AuditAction.FIGURES)
    assert "1项统计数与原始记录不符" in audit.detail
    _, page = _page(client, data.province)
    assert "最近一次核对发现 1 项统计数与原始记录不符" in page
    assert "最近一次核对发现" not in _page(client, data.city_ty)[1]  # the province's notice
    # A clean night: nothing to repair, nothing logged.
    assert figures_recount().differences == 0
    assert AuditEvent.objects.filter(action=AuditAction.FIGURES).count() == 1


def test_the_recount_folds_the_days_rows_into_one_per_key(data):
    rows = EventFigure.objects.count()
    sums = EventFigure.objects.aggregate(n=Sum("n"), d=Sum("days_sum"))
    figures_recount()
    assert EventFigure.objects.count() < rows
    assert EventFigure.objects.aggregate(n=Sum("n"), d=Sum("days_sum")) == sums


def test_the_recount_runs_nightly_instead_of_the_half_hour_rebuild():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.dashboards.tasks.figures_refresh" not in tasks
    schedule = tasks["apps.dashboards.tasks.figures_recount"]
    assert schedule.hour == {2} and schedule.minute == {30}


def test_more_people_do_not_add_queries_to_the_write_path(data):
    """The figures cost the same few statements per event whatever the data."""
    c = candidacy_open(person=_person(data.unit_u1), project=data.project_a1,
                       actor=data.unit_u1, on=date(2020, 8, 3))
    with CaptureQueriesContext(connection) as first:
        candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                         on=date(2020, 8, 10), actor=data.agency_a1)
    c2, *_ = _people(data, unit_user=data.unit_u1, agency_user=data.agency_a1,
                     project=data.project_a1, registered=3, start=date(2020, 8, 3))
    with CaptureQueriesContext(connection) as second:
        candidacy_record(c2, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                         on=date(2020, 8, 10), actor=data.agency_a1)
    assert len(second) == len(first)
    assert sum("dashboards_eventfigure" in q["sql"] for q in second.captured_queries) == 1


def test_the_kept_tables_follow_a_change_of_task_or_project_at_once(data, client):
    """The finished tables are kept under the figures' version; the tasks, organisations and
    projects they read live change that version too, by every path (save, and the status
    moves that update() without a save)."""
    from apps.dashboards.services import figures_version
    from apps.projects.services import project_close
    from apps.quotas.models import Task
    from apps.quotas.services import task_set_number

    tables, _ = _page(client, data.province)
    task = Task.objects.get(pk=data.task_ty.pk)
    shown = _row(tables["city"], "太原")[1]
    task_set_number(task, number=task.number + 40, note="追加", actor=data.province)
    tables, _ = _page(client, data.province)
    assert _row(tables["city"], "太原")[1] == shown + 40
    before = figures_version()
    project_close(data.project_a1, actor=data.agency_a1)
    assert figures_version() != before


def _tables_read(client, user):
    """The page's tables and the figure tables its queries read."""
    with CaptureQueriesContext(connection) as captured:
        tables, _ = _page(client, user)
    # The sums a table is built from (the filter's list of countries is not one).
    read = {name for q in captured.captured_queries for name in (
        "dashboards_eventfigure", "dashboards_departurefigure", "dashboards_projectfigure")
        if f'SUM("{name}"."n")' in q["sql"]}
    return tables, read


def test_a_write_rebuilds_only_the_tables_that_read_what_it_added(data, client):
    """Each finished table is kept with the parts of the version it was built from: a first
    interview adds event figures, so the funnel is built again and shows it, while the
    departure and project tables are the kept ones (their figures did not change); a
    departure then builds those again and they show it."""
    tables, read = _tables_read(client, data.province)
    assert len(read) == 3  # the first view builds every table
    first = _funnel(tables, Stage.FIRST_INTERVIEW)[1]
    japan = _row(tables["country"], "日本")[1]
    filled = _row(tables["project"], data.project_a1.name)[2]
    c = candidacy_open(person=_person(data.unit_u1), project=data.project_a1,
                       actor=data.unit_u1, on=date(2020, 7, 1))
    candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=date(2020, 7, 5),
                     actor=data.agency_a1)
    tables, read = _tables_read(client, data.province)
    assert _funnel(tables, Stage.FIRST_INTERVIEW)[1] == first + 1
    assert read == {"dashboards_eventfigure"}  # the departures' and projects' were kept
    walk(candidacy_open(person=_person(data.unit_u1), project=data.project_a1,
                        actor=data.unit_u1, on=date(2020, 7, 1)),
         unit_user=data.unit_u1, agency_user=data.agency_a1, until=Stage.DEPARTURE)
    tables, read = _tables_read(client, data.province)
    assert {"dashboards_departurefigure", "dashboards_projectfigure"} <= read
    assert _row(tables["country"], "日本")[1] == japan + 1
    assert _row(tables["project"], data.project_a1.name)[2] == filled + 1
