"""境外突发事件: list, record, detail, reports, grade, end of response, report deadlines."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.forms import apply_errors, filters_note, query_without_page
from apps.common.paginator import KeysetPage
from apps.deadlines.models import DeadlineItem
from apps.followups.models import IssueKind
from apps.followups.selectors import issue_to_open
from apps.incidents import selectors, services
from apps.incidents.forms import (
    EndForm, GradeForm, IncidentFilterForm, IncidentForm, ReportForm, RuleForm, WorkersForm,
)
from apps.incidents.models import (
    Incident, IncidentReportRule, IncidentWorker, ReportKind, report_stage,
)
from apps.rosters import exports
from apps.rosters.views import _xlsx

PEOPLE = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
PER_PAGE = 30


def _filtered(request):
    form = IncidentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters, selectors.incident_list(request.user, filters)


@role_required(*PEOPLE)
def incident_list(request):
    form, _, qs = _filtered(request)
    return render(request, "incidents/list.html", {
        "form": form,
        "page": KeysetPage(qs, after=request.GET.get("after"), per_page=PER_PAGE,
                           order=("learned_at", "id"), unit="起"),
        "export_query": query_without_page(request), "now": timezone.now()})


HEADERS = ["序号", "事件编号", "类别", "等级", "等级状态", "发生时间", "获知时间", "国家（地区）",
           "地点", "报告单位", "牵头", "状态", "涉事人员", "报告数", "迟报数", "逾期未报"]


def _at(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _export_rows(incidents):
    for n, i in enumerate(incidents, 1):
        people = "、".join(f"{w.candidacy.person.name}（{exports.person_numbers(w.candidacy.person)['id']}）"
                          for w in i.workers.all())
        yield [n, i.pk, i.get_category_display(), i.get_grade_display(),
               "已确认" if i.grade_confirmed else "暂定", _at(i.occurred_at), _at(i.learned_at),
               i.country, i.place, i.reporter_label, i.owner_label, i.get_status_display(),
               people, i.report_count, i.late_reports, "是" if i.overdue else "否"]


@role_required(*PEOPLE)
def incident_export(request):
    form, filters, qs = _filtered(request)
    qs = qs.prefetch_related(Prefetch("workers", IncidentWorker.objects.select_related(
        "candidacy__person")))
    title, note = "境外突发事件", filters_note(form, filters)
    content = exports.list_sheet(title, HEADERS, _export_rows(qs), note=note)
    return _xlsx(request, content, f"{title}.xlsx", f"{title}（{note}）")


def _page(request, template, form, context=None):
    return render(request, template, {"form": form, **(context or {})},
                  status=400 if form.errors else 200)


@role_required(*PEOPLE)
def incident_create(request):
    # Opened from a follow-up visit's issue: its workers and its words prefilled, linked back.
    issue, workers = issue_to_open(request.user, request.GET, IssueKind.INCIDENT,
                                   opened_too=request.method == "POST")
    initial = {"summary": issue.description, "workers": workers} if issue else {}
    form = IncidentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                actor=request.user, candidacies=list(data["workers"]), opened_from=issue,
                **{k: data[k] for k in ("category", "grade", "occurred_at", "learned_at",
                                        "country", "place", "summary")})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记{incident}，请在时限内报送首次报告。")
            return redirect(incident)
    return _page(request, "orgs/form.html", form, {"title": "登记境外突发事件"})


def _incident(request, pk) -> Incident:
    return get_visible_or_404(Incident.objects.select_related("city", "unit", "agency",
                                                               "created_by"), request.user, pk=pk)


@role_required(*PEOPLE)
def incident_detail(request, pk):
    incident = _incident(request, pk)
    user = request.user
    workers = visible(IncidentWorker.objects.filter(incident=incident), user).select_related(
        "candidacy__person", "candidacy__agency", "candidacy__unit", "candidacy__project")
    for w in workers:
        w.id_masked = exports.person_numbers(w.candidacy.person)["id"]
    items = visible(DeadlineItem.objects.filter(pk__in=services.open_items(incident)), user)
    owed = services.next_report(incident)
    return render(request, "incidents/detail.html", {
        "incident": incident, "workers": workers,
        "changes": incident.grade_changes.select_related("changed_by"),
        "reports": incident.reports.select_related("filed_by"),
        "items": items.select_related("rule").with_state(), "owed": owed,
        "owed_label": (f"续报{owed[1]}" if owed[0] == ReportKind.FOLLOWUP
                       else ReportKind(owed[0]).label) if owed else "",
        "can_report": services.is_reporter(incident, user) and owed is not None,
        "can_grade": services.may_raise(incident, user) or services.may_confirm(incident, user),
        "can_confirm": services.may_confirm(incident, user) and not incident.grade_confirmed,
        "can_end": services.may_end(incident, user),
        "can_add": services.may_raise(incident, user) and incident.status != "closed",
    })


def _act(request, form, call, success):
    """POST: validate the form, call the service, redirect to the incident; refusals of the
    service are shown on the form (400)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return True


@role_required(*PEOPLE)
def workers_add(request, pk):
    incident = _incident(request, pk)
    if not services.may_raise(incident, request.user):
        raise PermissionDenied("只有报告单位、牵头地市或省专项办可以添加涉事人员。")
    form = WorkersForm(request.POST or None, user=request.user,
                       exclude=incident.workers.values_list("candidacy_id", flat=True))
    if _act(request, form, lambda d: services.incident_workers_add(
            incident, actor=request.user, candidacies=list(d["workers"])),
            lambda added: f"已添加{len(added)}名涉事人员。"):
        return redirect(incident)
    return _page(request, "orgs/form.html", form,
                 {"title": f"添加涉事人员：{incident}", "back": incident.get_absolute_url()})


@role_required(*PEOPLE)
def report_file(request, pk, kind):
    incident = _incident(request, pk)
    if kind not in ReportKind.values:
        raise PermissionDenied("没有这种报告。")
    if not services.is_reporter(incident, request.user):
        raise PermissionDenied("报告由登记事件的报告单位报送。")
    owed = services.next_report(incident)
    if owed is None or owed[0] != kind:
        messages.error(request, services.out_of_order(incident, kind, owed)
                       if owed else "事件已终报，不再报送报告。")
        return redirect(incident)
    previous = incident.reports.order_by("-filed_at", "-id").first()
    initial = {"expected": report_stage(*owed), "event_time": timezone.localtime(
        incident.occurred_at), "place": incident.place,
        "people_affected": incident.workers.count()}
    if previous:  # a report starts from the last one; each is signed off anew
        initial = {**initial, **{f: getattr(previous, f) for f in services.REPORT_FIELDS
                                 if f != "signed_by"}}
    form = ReportForm(request.POST or None, initial=initial)
    label = f"续报{owed[1]}" if kind == ReportKind.FOLLOWUP else ReportKind(kind).label

    def submit(data):
        fields = {k: data[k] for k in services.REPORT_FIELDS}
        return services.report_file(incident, actor=request.user, kind=kind,
                                    expected=data.get("expected", ""),
                                    paper_at=data.get("paper_at"),
                                    paper_form_no=data.get("paper_form_no", ""), **fields)
    if _act(request, form, submit, lambda r: f"已报送{r.title}" + (
            "。该报告晚于时限，已记为迟报。" if r.late else "。")):
        return redirect(incident)
    item = services.open_items(incident).filter(stage=report_stage(*owed)).first()
    return _page(request, "incidents/report_form.html", form, {
        "incident": incident, "label": label, "item": item})


@role_required(*PEOPLE)
def grade_change(request, pk):
    incident = _incident(request, pk)
    user = request.user
    if not (services.may_raise(incident, user) or services.may_confirm(incident, user)):
        raise PermissionDenied("您无权调整此事件的等级。")
    form = GradeForm(request.POST or None, initial={"grade": incident.grade})
    if _act(request, form, lambda d: services.grade_change(
            incident, actor=user, grade=d["grade"], confirm=d["confirm"], reason=d["reason"]),
            lambda i: f"事件等级为{i.get_grade_display()}"
                      f"{'（已确认）' if i.grade_confirmed else '（暂定）'}，已通知{i.owner_label}。"):
        return redirect(incident)
    return _page(request, "orgs/form.html", form, {
        "title": f"调整或确认等级：{incident}", "back": incident.get_absolute_url()})


@role_required(*PEOPLE)
def response_end(request, pk):
    incident = _incident(request, pk)
    if not services.may_end(incident, request.user):
        raise PermissionDenied("您不能结束此事件的处置。")
    form = EndForm(request.POST or None)
    if _act(request, form, lambda d: services.response_end(
            incident, actor=request.user, ended_at=d["ended_at"]),
            "已结束处置，终报待办已生成。"):
        return redirect(incident)
    return _page(request, "orgs/form.html", form, {
        "title": f"结束处置：{incident}", "back": incident.get_absolute_url()})


@role_required(*PEOPLE)
def rule_list(request):
    return render(request, "incidents/rules.html", {
        "rules": visible(IncidentReportRule.objects.select_related("updated_by"), request.user),
        "can_edit": request.user.role == Role.PROVINCE})


@role_required(Role.PROVINCE)
def rule_edit(request, pk):
    rule = get_visible_or_404(IncidentReportRule.objects.all(), request.user, pk=pk)
    form = RuleForm(request.POST or None, rule=rule, initial={"amount": rule.amount})
    if _act(request, form, lambda d: services.report_rule_set(rule, actor=request.user,
                                                              amount=d["amount"]),
            lambda r: f"已修改{r}时限为{r.description}，未完成的报告时限已重新计算。"):
        return redirect("incidents:rule_list")
    return _page(request, "orgs/form.html", form, {
        "title": f"修改报告时限：{rule}", "back": reverse("incidents:rule_list")})
