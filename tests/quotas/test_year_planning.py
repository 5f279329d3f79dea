"""Yearly planning (issue 16): the province opens a year as a draft, sets it, publishes it."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.audit.models import AuditAction, AuditEvent
from apps.orgs.models import FilingStatus, OrganisingUnit, UnitCategory
from apps.quotas import services
from apps.quotas.models import PlanStatus, Task, TaskPlan
from apps.subsidies.models import Standard
from apps.subsidies.services import standards_copy

NEXT = timezone.localdate().year + 1


def _open(world, copy_from=2020, year=NEXT):
    return services.task_plan_open(year=year, actor=world.province, copy_from=copy_from)


def _numbers(year):
    return {(t.city_id, t.unit_id): (t.number, t.note) for t in Task.objects.filter(year=year)}


def test_copying_copies_every_city_and_unit_task_and_adds_the_missing_ones(world):
    new_unit = OrganisingUnit.objects.create(name="新设技工学校", category=UnitCategory.TECHNICAL,
                                             city=world.ty, filing_status=FilingStatus.APPROVED)
    plan = _open(world)
    assert (plan.status, plan.copied_from, plan.overall_aim) == (PlanStatus.DRAFT, 2020, 1500)
    copied, source = _numbers(NEXT), _numbers(2020)
    # Every task of 2020, number and note, including the unknown one (never made a guess).
    assert {k: v for k, v in copied.items() if k in source} == source
    assert copied[(None, world.u3.pk)] == (None, "原表任务数缺失")
    # A unit 2020 did not have gets a row to fill, as does every city.
    assert copied[(None, new_unit.pk)] == (None, "")
    assert {c for c, u in copied if c} == set(world.ty.__class__.objects.values_list("pk", flat=True))
    event = AuditEvent.objects.get(action=AuditAction.PLAN, object_id=str(plan.pk))
    assert event.actor == world.province and f"复制自2020年度，{len(source)}项任务" in event.detail


def test_an_empty_year_has_a_row_for_every_city_and_approved_unit_with_no_number(world):
    _open(world, copy_from=None)
    rows = Task.objects.filter(year=NEXT)
    assert rows.exclude(number=None).count() == 0
    pending_unit = world.filing_ty.unit  # a unit whose filing the province has not approved
    assert not rows.filter(unit=pending_unit).exists()
    assert rows.filter(unit=world.u1).exists() and rows.filter(city=world.dt).exists()


def test_a_year_opens_once_and_only_near_today(world):
    _open(world)
    with pytest.raises(ValidationError, match="已开设"):
        _open(world)
    with pytest.raises(ValidationError, match="只能开设"):
        _open(world, year=NEXT + 5)
    with pytest.raises(ValidationError, match="没有可复制"):
        services.task_plan_open(year=NEXT - 1, actor=world.province, copy_from=2019)


def test_a_city_a_unit_and_the_observer_cannot_see_a_draft(world, client):
    plan = _open(world)
    draft_task = Task.objects.get(year=NEXT, unit=world.u1)
    for user in (world.city_ty, world.unit_u1, world.observer, world.agency_a1):
        assert not visible(TaskPlan.objects.filter(year=NEXT), user).exists()
        assert not visible(Task.objects.filter(year=NEXT), user).exists()
    for user in (world.city_ty, world.unit_u1, world.observer):
        client.force_login(user)
        page = client.get(reverse("quotas:task_overview", args=[NEXT])).content.decode()
        main = page.split("<main>")[1]  # the header names the user's own organisation
        assert "尚未发布" in main and "山西大学" not in main and "草稿" not in main
        # Not through the export of 附件1 either, nor the home page.
        export = client.get(reverse("rosters:export_form1", args=[NEXT]))
        assert "山西大学".encode() not in export.content
        assert client.get(reverse("quotas:task_plan_edit", args=[NEXT])).status_code == 403
        assert client.get(reverse("quotas:task_edit", args=[draft_task.pk])).status_code == 403
    services.task_plan_publish(plan, actor=world.province)
    client.force_login(world.city_ty)
    page = client.get(reverse("quotas:task_overview", args=[NEXT])).content.decode()
    assert "山西大学" in page  # its units' tasks, once published
    assert not visible(Task.objects.filter(year=NEXT, unit=world.u3), world.city_ty).exists()


def test_a_unit_cannot_edit_open_or_publish(world, client):
    plan = _open(world)
    services.task_plan_publish(plan, actor=world.province)
    task = Task.objects.get(year=NEXT, unit=world.u1)
    client.force_login(world.unit_u1)
    assert client.post(reverse("quotas:task_edit", args=[task.pk]),
                       {"number": "999"}).status_code == 403
    assert client.post(reverse("quotas:task_plan_open", args=[NEXT + 0]),
                       {"copy_from": ""}).status_code == 403
    assert client.post(reverse("quotas:task_plan_edit", args=[NEXT]),
                       {"overall_aim": "1"}).status_code == 403
    task.refresh_from_db()
    assert task.number == 40
    # The services refuse whoever calls them, not only the views.
    for call in (lambda: services.task_set_number(task, number=1, note="", actor=world.unit_u1),
                 lambda: services.task_plan_save(year=NEXT, actor=world.city_ty, overall_aim=1),
                 lambda: services.task_plan_publish(plan, actor=world.unit_u1)):
        with pytest.raises(PermissionDenied):
            call()
    assert Task.objects.get(pk=task.pk).number == 40


def test_publishing_is_audited_once_however_often_it_is_clicked(world, client):
    plan = _open(world)
    client.force_login(world.province)
    first = client.post(reverse("quotas:task_plan_publish", args=[NEXT]), follow=True)
    assert f"已发布{NEXT}年度任务" in first.content.decode()
    again = client.post(reverse("quotas:task_plan_publish", args=[NEXT]), follow=True)
    assert f"{NEXT}年度任务已发布" in again.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.published_by) == (PlanStatus.PUBLISHED, world.province)
    events = AuditEvent.objects.filter(action=AuditAction.PLAN, detail=f"发布{NEXT}年度任务")
    assert [(e.actor, e.ip) for e in events] == [(world.province, "127.0.0.1")]


def test_a_task_change_keeps_who_and_the_old_and_new_value(world, client):
    _open(world)
    task = Task.objects.get(year=NEXT, unit=world.u3)
    client.force_login(world.province)
    client.post(reverse("quotas:task_edit", args=[task.pk]), {"number": "35", "note": "补录"})
    client.post(reverse("quotas:task_plan_edit", args=[NEXT]),
                {"overall_aim": "3000", "declared_unit_total": "", "declared_city_total": "",
                 "source": ""})
    task.refresh_from_db()
    assert (task.number, task.updated_by) == (35, world.province)
    details = list(AuditEvent.objects.filter(action__in=[AuditAction.PLAN, AuditAction.QUOTA],
                                          actor=world.province)
                   .values_list("detail", flat=True))
    assert f"{NEXT}年任务数 {world.u3.name}：未知 → 35" in details
    assert any("全省输出目标 1500 → 3000" in d for d in details)
    assert TaskPlan.objects.get(year=NEXT).overall_aim == 3000


def test_the_province_opens_the_year_from_its_page(world, client):
    client.force_login(world.province)
    page = client.get(reverse("quotas:task_overview", args=[NEXT])).content.decode()
    assert f"开设{NEXT}年度任务" in page and "复制2020年度" in page
    response = client.post(reverse("quotas:task_plan_open", args=[NEXT]), {"copy_from": "2020"},
                           follow=True)
    body = response.content.decode()
    assert "草稿" in body and f"发布{NEXT}年度任务" in body and "山西大学" in body
    # A forged year to copy from is refused, not silently taken as empty.
    response = client.post(reverse("quotas:task_plan_open", args=[NEXT - 1]),
                           {"copy_from": "1999"}, follow=True)
    assert "开设方式无效" in response.content.decode()
    assert not TaskPlan.objects.filter(year=NEXT - 1).exists()


YEAR_PAGES = [  # (url, how the page says which year it shows)
    ("quotas:task_index", lambda r: r.context["year"]),
    ("dashboards:dashboard_index", lambda r: r.context["year"]),
    ("subsidies:standard_list", lambda r: r.context["year"]),
    ("accounts:home", lambda r: r.context["task_year"]),
]


@pytest.mark.parametrize("name, year_of", YEAR_PAGES)
def test_every_year_page_opens_on_the_current_year(world, client, name, year_of):
    now = timezone.localdate().year
    for user in (world.province, world.city_ty, world.unit_u1, world.observer):
        client.force_login(user)
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, (name, user)
        assert year_of(response) == now, (name, user)
        if "years" in response.context:  # the switch: the current year and years with data
            assert now in response.context["years"]


def test_the_switch_offers_each_year_with_data_and_hides_drafts(world, client):
    _open(world)
    client.force_login(world.province)
    years = client.get(reverse("quotas:task_overview", args=[2020])).context["years"]
    assert {2020, NEXT, NEXT - 1} <= set(years)
    client.force_login(world.city_ty)
    years = client.get(reverse("quotas:task_overview", args=[2020])).context["years"]
    assert NEXT not in years and {2020, NEXT - 1} <= set(years)


def test_standards_are_copied_from_last_year_without_overwriting(world, client):
    year = timezone.localdate().year
    target = year + 1
    Standard.objects.create(year=target, item="training", amount=Decimal("1"), fund="employment",
                            updated_by=world.province)
    source = Standard.objects.filter(year=year)
    assert source.exists()
    client.force_login(world.city_ty)
    assert client.post(reverse("subsidies:standard_list") + f"?year={target}",
                       {"copy_from": year}).status_code == 403
    with pytest.raises(PermissionDenied):
        standards_copy(actor=world.unit_u1, from_year=year, to_year=target)
    client.force_login(world.province)
    page = client.get(reverse("subsidies:standard_list") + f"?year={target}").content.decode()
    assert f"复制{year}年标准" in page
    response = client.post(reverse("subsidies:standard_list") + f"?year={target}",
                           {"copy_from": year}, follow=True)
    assert "补助标准到" in response.content.decode()
    copied = {s.item: s.amount for s in Standard.objects.filter(year=target)}
    assert copied["training"] == Decimal("1")  # already set: kept
    for s in source.exclude(item="training"):
        assert copied[s.item] == s.amount
    said = f"复制补助标准：{year}年 → {target}年（草稿），{len(copied) - 1}项"
    assert AuditEvent.objects.filter(action=AuditAction.STANDARD, detail=said).count() == 1
