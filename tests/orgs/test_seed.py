"""The plan's organisations, read back from the damaged 附件1 table without guessing."""
import pytest
from django.db.models import Sum

from apps.orgs.models import Agency, AgencyStatus, City, OrganisingUnit, UnitCategory
from apps.orgs.seed import seed_load
from apps.quotas.models import Task, TaskPlan


@pytest.fixture
def seeded(db):
    return seed_load()


def unit(name):
    return OrganisingUnit.objects.select_related("city").get(name=name)


def task_of(name):
    return Task.objects.get(year=2020, unit__name=name).number


def test_counts(seeded):
    assert (City.objects.count(), OrganisingUnit.objects.count(), Agency.objects.count()) == (
        11, 90, 25)
    assert set(OrganisingUnit.objects.values_list("seq", flat=True)) == set(range(1, 91))


def test_city_tasks_sum_to_1170(seeded):
    total = Task.objects.filter(year=2020, city__isnull=False).aggregate(s=Sum("number"))["s"]
    assert total == 1170
    assert Task.objects.get(year=2020, city__short_name="运城").number == 170
    assert Task.objects.get(year=2020, city__short_name="朔州").number == 60


def test_unit_tasks_allocate_1730_of_the_declared_1830(seeded):
    plan = TaskPlan.objects.get(year=2020)
    assert (plan.declared_unit_total, plan.declared_city_total, plan.overall_aim) == (
        1830, 1170, 1500)
    units = Task.objects.filter(year=2020, unit__isnull=False)
    assert units.aggregate(s=Sum("number"))["s"] == 1730
    assert units.filter(number__isnull=False).count() == 85


def test_the_five_lost_numbers_load_as_unknown(seeded):
    lost = Task.objects.filter(year=2020, unit__isnull=False, number__isnull=True)
    assert sorted(lost.values_list("unit__seq", flat=True)) == [20, 33, 47, 62, 81]
    assert {(t.unit.name, t.unit.city.short_name) for t in lost.select_related("unit__city")} == {
        ("山西师范大学", "临汾"), ("运城职业技术大学", "运城"), ("大同煤炭职业技术学院", "大同"),
        ("太原铁路机械学校", "太原"), ("大同市高级技工学校", "大同")}


@pytest.mark.parametrize("name, category, city, task", [
    ("山西大学", UnitCategory.UNDERGRADUATE, "太原", 40),                 # row 1
    ("山西大学商务学院", UnitCategory.UNDERGRADUATE, "太原", 20),         # merged 地点 cell
    ("山西师范大学现代文理学院", UnitCategory.UNDERGRADUATE, "临汾", 10),  # row 21, shifted
    ("运城职业技术大学", UnitCategory.VOCATIONAL_UNDERGRADUATE, "运城", None),  # row 33
    ("山西医科大学汾阳学院", UnitCategory.UNDERGRADUATE, "吕梁", 10),      # blank city = above
    ("大同煤炭职业技术学院", UnitCategory.HIGHER_VOCATIONAL, "大同", None),  # row 47
    ("山西省工业管理学校", UnitCategory.SECONDARY, "太原", 20),            # row 63, shifted left
    ("太原卫生学校", UnitCategory.SECONDARY, "太原", 20),                  # row 68
    ("华北机电学校", UnitCategory.SECONDARY, "长治", 20),                  # row 69
    ("山西省铁路工程学校", UnitCategory.SECONDARY, "晋中", 30),            # row 71
    ("霍州市技工学校", UnitCategory.TECHNICAL, "临汾", 10),                # row 88
    ("运城龙翔高级技工学校", UnitCategory.TECHNICAL, "运城", 30),          # row 90
])
def test_specific_rows(seeded, name, category, city, task):
    u = unit(name)
    assert (u.category, u.city.short_name, task_of(name)) == (category, city, task)


def test_schools_may_run_standing_classes(seeded):
    assert OrganisingUnit.objects.filter(standing_class_allowed=True).count() == 90


def test_agencies_are_the_first_batch_recommended(seeded):
    first = Agency.objects.get(seq=1)
    assert first.name == "中国国际技术智力合作有限公司" and first.home_province == ""
    assert Agency.objects.get(seq=25).name == "天已集团有限公司"
    assert Agency.objects.get(name="青岛环太经济合作有限公司").home_province == "山东"
    assert not Agency.objects.exclude(status=AgencyStatus.RECOMMENDED).exists()
    assert set(Agency.objects.values_list("batch", flat=True)) == {1}


def test_loading_again_changes_nothing_and_keeps_corrections(seeded):
    task = Task.objects.get(year=2020, unit__seq=20)
    task.number = 25
    task.save()
    again = seed_load()
    assert (again.cities, again.units, again.agencies, again.tasks) == (0, 0, 0, 0)
    assert Task.objects.get(year=2020, unit__seq=20).number == 25
