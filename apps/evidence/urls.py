from django.urls import path

from apps.evidence import views

app_name = "evidence"

urlpatterns = [
    path("persons/<int:person_pk>/upload/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/", views.evidence_download, name="evidence_download"),
]
