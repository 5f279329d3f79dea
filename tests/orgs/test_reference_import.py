"""The province's admin import/export of reference data (django-import-export)."""
import tablib

from apps.orgs.models import Agency, OrganisingUnit
from apps.orgs.resources import AgencyResource, OrganisingUnitResource, TaskResource
from apps.quotas.models import Task


def test_an_invalid_row_is_refused_not_saved(world):
    data = tablib.Dataset(headers=["name", "credit_code", "status", "filing_status"])
    data.append(["新机构", "91110000100017643X", "recommended", "approved"])  # bad check digit
    result = AgencyResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    assert "校验位" in str(result.invalid_rows[0].error_dict)
    assert not Agency.objects.filter(name="新机构").exists()


def test_units_match_by_name_and_city_by_short_name(world):
    data = tablib.Dataset(headers=["name", "category", "city", "source", "filing_status",
                                   "standing_class_allowed"])
    data.append(["山西大学", "普通本科院校", "太原", "province", "approved", "1"])
    data.append(["新学校", "技工院校", "大同", "province", "approved", "1"])
    result = OrganisingUnitResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert OrganisingUnit.objects.filter(name="山西大学").count() == 1
    assert OrganisingUnit.objects.get(name="新学校").city == world.dt


def test_task_export_round_trips(world):
    exported = TaskResource().export()
    assert "山西大学" in exported.csv and "太原" in exported.csv
    before = list(Task.objects.order_by("pk").values_list("year", "number"))
    result = TaskResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(Task.objects.order_by("pk").values_list("year", "number")) == before
