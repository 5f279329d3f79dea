from django.urls import path

from apps.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_index, name="dashboard_index"),
    path("<int:year>/", views.dashboard, name="dashboard"),
    path("<int:year>/<slug:table>.xlsx", views.dashboard_export, name="dashboard_export"),
]
