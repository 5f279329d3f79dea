from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors
from apps.common.params import ascii_int
from apps.workdays import services
from apps.workdays.calendar import add_working_days, missing_next_year
from apps.workdays.forms import CountForm, EnterYearForm
from apps.workdays.models import CalendarYear, SpecialDay

ALL_ROLES = tuple(Role)


@role_required(*ALL_ROLES)
def calendar_index(request):
    user = request.user
    years = list(visible(CalendarYear.objects.select_related("entered_by"), user))
    count = CountForm(request.GET or None)
    due = None
    if count.is_valid():
        due = add_working_days(count.cleaned_data["start"], count.cleaned_data["days"])
    return render(request, "workdays/index.html", {
        "years": years, "missing": missing_next_year(), "count": count, "due": due,
        "can_edit": user.role == Role.PROVINCE,
    })


@role_required(*ALL_ROLES)
def calendar_year(request, year):
    entry = get_visible_or_404(CalendarYear.objects.all(), request.user, year=year)
    days = visible(SpecialDay.objects.filter(date__year=year), request.user)
    return render(request, "workdays/year.html", {
        "entry": entry, "days": days, "can_edit": request.user.role == Role.PROVINCE,
    })


@role_required(Role.PROVINCE)
def calendar_enter(request):
    initial = {}
    year = ascii_int(request.GET.get("year"), low=1, high=9999)
    if year:
        initial["year"] = year
        initial["arrangement"] = "\n".join(
            f"{d.date:%Y-%m-%d} {'放假' if d.kind == 'holiday' else '上班'} {d.name}"
            for d in SpecialDay.objects.filter(date__year=year))
    form = EnterYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            days = services.parse_arrangement(data["year"], data["arrangement"])
            services.calendar_year_enter(year=data["year"], days=days, actor=request.user,
                                         source=data["source"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已录入{data['year']}年节假日安排（{len(days)}天）。"
                                      "涉及该年的暂定期限将按新安排重新计算。")
            return redirect("workdays:calendar_year", year=data["year"])
    return render(request, "orgs/form.html", {"form": form, "title": "录入年度节假日安排"})


@require_POST
@role_required(Role.PROVINCE)
def special_day_delete(request, pk):
    special = get_visible_or_404(SpecialDay.objects.all(), request.user, pk=pk)
    services.special_day_delete(special, actor=request.user)
    messages.success(request, f"已删除 {special.date:%Y-%m-%d}（{special.get_kind_display()}）。")
    return redirect("workdays:calendar_year", year=special.date.year)
