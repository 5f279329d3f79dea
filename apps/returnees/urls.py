from django.urls import path

from apps.returnees import views

app_name = "returnees"

urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("<int:person_pk>/", views.profile, name="profile"),
    path("<int:person_pk>/edit/", views.profile_edit, name="profile_edit"),
    path("<int:person_pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_move, name="referral_move"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
]
