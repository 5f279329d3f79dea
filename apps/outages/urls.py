from django.urls import path

from apps.outages import views

app_name = "outages"

urlpatterns = [
    path("", views.period_list, name="period_list"),
    path("new/", views.period_create, name="period_create"),
    path("<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("<int:pk>/close/", views.period_close, name="period_close"),
    path("late-entries/", views.late_entry_list, name="late_entry_list"),
]
