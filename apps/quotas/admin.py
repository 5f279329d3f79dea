from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from apps.orgs.resources import TaskResource
from apps.quotas.models import Task, TaskPlan


@admin.register(TaskPlan)
class TaskPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "overall_aim", "declared_unit_total", "declared_city_total"]


@admin.register(Task)
class TaskAdmin(ImportExportModelAdmin):
    resource_classes = [TaskResource]
    list_display = ["year", "city", "unit", "number", "note"]
    list_filter = ["year"]
    list_select_related = ["city", "unit"]
