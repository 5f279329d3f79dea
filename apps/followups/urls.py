from django.urls import path

from apps.followups import views

app_name = "followups"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("ensure/", views.plans_ensure, name="plans_ensure"),
    path("settings/", views.settings_page, name="settings"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/officer/", views.plan_officer, name="plan_officer"),
    path("<int:pk>/visit/", views.visit_create, name="visit_create"),
]
