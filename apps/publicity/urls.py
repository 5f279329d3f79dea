from django.urls import path

from apps.publicity import views

app_name = "publicity"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("projects/<int:pk>/", views.public_project, name="public_project"),
    path("notices/<int:pk>/", views.public_notice, name="public_notice"),
    path("manage/", views.notice_list, name="notice_list"),
    path("manage/new/", views.notice_edit, name="notice_create"),
    path("manage/<int:pk>/", views.notice_edit, name="notice_edit"),
]
