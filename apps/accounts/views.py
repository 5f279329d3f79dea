from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
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
