from django.urls import path

from apps.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("export.xlsx", views.complaint_export, name="complaint_export"),
    path("new/", views.complaint_create, name="complaint_create"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/edit/", views.complaint_edit, name="complaint_edit"),
    path("<int:pk>/officers/", views.complaint_officers, name="complaint_officers"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="complaint_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
