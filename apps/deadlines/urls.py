from django.urls import path

from apps.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("", views.my_items, name="my_items"),
    path("rules/", views.rule_list, name="rule_list"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
]
