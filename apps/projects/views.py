from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.files import document_response
from apps.common.forms import apply_errors
from apps.common.paginator import KeysetPage
from apps.orgs import selectors as org_selectors
from apps.orgs.models import FilingStatus
from apps.projects import selectors, services
from apps.projects.forms import ApproveForm, DockForm, ProjectForm, ReturnForm
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus

ALL_ROLES = tuple(Role)


@role_required(*ALL_ROLES)
def project_list(request):
    status = request.GET.get("status") if request.GET.get("status") in ProjectStatus else None
    projects = selectors.project_list(request.user, status=status)
    page = KeysetPage(projects, after=request.GET.get("after"), order=("created_at", "id"))
    return render(request, "projects/project_list.html", {
        "page": page, "status": status, "statuses": ProjectStatus.choices,
        "can_create": request.user.role == Role.AGENCY,
    })


@role_required(*ALL_ROLES)
def project_detail(request, pk):
    user = request.user
    project = selectors.project_get(user, pk)
    mine = user.role == Role.AGENCY and project.agency_id == user.agency_id
    return render(request, "projects/project_detail.html", {
        "project": project,
        "dockings": selectors.project_dockings(user, project),
        "can_edit": mine and project.status == ProjectStatus.DRAFT,
        "can_review": user.role == Role.PROVINCE and project.status == ProjectStatus.SUBMITTED,
        "can_close": (mine or user.role == Role.PROVINCE)
        and project.status == ProjectStatus.PUBLISHED,
        "can_dock": user.role in (Role.CITY, Role.UNIT) and project.status == ProjectStatus.PUBLISHED,
        "sees_review": user.role == Role.PROVINCE or mine,
        # The observer counts, never lists (and a project's few people are a small cell).
        "priority": None if user.role == Role.OBSERVER else _priority(user, project),
    })


def _priority(user, project) -> dict:
    """Seed 003: how many of the project's candidates (in the user's scope) are 脱贫劳动力 or
    监测对象, against the province's target share for this year."""
    from apps.accounts.scoping import visible
    from apps.pipeline.models import Candidacy
    from apps.pipeline.selectors import priority_counts
    from apps.quotas.models import PovertyTarget
    from apps.quotas.selectors import current_year
    counts = priority_counts(visible(Candidacy.objects.filter(project=project), user))
    counts["share"] = round(100 * counts["priority"] / counts["total"], 1) if counts["total"] else None
    counts["year"] = current_year()
    counts["target"] = visible(PovertyTarget.objects.filter(year=counts["year"]), user) \
        .values_list("share", flat=True).first()
    return counts


@role_required(Role.AGENCY)
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_draft(agency=request.user.agency, actor=request.user,
                                         **form.cleaned_data)
        messages.success(request, "已保存项目草稿。提交后由省专项办审核发布。")
        return redirect("projects:project_detail", pk=project.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": "新建岗位项目", "back": reverse("projects:project_list")})


def _own_draft(request, pk):
    project = get_visible_or_404(JobProject.objects.all(), request.user, pk=pk)
    if project.agency_id != request.user.agency_id:
        raise PermissionDenied("只能修改本机构的项目。")
    return project


@role_required(Role.AGENCY)
def project_edit(request, pk):
    project = _own_draft(request, pk)
    if project.status != ProjectStatus.DRAFT:
        raise PermissionDenied("已提交或已发布的项目不能修改。")
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已保存。")
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"修改项目：{project.name}",
        "back": reverse("projects:project_detail", args=[project.pk])})


@require_POST
@role_required(Role.AGENCY)
def project_submit(request, pk):
    return _act(request, _own_draft(request, pk), services.project_submit, "已提交省专项办审核。")


def _act(request, project, service, done: str):
    """A one-button status move: the service decides, the user reads why not."""
    try:
        service(project, actor=request.user)
        messages.success(request, done)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("projects:project_detail", pk=project.pk)


@role_required(Role.PROVINCE)
def project_review(request, pk):
    """Approve with the 项目审查表, or return with a reason."""
    project = get_visible_or_404(JobProject.objects.select_related("agency"), request.user, pk=pk)
    returning = "return" in request.POST
    # Only the form whose button was pressed is bound: the other shows no errors.
    posted = request.method == "POST"
    approve = ApproveForm(request.POST if posted and not returning else None,
                          request.FILES if posted and not returning else None, prefix="a")
    back = ReturnForm(request.POST if posted and returning else None, prefix="r")
    if posted:
        form = back if returning else approve
        if form.is_valid():
            try:
                if returning:
                    services.project_return(project, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已退回机构修改。")
                else:
                    services.project_approve(project, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已审核通过并发布。")
                return redirect("projects:project_detail", pk=project.pk)
            except ValidationError as error:
                apply_errors(form, error)
    return render(request, "projects/project_review.html", {
        "project": project, "approve": approve, "back_form": back})


@require_POST
@role_required(Role.PROVINCE, Role.AGENCY)
def project_close(request, pk):
    project = get_visible_or_404(JobProject.objects.all(), request.user, pk=pk)
    if request.user.role == Role.AGENCY and project.agency_id != request.user.agency_id:
        raise PermissionDenied("只能结束本机构的项目。")
    return _act(request, project, services.project_close, "项目已结束。")


@role_required(Role.CITY, Role.UNIT)
def project_dock(request, pk):
    user = request.user
    project = get_visible_or_404(JobProject.objects.select_related("agency"), user, pk=pk)
    units = None
    if user.role == Role.CITY:
        units = org_selectors.unit_list(user, filing_status=FilingStatus.APPROVED)
    form = DockForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = user.unit if user.role == Role.UNIT else data.pop("unit", None)
        data.pop("unit", None)
        city = unit.city if unit else user.city
        try:
            services.project_dock(project, city=city, unit=unit, actor=user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记与“{project.agency}”的项目对接。")
            return redirect("projects:project_detail", pk=project.pk)
    counts = _priority(user, project)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"对接项目：{project.name}", "multipart": True,
        "intro": f"本项目现有本{'市' if user.role == Role.CITY else '单位'}候选人 {counts['total']} 人，"
                 f"其中脱贫劳动力和监测对象 {counts['priority']} 人（已核实且在有效期内 "
                 f"{counts['verified']} 人）"
                 + (f"；{counts['year']}年目标占比 {counts['target']}%" if counts["target"] else "")
                 + "。脱贫劳动力优先纳入有组织输出。",
        "back": reverse("projects:project_detail", args=[project.pk])})


@role_required(*ALL_ROLES)
def review_form_download(request, pk):
    """The 项目审查表: to the province and the project's own agency."""
    project = get_visible_or_404(JobProject.objects.all(), request.user, pk=pk)
    if request.user.role != Role.PROVINCE and not (
            request.user.role == Role.AGENCY and project.agency_id == request.user.agency_id):
        raise Http404("无此文件")
    if not project.review_form:
        raise Http404("未上传审查表")
    audit_log(request.user, AuditAction.DOWNLOAD, project, detail="项目审查表", request=request)
    return document_response(project.review_form, content_type=project.review_form_type,
                             original_name=project.review_form_name, fallback="项目审查表")


@role_required(*ALL_ROLES)
def docking_agreement(request, pk):
    docking = get_visible_or_404(ProjectDocking.objects.all(), request.user, pk=pk)
    if not docking.agreement:
        raise Http404("未上传协议")
    audit_log(request.user, AuditAction.DOWNLOAD, docking, detail="项目对接合作协议",
              request=request)
    return document_response(docking.agreement, content_type=docking.agreement_type,
                             original_name=docking.agreement_name, fallback="合作协议")
