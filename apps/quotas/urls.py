from django.urls import path

from apps.quotas import views

app_name = "quotas"

urlpatterns = [
    path("", views.task_index, name="task_index"),
    path("<int:year>/", views.task_overview, name="task_overview"),
    path("<int:year>/open/", views.task_plan_open, name="task_plan_open"),
    path("<int:year>/plan/", views.task_plan_edit, name="task_plan_edit"),
    path("<int:year>/publish/", views.task_plan_publish, name="task_plan_publish"),
    path("edit/<int:pk>/", views.task_edit, name="task_edit"),
    path("poverty-targets/", views.poverty_targets, name="poverty_targets"),
]
