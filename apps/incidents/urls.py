from django.urls import path

from apps.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("export.xlsx", views.incident_export, name="incident_export"),
    path("new/", views.incident_create, name="incident_create"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/workers/", views.workers_add, name="workers_add"),
    path("<int:pk>/grade/", views.grade_change, name="grade_change"),
    path("<int:pk>/end/", views.response_end, name="response_end"),
    path("<int:pk>/report/<slug:kind>/", views.report_file, name="report_file"),
]
