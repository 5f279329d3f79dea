from django.urls import path

from apps.quotas import views

app_name = "quotas"

urlpatterns = [
    path("", views.task_index, name="task_index"),
    path("<int:year>/", views.task_overview, name="task_overview"),
    path("edit/<int:pk>/", views.task_edit, name="task_edit"),
]
