from django.contrib import admin

from apps.projects.models import JobProject


@admin.register(JobProject)
class JobProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "country", "trade", "headcount", "status"]
    list_filter = ["status", "country"]
    list_select_related = ["agency"]
