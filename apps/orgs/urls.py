from django.urls import path, re_path

from apps.orgs import views

app_name = "orgs"

urlpatterns = [
    path("cities/", views.city_list, name="city_list"),
    path("cities/<int:pk>/", views.city_detail, name="city_detail"),
    path("cities/<int:pk>/edit/", views.city_edit, name="city_edit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/status/", views.agency_status, name="agency_status"),
    path("cooperations/city/new/", views.city_cooperation_create,
         name="city_cooperation_create"),
    path("cooperations/unit/new/", views.unit_cooperation_create,
         name="unit_cooperation_create"),
    re_path(r"^cooperations/(?P<kind>city|unit)/(?P<pk>[0-9]+)/agreement/$",
            views.cooperation_agreement, name="cooperation_agreement"),
    re_path(r"^cooperations/(?P<kind>city|unit)/(?P<pk>[0-9]+)/end/$", views.cooperation_end,
            name="cooperation_end"),
    path("reference/", views.reference_data, name="reference_data"),
    re_path(r"^reference/(?P<kind>ref_[a-z]+)\.xlsx$", views.reference_export,
            name="reference_export"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/unit/new/", views.filing_unit_create, name="filing_unit_create"),
    path("filings/agency/new/", views.filing_agency_create, name="filing_agency_create"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/decide/", views.filing_decide, name="filing_decide"),
]
