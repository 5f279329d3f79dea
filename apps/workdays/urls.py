from django.urls import path

from apps.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_index, name="calendar_index"),
    path("enter/", views.calendar_enter, name="calendar_enter"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    path("days/<int:pk>/delete/", views.special_day_delete, name="special_day_delete"),
]
