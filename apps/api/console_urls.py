from django.urls import path

from apps.api import views

app_name = "api_clients"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/authorise/", views.client_authorise, name="client_authorise"),
    path("<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
]
