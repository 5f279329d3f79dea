from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from apps.orgs.resources import AgencyResource, CityResource, OrganisingUnitResource
from apps.orgs.models import (
    Agency, City, CityAgencyCooperation, FilingRequest, OrganisingUnit, UnitAgencyCooperation,
)


@admin.register(City)
class CityAdmin(ImportExportModelAdmin):
    resource_classes = [CityResource]
    list_display = ["name", "code", "service_org_name", "service_contact"]


@admin.register(OrganisingUnit)
class OrganisingUnitAdmin(ImportExportModelAdmin):
    resource_classes = [OrganisingUnitResource]
    list_display = ["seq", "name", "category", "city", "source", "filing_status",
                    "standing_class_allowed"]
    list_filter = ["category", "city", "source", "filing_status"]
    search_fields = ["name"]
    list_select_related = ["city"]


@admin.register(Agency)
class AgencyAdmin(ImportExportModelAdmin):
    resource_classes = [AgencyResource]
    list_display = ["batch", "seq", "name", "home_province", "credit_code", "status",
                    "filing_status"]
    list_filter = ["status", "filing_status", "home_province"]
    search_fields = ["name", "credit_code"]


@admin.register(CityAgencyCooperation)
class CityAgencyCooperationAdmin(admin.ModelAdmin):
    list_display = ["city", "agency", "signed_on", "ended_at"]
    list_select_related = ["city", "agency"]


@admin.register(UnitAgencyCooperation)
class UnitAgencyCooperationAdmin(admin.ModelAdmin):
    list_display = ["unit", "agency", "signed_on", "ended_at"]
    list_select_related = ["unit", "agency"]


@admin.register(FilingRequest)
class FilingRequestAdmin(admin.ModelAdmin):
    list_display = ["submitted_at", "city", "kind", "status"]
    list_filter = ["status", "kind"]
