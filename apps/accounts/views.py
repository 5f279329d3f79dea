from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django import forms
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts import services

from apps.accounts.models import Role
from apps.orgs import selectors as org_selectors
from apps.quotas import selectors as task_selectors
from apps.workdays.calendar import missing_next_year


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@require_POST
@login_required
def logout_everywhere(request):
    """End every session of this account, on every device, this one included."""
    services.user_logout_everywhere(request.user)
    return LogoutView.as_view()(request)


@login_required
def home(request):
    """Each role's home page: what is theirs, at a glance."""
    user = request.user
    context = {"counts": org_selectors.org_counts(user)}
    if user.role == Role.PROVINCE:
        context["calendar_missing"] = missing_next_year()
    years = task_selectors.task_years(user)
    if years:
        context["task_year"] = years[0]
        context["tasks"] = task_selectors.task_overview(user, years[0])
    if user.role == Role.CITY:
        context["city"] = user.city
        context["city_partners"] = org_selectors.city_cooperations(user, city=user.city_id)
        context["can_end"] = True
    elif user.role == Role.UNIT:
        context["unit"] = user.unit
        context["unit_partners"] = org_selectors.unit_cooperations(user, unit=user.unit_id)
        context["can_end"] = True
    elif user.role == Role.AGENCY:
        context["agency"] = user.agency
        context["city_partners"] = org_selectors.city_cooperations(user, agency=user.agency_id)
        context["unit_partners"] = org_selectors.unit_cooperations(user, agency=user.agency_id)
    # An account with no known role sees an empty page, never someone else's home.
    template = f"accounts/home_{user.role}.html" if user.role in Role.values else "accounts/home_none.html"
    return render(request, template, context)


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                         "autocomplete": "one-time-code"}))


def _next(request):
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts=None) else "/"


@login_required
def otp_setup(request):
    """Bind an authenticator app: scan the key, enter a code to confirm."""
    device = services.totp_device_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            services.totp_device_confirm(request, device)
            return redirect(_next(request))
        form.add_error("code", "验证码不正确或已过期，请输入身份验证器中当前显示的6位数字。")
    return render(request, "accounts/otp_setup.html", {"form": form, "device": device,
                                                       "next": _next(request)})


@login_required
def otp_verify(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", "验证码不正确或已过期。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})
