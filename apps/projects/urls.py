from django.urls import path

from apps.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/submit/", views.project_submit, name="project_submit"),
    path("<int:pk>/review/", views.project_review, name="project_review"),
    path("<int:pk>/close/", views.project_close, name="project_close"),
    path("<int:pk>/dock/", views.project_dock, name="project_dock"),
    path("<int:pk>/review-form/", views.review_form_download, name="review_form_download"),
    path("dockings/<int:pk>/agreement/", views.docking_agreement, name="docking_agreement"),
]
