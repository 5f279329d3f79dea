from django.urls import path

from apps.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("candidacies/", views.candidacy_list, name="candidacy_list"),
    path("candidacies/export.xlsx", views.candidacy_export, name="candidacy_export"),
    path("persons/<int:person_pk>/apply/", views.candidacy_open, name="candidacy_open"),
    path("candidacies/<int:pk>/record/", views.candidacy_record, name="candidacy_record"),
    path("candidacies/<int:pk>/rejoin/", views.candidacy_rejoin, name="candidacy_rejoin"),
    path("candidacies/<int:pk>/withdraw/", views.candidacy_withdraw, name="candidacy_withdraw"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("roster/", views.roster_view, name="roster"),
    path("gap-limits/", views.gap_limits, name="gap_limits"),
]
