from django.contrib.auth import views as auth_views
from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    # 三员分立: the system administrator's and the security administrator's consoles.
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/active/", views.account_set_active, name="account_set_active"),
    path("accounts/<int:pk>/password/", views.account_password_reset,
         name="account_password_reset"),
    path("security/", views.security_index, name="security_index"),
    path("security/<int:pk>/unlock/", views.security_unlock, name="security_unlock"),
    path("security/<int:pk>/otp-reset/", views.security_otp_reset, name="security_otp_reset"),
    path("security/<int:pk>/logout/", views.security_force_logout, name="security_force_logout"),
    path("security/<int:pk>/authorise/", views.security_authorise, name="security_authorise"),
    path("security/<int:pk>/password/", views.security_password, name="security_password"),
    path(
        "password/",
        views.password_change,
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
