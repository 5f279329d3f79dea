from django.urls import path

from apps.rosters import views

app_name = "rosters"

urlpatterns = [
    path("", views.upload_list, name="upload_list"),
    path("<int:pk>/", views.upload_detail, name="upload_detail"),
    path("<int:pk>/commit/", views.upload_commit, name="upload_commit"),
    path("templates/<str:kind>.xlsx", views.template_download, name="template_download"),
    path("forms/1/<int:year>.xlsx", views.export_form1, name="export_form1"),
    path("forms/2/<int:year>.xlsx", views.export_form2, name="export_form2"),
    path("forms/3.xlsx", views.export_form3, name="export_form3"),
    path("forms/4.xlsx", views.export_form4, name="export_form4"),
    path("forms/5/<int:person_pk>.xlsx", views.export_form5, name="export_form5"),
    path("forms/5/<int:person_pk>/print/", views.print_form5, name="print_form5"),
    path("forms/6.xlsx", views.export_form6, name="export_form6"),
    path("forms/6/print/", views.print_form6, name="print_form6"),
]
