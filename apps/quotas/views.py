from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404
from apps.quotas import selectors, services
from apps.quotas.models import Task

TASK_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER)


class TaskNumberForm(forms.Form):
    number = forms.IntegerField(label="任务数（人）", min_value=0, required=False,
                                help_text="留空表示未知")
    note = forms.CharField(label="说明", max_length=200, required=False)


@role_required(*TASK_ROLES)
def task_index(request):
    years = selectors.task_years(request.user)
    if not years:
        raise Http404("暂无年度任务")
    return redirect("quotas:task_overview", year=years[0])


@role_required(*TASK_ROLES)
def task_overview(request, year):
    overview = selectors.task_overview(request.user, year)
    if overview["plan"] is None:
        raise Http404("该年度无任务")
    return render(request, "quotas/task_overview.html", {
        "year": year, "years": selectors.task_years(request.user), **overview,
        "can_edit": request.user.role == Role.PROVINCE,
        "can_export_units": request.user.role in (Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER),
        "can_export_cities": request.user.role in (Role.PROVINCE, Role.CITY, Role.OBSERVER),
    })


@role_required(Role.PROVINCE)
def task_edit(request, pk):
    task = get_visible_or_404(Task.objects.select_related("unit", "city"), request.user, pk=pk)
    form = TaskNumberForm(request.POST or None,
                          initial={"number": task.number, "note": task.note})
    if request.method == "POST" and form.is_valid():
        services.task_set_number(task, actor=request.user, **form.cleaned_data)
        messages.success(request, f"已更新“{task.unit or task.city}”{task.year}年任务数。")
        return redirect("quotas:task_overview", year=task.year)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"{task.year}年任务数：{task.unit or task.city}",
        "back": reverse("quotas:task_overview", args=[task.year]),
    })
