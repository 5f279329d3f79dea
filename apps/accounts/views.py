from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services

from apps.accounts.decorators import role_required
from apps.accounts.forms import AccountFilterForm, AccountForm, LoginForm, PasswordResetForm
from apps.accounts.models import ADMIN_ROLES, Role, User
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors
from apps.orgs import selectors as org_selectors
from apps.orgs.models import Agency, City, OrganisingUnit
from apps.quotas import selectors as task_selectors
from apps.workdays.calendar import missing_next_year


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


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
    if user.role in ADMIN_ROLES:
        # An administrator's home is its console: no figures of the business at all.
        return render(request, "accounts/home_admin.html")
    context = {"counts": org_selectors.org_counts(user)}
    if user.role in (Role.PROVINCE, Role.CITY, Role.UNIT):
        from apps.subsidies.selectors import claims_waiting
        context["claims_waiting"] = claims_waiting(user)
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


# --- 三员分立: the system administrator's and the security administrator's pages.

def _org_choices(user):
    return {"cities": visible(City.objects.order_by("code"), user),
            "units": visible(OrganisingUnit.objects.order_by("city__code", "seq", "name"), user),
            "agencies": visible(Agency.objects.order_by("name"), user)}


def _account_or_404(request, pk):
    return get_visible_or_404(User.objects.select_related("city", "unit", "agency"),
                              request.user, pk=pk)


def _form_page(request, form, save, done: str, template: str, **context):
    """A valid POST calls the service and goes back to the list; what the service refuses is
    put on the form (400), the password rules' messages under the password."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.AccountActionRefused as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_errors(form, error)
            else:
                form.add_error("password1", error)
        else:
            messages.success(request, done)
            return redirect("accounts:account_list")
    return render(request, template, {"form": form, **context},
                  status=400 if request.method == "POST" else 200)


@role_required(Role.SYSTEM_ADMIN)
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    users = selectors.account_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/account_list.html", {
        "form": form, "page": page, "total": page.paginator.count, "admin_roles": ADMIN_ROLES})


@role_required(Role.SYSTEM_ADMIN)
def account_create(request):
    form = AccountForm(request.POST or None, creating=True, **_org_choices(request.user))

    def save(data):
        fields = {k: v for k, v in data.items() if not k.startswith("password")}
        services.user_create(actor=request.user, password=data["password1"], request=request,
                             **fields)

    return _form_page(request, form, save, f"已新建账号 {request.POST.get('username', '')}。",
                      "accounts/account_form.html", title="新建账号")


@role_required(Role.SYSTEM_ADMIN)
def account_edit(request, pk):
    target = _account_or_404(request, pk)
    form = AccountForm(request.POST or None, creating=False, **_org_choices(request.user),
                       initial={f: getattr(target, f) for f in services.ACCOUNT_FIELDS})
    return _form_page(
        request, form,
        lambda data: services.user_update(target, actor=request.user, request=request, **data),
        f"已保存账号 {target.username}。", "accounts/account_form.html",
        title=f"修改账号：{target.username}", target=target,
        refused=services.account_action_refusal(target, request.user, admins_allowed=False))


@role_required(Role.SYSTEM_ADMIN)
def account_password_reset(request, pk):
    target = _account_or_404(request, pk)
    return _form_page(
        request, PasswordResetForm(request.POST or None),
        lambda data: services.user_password_reset(target, password=data["password1"],
                                                  actor=request.user, request=request),
        f"已重置账号 {target.username} 的密码，该账号的所有登录已结束。",
        "accounts/account_password.html", target=target,
        refused=services.account_action_refusal(target, request.user, admins_allowed=False))


def _account_action(request, pk, action, done, *, back):
    """A POST that acts on one account: refused with a message (400) when a rule forbids it."""
    target = _account_or_404(request, pk)
    try:
        action(target)
    except services.AccountActionRefused as error:
        return render(request, "accounts/refused.html", {"message": str(error), "back": back},
                      status=400)
    messages.success(request, done.format(username=target.username))
    return redirect(back)


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def account_set_active(request, pk):
    active = request.POST.get("active") == "1"
    return _account_action(
        request, pk,
        lambda t: services.user_set_active(t, active=active, actor=request.user, request=request),
        "已启用账号 {username}。" if active else "已停用账号 {username}。",
        back="accounts:account_list")


@role_required(Role.SECURITY_ADMIN)
def security_index(request):
    q = request.GET.get("q", "").strip()
    users = Paginator(selectors.security_accounts(request.user, q=q), 50).get_page(
        request.GET.get("page"))
    return render(request, "accounts/security.html", {
        "page": users, "q": q, "total": users.paginator.count,
        "attempts": selectors.lockouts_for(request.user)[:100]})


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_unlock(request, pk):
    return _account_action(
        request, pk, lambda t: services.user_unlock(t, actor=request.user, request=request),
        "已解除账号 {username} 的锁定。", back="accounts:security_index")


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_otp_reset(request, pk):
    return _account_action(
        request, pk, lambda t: services.user_otp_reset(t, actor=request.user, request=request),
        "已重置账号 {username} 的双因素认证，其下次登录须重新绑定身份验证器。",
        back="accounts:security_index")


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_authorise(request, pk):
    return _account_action(
        request, pk, lambda t: services.user_authorise(t, actor=request.user, request=request),
        "已授权账号 {username} 的角色与所属单位，该账号现在可以登录。", back="accounts:security_index")


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_force_logout(request, pk):
    return _account_action(
        request, pk, lambda t: services.user_force_logout(t, actor=request.user, request=request),
        "已结束账号 {username} 的所有登录。", back="accounts:security_index")
