from django import forms
from django.contrib import messages
import segno
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from apps.accounts import selectors, services

from apps.accounts.decorators import role_required
from apps.accounts.middleware import redirect_back
from apps.accounts.forms import AccountFilterForm, AccountForm, LoginForm, PasswordResetForm
from apps.accounts.models import ADMIN_ROLES, Role, User
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors
from apps.common.params import query_text
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
    services.own_sessions_end(actor=request.user)
    return LogoutView.as_view()(request)


@login_required
def home(request):
    """Each role's home page: what is theirs, at a glance."""
    user = request.user
    if user.role in ADMIN_ROLES:
        # An administrator's home is its console: no figures of the business at all.
        return render(request, "accounts/home_admin.html")
    from apps.dashboards import workqueue
    year = task_selectors.current_year()
    context = {"counts": org_selectors.org_counts(user), "queue": workqueue.work_queue(user),
               "task_year": year}
    if user.role == Role.PROVINCE:
        context["calendar_missing"] = missing_next_year()
        context["overdue_by_city"] = workqueue.overdue_by_city(user)
    if user.role in (Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER):
        overview = task_selectors.task_overview(user, year)
        context["tasks"] = overview if overview["plan"] is not None else None
    if user.role == Role.UNIT:
        context["departed"] = workqueue.departures_in(user, year)
        # Next year's task, once published, so the unit can prepare before January.
        upcoming = task_selectors.task_overview(user, year + 1)
        context["next_tasks"] = upcoming if upcoming["plan"] is not None else None
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


class BindForm(CodeForm):
    """Replacing an authenticator: a current code of the old one, then one of the new one."""
    old_code = forms.CharField(label="原身份验证器的验证码", max_length=6, min_length=6,
                               help_text="原身份验证器当前显示的6位数字（若刚用它登录，请等待显示新的验证码）",
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "off"}))
    field_order = ["old_code", "code"]


def _locked_out(request):
    """Too many wrong codes: this session ends, and the account is locked as after wrong
    passwords."""
    logout(request)
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def otp_setup(request):
    """Bind an authenticator app: scan the key, enter a code to confirm. An account that has
    one replaces it only from a verified session and with a current code of the old one."""
    user = request.user
    replacing = services.totp_confirmed_device(user) is not None
    if replacing and not user.is_verified():
        return redirect_back("/otp/verify/", request)
    device = services.totp_device_pending(request)
    form = (BindForm if replacing else CodeForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if services.totp_device_bind(request, device, form.cleaned_data["code"],
                                         old_code=form.cleaned_data.get("old_code", "")):
                messages.success(request, "已更换身份验证器。" if replacing else "已绑定身份验证器。")
                return redirect(_next(request))
        except services.SecondFactorLocked:
            return _locked_out(request)
        form.add_error(None, "验证码不正确或已过期，请输入身份验证器中当前显示的6位数字。")
    qr = segno.make(device.provisioning_uri(), error="m")
    return render(request, "accounts/otp_setup.html", {
        "form": form, "device": device, "next": _next(request), "replacing": replacing,
        "qr_svg": mark_safe(qr.svg_inline(scale=5, border=2)),
    }, status=400 if form.errors else 200)


@login_required
def otp_verify(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if services.totp_verify(request, form.cleaned_data["code"]):
                return redirect(_next(request))
        except services.SecondFactorLocked:
            return _locked_out(request)
        form.add_error("code", "验证码不正确或已过期。连续输错5次（含密码输错），账号将锁定30分钟。")
    return render(request, "accounts/otp_verify.html", {
        "form": form, "next": _next(request),
        "has_device": services.totp_confirmed_device(request.user) is not None,
    }, status=400 if form.errors else 200)


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """Django's form; the new password is saved by the service (one-time flag, audit). A wrong
    current password counts like a failed login: an open session is no oracle for guessing it."""

    # Django's zh-hans messages say "你的旧密码…"; the house addresses users formally.
    error_messages = {"password_incorrect": "原密码不正确，请重新输入。",
                      "password_mismatch": "两次输入的新密码不一致。"}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password2"].label = "再次输入新密码"
        self.fields["new_password2"].help_text = ""

    def clean_old_password(self):
        try:
            return super().clean_old_password()
        except ValidationError:
            services.password_failed(self.request, what="修改密码时原密码")
            raise

    def clean(self):
        data = super().clean()
        password = data.get("new_password1")
        if password and not self.errors and self.user.check_password(password):
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return data

    def save(self, commit=True):
        return services.user_password_change(self.user, password=self.cleaned_data["new_password1"],
                                             request=self.request)


@login_required
def password_change(request):
    form = OwnPasswordForm(request.user, request.POST or None)
    form.request = request
    if services.totp_locked(request):
        return _locked_out(request)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        asked = request.GET.get("next") or request.POST.get("next")
        return redirect(_next(request) if asked else "accounts:password_change_done")
    return render(request, "accounts/password_change.html", {
        "form": form, "next": _next(request), "one_time": request.user.must_change_password,
    }, status=400 if form.errors else 200)


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
    q = query_text(request.GET.get("q"))
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


@role_required(Role.SECURITY_ADMIN)
def security_authorise(request, pk):
    """A page that names the role and organisation being granted; the POST confirms exactly
    that grant (a change made meanwhile by the system administrator is refused)."""
    target = _account_or_404(request, pk)
    if request.method == "POST":
        return _account_action(
            request, pk,
            lambda t: services.user_authorise(t, actor=request.user, request=request,
                                              grant=request.POST.get("grant", "")),
            "已授权账号 {username} 的角色与所属单位，该账号现在可以登录。", back="accounts:security_index")
    return render(request, "accounts/security_authorise.html", {
        "target": target, "grant": services.grant_key(target),
        "refused": services.account_action_refusal(target, request.user, admins_allowed=False)})


@role_required(Role.SECURITY_ADMIN)
def security_password(request, pk):
    """The system administrator's password reset, waiting for this second person."""
    target = _account_or_404(request, pk)
    if request.method == "POST":
        refuse = request.POST.get("decision") == "refuse"
        service = services.user_password_reset_refuse if refuse else services.user_password_authorise
        return _account_action(
            request, pk,
            lambda t: service(t, actor=request.user, request=request,
                              requested_at=request.POST.get("requested_at")),
            "已驳回账号 {username} 的密码重置，原密码不变。" if refuse
            else "已授权账号 {username} 的密码重置，该账号下次登录须修改密码。",
            back="accounts:security_index")
    return render(request, "accounts/security_password.html", {
        "target": target,
        "refused": services.account_action_refusal(target, request.user, admins_allowed=False)})


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_force_logout(request, pk):
    return _account_action(
        request, pk, lambda t: services.user_force_logout(t, actor=request.user, request=request),
        "已结束账号 {username} 的所有登录。", back="accounts:security_index")
