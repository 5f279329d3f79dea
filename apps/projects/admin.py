from django.contrib import admin

from apps.projects.models import JobProject, ProjectDocking


@admin.register(JobProject)
class JobProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "country", "trade", "headcount", "status"]
    list_filter = ["status", "country"]
    list_select_related = ["agency"]


@admin.register(ProjectDocking)
class ProjectDockingAdmin(admin.ModelAdmin):
    list_display = ["project", "city", "unit", "planned", "signed_on"]
    list_select_related = ["project", "city", "unit"]
