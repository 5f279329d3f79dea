from django.urls import reverse

from apps.orgs.seed import seed_load
from apps.quotas.models import Task


def test_province_sees_the_gap_and_the_five_units_without_a_number(db, client):
    from tests.conftest import make_user
    from apps.accounts.models import Role
    seed_load()
    client.force_login(make_user("p", Role.PROVINCE))
    body = client.get(reverse("quotas:task_overview", args=[2020])).content.decode()
    for figure in ("1830", "1730", "1170"):
        assert figure in body
    assert "以下 5 个组织单位的任务数在原表（附件1）中缺失" in body
    for name in ("山西师范大学", "运城职业技术大学", "大同煤炭职业技术学院", "太原铁路机械学校",
                 "大同市高级技工学校"):
        assert name in body
    # The home page is about the current year (issue 16), which the seed has not opened.
    from django.utils import timezone
    year = timezone.localdate().year
    home = client.get("/").content.decode()
    assert f"{year}年度任务尚未开设或尚未发布" in home and "太原铁路机械学校" not in home


def test_entering_a_lost_number_closes_the_gap(world, client):
    client.force_login(world.province)
    response = client.post(reverse("quotas:task_edit", args=[world.task_u3.pk]),
                           {"number": "30", "note": "补录"}, follow=True)
    assert "已更新" in response.content.decode()
    task = Task.objects.get(pk=world.task_u3.pk)
    assert (task.number, task.updated_by) == (30, world.province)


def test_city_sees_its_own_tasks_only_and_no_provincial_gap(world, client):
    client.force_login(world.city_ty)
    body = client.get(reverse("quotas:task_overview", args=[2020])).content.decode()
    assert "山西大学" in body and world.u3.name not in body
    assert "未落实到单位" not in body
