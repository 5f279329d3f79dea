"""跟踪随访: plans of projects with many people abroad, their visits, and the settings."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors
from apps.followups import selectors, services
from apps.followups.forms import IssueFormSet, OfficerForm, PlanFilterForm, SettingsForm, VisitForm
from apps.followups.models import FollowUpPlan
from apps.orgs.models import Agency
from apps.pipeline.models import Candidacy

ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
MANAGERS = (Role.PROVINCE, Role.AGENCY)
PER_PAGE = 50


@role_required(*ROLES)
def plan_list(request):
    user = request.user
    form = PlanFilterForm(request.GET or None,
                          agencies=visible(Agency.objects.order_by("name"), user))
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.plans_list(user, filters), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "followups/plan_list.html", {
        "form": form, "page": page, "settings": selectors.settings_current(),
        "figures": selectors.followup_figures(user), "can_ensure": user.role == Role.PROVINCE})


@require_POST
@role_required(Role.PROVINCE)
def plans_ensure(request):
    result = services.plans_ensure()
    messages.success(request, f"已核对：新建随访计划{result['created']}个，结束{result['ended']}个，"
                              f"恢复{result['revived']}个。")
    return redirect("followups:plan_list")


def _plan(request, pk):
    qs = selectors.plans_annotated(FollowUpPlan.objects.select_related(
        "project__agency", "officer", "officer_set_by"))
    return get_visible_or_404(qs, request.user, pk=pk)


@role_required(*ROLES)
def plan_detail(request, pk):
    plan = _plan(request, pk)
    user = request.user
    seen = set(visible(Candidacy.objects.filter(follow_up_visits__plan=plan), user)
               .values_list("pk", flat=True))
    visits = list(plan.visits.select_related("officer", "recorded_by").prefetch_related(
        "issues", "workers__person"))
    manage = selectors.may_manage(plan, user)
    for visit in visits:
        visit.shown_workers = [c for c in visit.workers.all() if c.pk in seen]
        visit.hidden_workers = len(visit.workers.all()) - len(visit.shown_workers)
        for issue in visit.issues.all():
            issue.open_link = selectors.issue_open_link(
                issue, [c.pk for c in visit.shown_workers]) if manage else ""
    return render(request, "followups/plan_detail.html", {
        "plan": plan, "visits": visits, "manage": manage,
        "items": selectors.plan_items(plan).with_state().select_related("rule").order_by("due_on"),
        "settings": selectors.settings_current(),
        "officer_form": OfficerForm(officers=selectors.officer_choices(plan, user),
                                    initial={"officer": plan.officer_id}) if manage else None,
    })


@require_POST
@role_required(*MANAGERS)
def plan_officer(request, pk):
    plan = _plan(request, pk)
    form = OfficerForm(request.POST, officers=selectors.officer_choices(plan, request.user))
    if form.is_valid():
        try:
            services.plan_officer_set(plan, officer=form.cleaned_data["officer"],
                                      actor=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已指定随访专人：{form.cleaned_data['officer']}。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(plan)


@role_required(*MANAGERS)
def visit_create(request, pk):
    plan = _plan(request, pk)
    user = request.user
    if not selectors.may_manage(plan, user):
        raise PermissionDenied("只有省专项办和本项目的输出机构可以登记随访记录。")
    number = plan.visits.count() + 1
    kwargs = {"workers": selectors.plan_workers(plan, user),
              "candidacies": visible(Candidacy.objects.all(), user),
              "officers": selectors.officer_choices(plan, user)}
    form = VisitForm(request.POST or None, initial={
        "number": number, "visited_on": timezone.localdate(), "officer": plan.officer_id}, **kwargs)
    issues = IssueFormSet(request.POST or None, prefix="issues")
    if request.method == "POST" and form.is_valid() and issues.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_record(
                plan, actor=user, number=data["number"], visited_on=data["visited_on"],
                mode=data["mode"], officer=data["officer"], officer_name=data["officer_name"],
                workers=list(data["workers"]), note=data["note"],
                issues=[i for i in issues.cleaned_data if i.get("description")])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记第{visit.number}次随访。")
            return redirect(plan)
    status = 400 if request.method == "POST" else 200
    return render(request, "followups/visit_form.html", {
        "plan": plan, "form": form, "issues": issues, "number": number}, status=status)


@role_required(*ROLES)
def settings_page(request):
    """Everyone who follows up reads the thresholds and the interval; the province sets them."""
    current = selectors.settings_current()
    can_edit = request.user.role == Role.PROVINCE
    form = SettingsForm(request.POST or None, initial={
        "plan_at": current.plan_at, "officer_at": current.officer_at,
        "interval_days": current.interval_days})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有省专项办可以修改跟踪随访设置。")
        if form.is_valid():
            try:
                services.settings_set(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "已保存跟踪随访设置。")
                return redirect("followups:settings")
    return render(request, "followups/settings.html", {
        "form": form, "current": current, "can_edit": can_edit},
        status=400 if form.errors else 200)

