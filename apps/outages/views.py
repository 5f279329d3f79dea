"""停机停工期间 and 补录记录: the province declares, corrects and closes periods, and reviews
the records entered late with their paper dates."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors
from apps.orgs.models import Agency, City, OrganisingUnit
from apps.outages import selectors, services
from apps.outages.forms import CloseForm, LateEntryFilterForm, PeriodForm
from apps.outages.models import OutagePeriod

PER_PAGE = 50


def _period_form(request, **kwargs):
    user = request.user
    return PeriodForm(request.POST or None, cities=visible(City.objects.all(), user),
                      units=visible(OrganisingUnit.objects.order_by("city__code", "name"), user),
                      agencies=visible(Agency.objects.order_by("name"), user), **kwargs)


def _save(request, form, call, done):
    """Validate, call the service, redirect; a refusal goes back on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            period = call(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done(period))
            return redirect("outages:period_list")
    return None


@role_required(Role.PROVINCE)
def period_list(request):
    page = Paginator(selectors.period_list(request.user), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "outages/period_list.html", {"page": page})


@role_required(Role.PROVINCE)
def period_create(request):
    form = _period_form(request)
    response = _save(request, form, lambda data: services.outage_declare(actor=request.user, **data),
                     lambda p: f"已登记{p}，相关待办已顺延或暂停计时，并已通知涉及的单位。")
    return response or render(request, "orgs/form.html", {
        "form": form, "title": "登记停机停工期间", "back": reverse("outages:period_list")})


@role_required(Role.PROVINCE)
def period_edit(request, pk):
    period = get_visible_or_404(OutagePeriod.objects.all(), request.user, pk=pk)
    initial = {"kind": period.kind, "reason": period.reason, "starts_on": period.starts_on,
               "ends_on": period.ends_on, "scope": period.scope,
               "cities": list(period.cities.all()), "units": list(period.units.all()),
               "agencies": list(period.agencies.all())}
    form = _period_form(request, initial=initial)
    response = _save(request, form,
                     lambda data: services.outage_update(period, actor=request.user, **data),
                     lambda p: f"已修改{p}，相关待办的截止日期已重新计算。")
    return response or render(request, "orgs/form.html", {
        "form": form, "title": f"修改停机停工期间：{period}", "back": reverse("outages:period_list")})


@role_required(Role.PROVINCE)
def period_close(request, pk):
    period = get_visible_or_404(OutagePeriod.objects.all(), request.user, pk=pk)
    form = CloseForm(request.POST or None)
    response = _save(request, form,
                     lambda data: services.outage_close(period, actor=request.user,
                                                        ends_on=data["ends_on"]),
                     lambda p: f"已登记{p}结束，相关待办已按损失的工作日顺延，并已通知涉及的单位。")
    return response or render(request, "orgs/form.html", {
        "form": form, "title": f"结束停机停工期间：{period}", "back": reverse("outages:period_list")})


@role_required(Role.PROVINCE)
def late_entry_list(request):
    user = request.user
    form = LateEntryFilterForm(request.GET or None,
                               periods=visible(OutagePeriod.objects.all(), user))
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.late_entry_list(user, **{k: v for k, v in filters.items() if v}),
                     PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "outages/late_entry_list.html", {"form": form, "page": page})
