from django.urls import path

from apps.abroad import views

app_name = "abroad"

urlpatterns = [
    path("", views.register, name="register"),
    path("export.xlsx", views.register_export, name="register_export"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/prep/<str:step>/", views.return_prep, name="return_prep"),
]
