"""The demo world obeys the rules it demonstrates and lives in the current year: loaded today
and with today frozen in another year, every rule is checked on what a user would look at."""
import re
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.demo import demo_accounts_create
from apps.accounts.demo_world import demo_world_load
from apps.accounts.models import User
from apps.deadlines.models import ItemStatus
from apps.deadlines.selectors import my_items
from apps.orgs.seed import seed_load
from apps.pipeline.models import Candidacy, StageEvent
from apps.pipeline.transitions import ORDER
from apps.projects.models import JobProject, ProjectStatus
from apps.quotas.models import Task, TaskPlan
from apps.registry import idnumber
from apps.registry.models import Person
from apps.subsidies.models import STANDARD_ITEMS, Claim, ClaimStatus, Standard
from apps.training.models import Enrolment, TrainingClass


@pytest.fixture
def seeded(db, settings, tmp_path):
    """What scripts/run.sh has before the demo: the seed (orgs, 2020 tasks) and the calendar."""
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.PRODUCTION = False
    seed_load()
    call_command("calendar_seed")


def _load(capture):
    demo_accounts_create()
    with capture(execute=True):
        assert demo_world_load() is True
    return timezone.localdate()


def _timeliness_rate(client, unit_name) -> int:
    """The 及时率 the timeliness page shows for a unit (by 组织单位)."""
    page = client.get("/todo/timeliness/?by=unit").content.decode()
    row = re.search(rf"<tr><td>{unit_name}</td>(.*?)</tr>", page, re.S)
    assert row, f"no timeliness row for {unit_name}"
    rate = re.search(r'<td class="num">(\d+)%</td>', row.group(1))
    assert rate, f"no rate shown for {unit_name}: {row.group(1)}"
    return int(rate.group(1))


def _assert_rules_hold(today, client):
    sxu = User.objects.get(username="sxu")

    # Every stage event happened on or before today, in pipeline order per candidacy.
    events = list(StageEvent.objects.order_by("candidacy", "id"))
    assert events
    assert max(e.happened_on for e in events) <= today
    by_candidacy = {}
    for e in events:
        by_candidacy.setdefault(e.candidacy_id, []).append(e)
    for rows in by_candidacy.values():
        stages = [ORDER.index(e.stage) for e in rows]
        assert stages == list(range(len(rows))), [e.stage for e in rows]
        dates = [e.happened_on for e in rows]
        assert dates == sorted(dates), dates
    # It lives now: the latest events are of the last days, none older than a few months.
    assert max(e.happened_on for e in events) >= today - timedelta(days=10)
    assert min(e.happened_on for e in events) >= today - timedelta(days=120)

    # Names agree with the sex the ID number gives (17th digit odd: 男).
    from apps.accounts.demo_world import GIVEN
    people = list(Person.objects.filter(unit=sxu.unit))
    assert len(people) >= 20
    sexes = set()
    for p in people:
        info = idnumber.parse(p.id_number, today=today)
        assert p.sex == info.sex, p.name
        assert p.name[1:] in GIVEN[info.sex], f"{p.name}（{info.sex}）"
        assert p.registered_on <= today
        # Rule 36: no 报名 before the person's registration, none again before the last end.
        ends = []
        for c in p.candidacies.order_by("pk"):
            opened = c.events.get(stage="registered").happened_on
            assert opened >= p.registered_on, p.name
            assert all(opened >= end for end in ends), p.name
            ends.append(c.returned_on or c.ended_on or opened)
        sexes.add(info.sex)
    assert sexes == {"男", "女"}

    # Every published project has its 项目审查表: a number and a readable PDF.
    published = list(JobProject.objects.filter(status=ProjectStatus.PUBLISHED))
    assert published
    for project in published:
        assert project.review_no and project.reviewed_by_id and project.published_at
        with project.review_form.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"

    # The unit's timeliness is a figure strictly between 0% and 100%, as the city sees it.
    client.force_login(User.objects.get(username="taiyuan"))
    assert 0 < _timeliness_rate(client, "山西大学") < 100

    # 我的待办 has real items: the unit's still open, and the agency's overdue batch.
    unit_items = list(my_items(sxu))
    assert unit_items and all(i.due_on >= today for i in unit_items)
    agency_items = list(my_items(User.objects.get(username="ciic")))
    assert any(i.state == ItemStatus.OVERDUE for i in agency_items)
    client.force_login(sxu)
    assert "补助资金申请表（附件8）" in client.get("/todo/").content.decode()

    # This year has its tasks (the unit sees its own on its home) and its standards: a claim
    # is possible now.
    assert TaskPlan.objects.filter(year=today.year).exists()
    task = Task.objects.get(year=today.year, unit=sxu.unit)
    assert task.number and task.number > 0
    home = client.get("/").content.decode()
    assert re.search(rf"{task.number}</\w+>\s*<\w+[^>]*>{today.year}年任务数", home), \
        "the unit's home does not show this year's task"
    assert {s for s in Standard.objects.filter(year=today.year).values_list("item", flat=True)} \
        == {code for code, _ in STANDARD_ITEMS}
    # The draft claim follows its event: its people departed, in the claim's standards year.
    claim = Claim.objects.get(unit=sxu.unit, phase="departure")
    assert claim.status == ClaimStatus.DRAFT and claim.total > 0
    departed = list(Candidacy.objects.filter(unit=sxu.unit, departed_on__isnull=False))
    assert len(departed) == 3
    assert all(c.departed_on <= today for c in departed)
    assert claim.year == min(c.departed_on for c in departed).year
    assert Standard.objects.filter(year=claim.year).count() == len(STANDARD_ITEMS)
    # Two of the three departed are 脱贫劳动力 the city verified: their subsidies are on it.
    assert {line.item: line.count for line in claim.lines.filter(item__startswith="poverty_")} \
        == {"poverty_transport": 2, "poverty_placement": 2}

    # Every class with results opened on a recorded date before its first result; every
    # result is within the class and carries attendance; departures come after training.
    classes = TrainingClass.objects.filter(enrolments__result__gt="").distinct()
    assert classes.exists()
    for cls in classes:
        # Before the timerules branch a class records no opening date: its plan stands for it.
        opened_on = cls.opened_on
        results = list(cls.enrolments.exclude(result=""))
        assert opened_on is not None and opened_on <= min(e.result_on for e in results)
        assert cls.status == "ended" and cls.ends_on <= today
        for e in results:
            assert opened_on <= e.result_on <= cls.ends_on
            assert e.attended_hours and e.attended_hours > 0, e.candidacy.person.name
    for c in departed:
        trained = Enrolment.objects.get(candidacy=c)
        assert trained.result == "pass" and trained.result_on < c.departed_on
    # The 非建制班 is planned after today, so nothing of it is recorded yet.
    standing = TrainingClass.objects.get(kind="standing", unit=sxu.unit)
    assert standing.status == "planned" and standing.opens_on > today


def test_the_demo_world_obeys_the_rules_today(seeded, client, django_capture_on_commit_callbacks):
    today = _load(django_capture_on_commit_callbacks)
    _assert_rules_hold(today, client)
    from apps.dashboards.models import EventFigure
    assert EventFigure.objects.filter(year=today.year, unit__name="山西大学").exists()


@pytest.mark.parametrize("frozen", [datetime(2029, 3, 15, 10, 0), datetime(2024, 1, 8, 9, 30)])
def test_the_demo_world_moves_with_time(seeded, client, monkeypatch, frozen,
                                        django_capture_on_commit_callbacks):
    # A date early in January puts the first events in the year before: the standards and the
    # claim still follow each event's own year.
    now = timezone.make_aware(frozen, timezone.get_default_timezone())
    monkeypatch.setattr(timezone, "now", lambda: now)
    today = _load(django_capture_on_commit_callbacks)
    assert today == frozen.date()
    _assert_rules_hold(today, client)


def test_the_demo_world_is_loaded_once_and_never_in_production(seeded, settings):
    demo_accounts_create()
    assert demo_world_load() is True
    counts = (Person.objects.count(), StageEvent.objects.count(), Claim.objects.count(),
              Standard.objects.count(), Task.objects.count(), JobProject.objects.count())
    demo_accounts_create()  # scripts/run.sh a second time
    assert demo_world_load() is False
    assert (Person.objects.count(), StageEvent.objects.count(), Claim.objects.count(),
            Standard.objects.count(), Task.objects.count(), JobProject.objects.count()) == counts
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="生产环境不得载入演示数据"):
        demo_world_load()
