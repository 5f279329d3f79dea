from django.urls import path

from apps.registry import views

app_name = "registry"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_register, name="person_register"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
    path("persons/<int:pk>/poverty/", views.person_poverty, name="person_poverty"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("reserve/", views.reserve_pool, name="reserve_pool"),
    path("reserve/export.xlsx", views.reserve_export, name="reserve_export"),
]
