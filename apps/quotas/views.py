from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404
from apps.common.forms import apply_errors
from apps.quotas import selectors, services
from apps.quotas.models import PovertyTarget, Task, TaskPlan
from apps.accounts.scoping import visible

TASK_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER)


class TaskNumberForm(forms.Form):
    number = forms.IntegerField(label="任务数（人）", min_value=0, required=False,
                                help_text="留空表示未知")
    note = forms.CharField(label="说明", max_length=200, required=False)


class PlanForm(forms.ModelForm):
    class Meta:
        model = TaskPlan
        fields = ["overall_aim", "declared_unit_total", "declared_city_total", "source"]
        help_texts = {"declared_unit_total": "文件印发的附件1合计；未印发的留空",
                      "declared_city_total": "文件印发的附件2合计；未印发的留空",
                      "source": "如：晋人社办发〔2020〕14号"}


class OpenYearForm(forms.Form):
    copy_from = forms.TypedChoiceField(label="开设方式", coerce=int, empty_value=None,
                                       required=False, widget=forms.RadioSelect)

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "空白年度（各市、各组织单位任务数待录入）")]
        if previous:
            choices.insert(0, (previous, f"复制{previous}年度的全省目标和全部任务数，再逐项修改"))
        self.fields["copy_from"].choices = choices
        self.initial.setdefault("copy_from", previous or "")


class PovertyTargetForm(forms.Form):
    year = forms.IntegerField(label="年度", error_messages={"required": "请填写年度。"})
    share = forms.DecimalField(label="目标占比（%）", max_digits=5, decimal_places=1,
                               error_messages={"required": "请填写目标占比。",
                                               "invalid": "目标占比应为数字。"},
                               help_text="脱贫劳动力和监测对象占当年输出人数的比例")
    note = forms.CharField(label="依据或说明", max_length=200, required=False)


def _year_or_404(year):
    if not services.plannable(year):
        raise Http404("年度无效")


@role_required(*TASK_ROLES)
def task_index(request):
    return redirect("quotas:task_overview", year=selectors.current_year())


@role_required(*TASK_ROLES)
def task_overview(request, year):
    _year_or_404(year)
    user = request.user
    overview = selectors.task_overview(user, year)
    years = selectors.year_choices(user)
    context = {"year": year, "years": years, **overview, "can_edit": user.role == Role.PROVINCE}
    if user.role == Role.PROVINCE and services.plannable(year + 1) and year + 1 not in years:
        context["next_year"] = year + 1  # how the province reaches a year not opened yet
    if overview["plan"] is None:
        # Not opened, or a draft someone else may not see: the same page for both.
        previous = selectors.previous_plan_year(user, year)
        context["open_form"] = (OpenYearForm(previous=previous)
                                if user.role == Role.PROVINCE else None)
        return render(request, "quotas/task_year_empty.html", context)
    return render(request, "quotas/task_overview.html", {
        **context,
        "can_export_units": user.role in (Role.PROVINCE, Role.CITY, Role.UNIT, Role.OBSERVER),
        "can_export_cities": user.role in (Role.PROVINCE, Role.CITY, Role.OBSERVER),
    })


@require_POST
@role_required(Role.PROVINCE)
def task_plan_open(request, year):
    _year_or_404(year)
    form = OpenYearForm(request.POST, previous=selectors.previous_plan_year(request.user, year))
    if form.is_valid():
        try:
            plan = services.task_plan_open(year=year, actor=request.user,
                                           copy_from=form.cleaned_data["copy_from"])
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已开设{plan.year}年度任务（草稿，仅省专项办可见）。"
                                      f"核对全省目标和各项任务数后发布。")
    else:
        messages.error(request, "开设方式无效，请重新选择。")
    return redirect("quotas:task_overview", year=year)


@role_required(Role.PROVINCE)
def task_plan_edit(request, year):
    plan = get_visible_or_404(TaskPlan.objects.all(), request.user, year=year)
    form = PlanForm(request.POST or None, instance=TaskPlan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_plan_save(year=year, actor=request.user,
                                    **{n: form.cleaned_data[n] for n in PlanForm.Meta.fields})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已保存{year}年度全省目标和合计数。")
            return redirect("quotas:task_overview", year=year)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"{year}年度全省目标",
        "back": reverse("quotas:task_overview", args=[year]),
    })


@require_POST
@role_required(Role.PROVINCE)
def task_plan_publish(request, year):
    plan = get_visible_or_404(TaskPlan.objects.all(), request.user, year=year)
    try:
        services.task_plan_publish(plan, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已发布{year}年度任务：各市、各组织单位现在可以看到本年度任务。")
    return redirect("quotas:task_overview", year=year)


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


@role_required(*TASK_ROLES)
def poverty_targets(request):
    """脱贫劳动力占比目标: each year's target, set by the province (data, not code)."""
    user = request.user
    form = PovertyTargetForm(request.POST or None,
                             initial={"year": selectors.current_year()})
    if request.method == "POST":
        if user.role != Role.PROVINCE:
            raise PermissionDenied("脱贫劳动力占比目标由省专项办设置。")
        if form.is_valid():
            try:
                target = services.poverty_target_set(actor=user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"已设置{target.year}年脱贫劳动力占比目标：{target.share}%。")
                return redirect("quotas:poverty_targets")
    return render(request, "quotas/poverty_targets.html", {
        "form": form, "can_edit": user.role == Role.PROVINCE,
        "targets": visible(PovertyTarget.objects.select_related("updated_by"), user),
    }, status=400 if form.errors else 200)
