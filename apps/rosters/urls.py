from django.urls import path

from apps.rosters import views

app_name = "rosters"

urlpatterns = [
    path("", views.upload_list, name="upload_list"),
    path("<int:pk>/", views.upload_detail, name="upload_detail"),
    path("<int:pk>/commit/", views.upload_commit, name="upload_commit"),
    path("templates/<str:kind>.xlsx", views.template_download, name="template_download"),
]
