from django.urls import path

from apps.disclosures import views

app_name = "disclosures"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("review/", views.review_list, name="review_list"),
    path("new/form5/<int:person_pk>/", views.request_form5, name="request_form5"),
    path("new/form6/", views.request_form6, name="request_form6"),
    path("new/form9/<int:pk>/", views.request_form9, name="request_form9"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("<int:pk>/download/", views.download, name="download"),
]
