"""投诉纠纷: list, filing, the case page and its actions, evidence, export. Thin: scope, form,
one service, redirect."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.files import document_response
from apps.common.forms import apply_errors, filters_note, query_without_page
from apps.common.paginator import KeysetPage
from apps.followups.models import IssueKind
from apps.followups.selectors import issue_to_open
from apps.complaints import forms, services, transitions
from apps.complaints.models import Complaint, ComplaintEvidence, StepAction
from apps.complaints.selectors import Rag, complaint_list as select_list, officer_candidates
from apps.orgs.models import Agency, OrganisingUnit
from apps.rosters import exports
from apps.rosters.views import _xlsx

PER_PAGE = 50
ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
A = StepAction
# action -> (form, service, page title); every service takes the case, actor and the form's data.
ACTIONS = {
    A.ACCEPT: (forms.NoteForm, services.complaint_accept, "受理"),
    A.REFUSE: (forms.ReasonForm, services.complaint_refuse, "不予受理"),
    A.TRANSFER: (forms.NoteForm, services.complaint_transfer, "转输出机构办理"),
    A.REPLY: (forms.ReplyForm, services.agency_reply, "书面答复"),
    A.MEDIATE: (forms.NoteForm, services.mediation_start, "开始调解"),
    A.HOLD: (forms.ReasonForm, services.complaint_hold, "暂停办理（停止计时）"),
    A.RESUME: (forms.NoteForm, services.complaint_resume, "恢复办理"),
    A.RESOLVE: (forms.ResolveForm, services.complaint_resolve, "办结"),
    A.CLOSE: (forms.NoteForm, services.complaint_close, "结案"),
    A.REOPEN: (forms.ReasonForm, services.complaint_reopen, "重新办理"),
}


def _filtered(request):
    form = forms.FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters, select_list(request.user, filters)


@role_required(*ROLES)
def complaint_list(request):
    form, _, qs = _filtered(request)
    page = KeysetPage(qs, after=request.GET.get("after"), per_page=PER_PAGE,
                      order=("received_on", "id"), unit="件")
    return render(request, "complaints/list.html", {
        "form": form, "page": page, "rag_labels": Rag.LABELS,
        "export_query": query_without_page(request)})


HEADERS = ["序号", "案件编号", "劳务人员", "身份证号", "类型", "类别", "来源渠道", "收到日期",
           "被投诉方", "输出机构", "组织单位", "办理层级", "状态", "办结期限", "是否逾期", "办理结果",
           "挽回金额（元）"]


def _export_rows(rows):
    for n, c in enumerate(rows, 1):
        person = c.candidacy.person
        yield [n, c.number, "（敏感）" if c.sensitive else person.name,
               "" if c.sensitive else exports.person_numbers(person)["id"], c.get_kind_display(),
               c.get_category_display(), c.get_channel_display(), f"{c.received_on:%Y-%m-%d}",
               c.respondent_label, c.agency.name, c.unit.name if c.unit_id else "—",
               c.get_level_display(), c.get_state_display(),
               f"{c.due_on:%Y-%m-%d}" if c.due_on else "", "是" if c.is_overdue else "否",
               c.get_outcome_display(), c.amount_recovered if c.amount_recovered is not None else ""]


@role_required(*ROLES)
def complaint_export(request):
    form, filters, qs = _filtered(request)
    title = "投诉纠纷台账"
    note = filters_note(form, filters)
    content = exports.list_sheet(title, HEADERS, _export_rows(qs.iterator(chunk_size=2000)),
                                 note=note)
    return _xlsx(request, content, f"{title}.xlsx", f"{title}（{note}）")


def _respondent_choices(user):
    return {"agencies": visible(Agency.objects.order_by("name"), user),
            "units": visible(OrganisingUnit.objects.order_by("seq", "pk"), user)}


@role_required(*ROLES)
def complaint_create(request):
    user = request.user
    # Opened from a follow-up visit's issue: its worker and its words prefilled, linked back.
    issue, workers = issue_to_open(user, request.GET, IssueKind.COMPLAINT,
                                   opened_too=request.method == "POST")
    initial = {"summary": issue.description, "candidacy": workers[0] if workers else None,
               "channel": "visit"} if issue else {}
    form = forms.ComplaintForm(request.POST or None, initial=initial,
                               candidacies=services.departed_candidacies(user).order_by("-departed_on"),
                               **_respondent_choices(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        claims = form.claims()
        for key in list(data):
            if key.startswith("claim"):
                data.pop(key)
        try:
            c = services.complaint_file(actor=user, claims=claims, opened_from=issue, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记投诉纠纷 {c.number}。")
            return redirect(c)
    return render(request, "orgs/form.html", {"form": form, "title": "登记投诉纠纷" + (
                      f"（随访发现的问题：{issue.description}）" if issue else ""),
                                              "back": reverse("complaints:complaint_list")})


def _case_form(request, c, form, save, *, done, title, multipart=False):
    """A form page about case ``c``: on a valid POST ``save(cleaned_data)`` (the service),
    its refusal shown on the fields, else back to the case with ``done``."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(c)
    return render(request, "orgs/form.html", {"form": form, "title": f"{title}：{c.number}",
                                              "multipart": multipart,
                                              "back": c.get_absolute_url()})


def _case(request, pk):
    return get_visible_or_404(Complaint.objects.select_related(
        "candidacy__person", "candidacy__project", "agency", "unit", "city", "respondent_agency",
        "respondent_unit", "transferred_to", "filed_by"), request.user, pk=pk)


@role_required(*ROLES)
def complaint_detail(request, pk):
    c = _case(request, pk)
    user = request.user
    items = list(services.case_items(c).select_related("rule").order_by("id"))
    for item in items:
        item.owner_label = Role(item.owner_role).label
    return render(request, "complaints/detail.html", {
        "c": c, "id_masked": exports.person_numbers(c.candidacy.person)["id"],
        "claims": c.claims.all(), "claimed_total": services.claimed_total(c),
        "evidence": c.evidence.select_related("uploaded_by"),
        "steps": c.steps.select_related("by"), "items": items,
        "actions": [(a, ACTIONS[a][2]) for a in transitions.available(user, c)],
        "can_edit": transitions.may(user, c, A.EDIT) and c.state != "closed",
        "can_upload": transitions.may(user, c, A.EVIDENCE),
        "officers": c.officers.all(),
        "reopen_until": services.reopen_deadline(c) if c.resolved_on else None,
        "today": timezone.localdate()})


@role_required(*ROLES)
def complaint_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    if action in transitions.AGENCY_ACTIONS and request.user.role != Role.AGENCY:
        raise PermissionDenied("只有输出机构可以书面答复。")
    c = _case(request, pk)
    transitions.require(request.user, c, action)
    form_class, service, title = ACTIONS[action]
    form = form_class(request.POST or None, initial={"on": timezone.localdate()})
    return _case_form(request, c, form, lambda data: service(c, actor=request.user, **data),
                      done=f"{c.number}：已{title}。", title=title)


@role_required(*ROLES)
def complaint_edit(request, pk):
    c = _case(request, pk)
    transitions.require(request.user, c, A.EDIT)
    initial = {"category": c.category, "respondent_kind": c.respondent_kind,
               "respondent_agency": c.respondent_agency_id, "respondent_unit": c.respondent_unit_id,
               "respondent_employer": c.respondent_employer}
    form = forms.EditForm(request.POST or None, initial=initial,
                          **_respondent_choices(request.user))
    return _case_form(request, c, form,
                      lambda data: services.complaint_edit(c, actor=request.user, **data),
                      done=f"{c.number}：已修改，办理期限及暂停记录保持不变。", title="修改类别或被投诉方")


@role_required(*ROLES)
def complaint_officers(request, pk):
    c = _case(request, pk)
    transitions.require(request.user, c, A.OFFICERS)
    form = forms.OfficersForm(request.POST or None, users=officer_candidates(c),
                              initial={"sensitive": c.sensitive, "officers": c.officers.all()})
    return _case_form(request, c, form,
                      lambda data: services.officers_set(c, actor=request.user, **data),
                      done=f"{c.number}：已保存敏感标记和经办人。", title="敏感案件与经办人")


@role_required(*ROLES)
def evidence_upload(request, pk):
    c = _case(request, pk)
    transitions.require(request.user, c, A.EVIDENCE)
    form = forms.EvidenceForm(request.POST or None, request.FILES or None)
    return _case_form(request, c, form, lambda data: services.evidence_add(
        c, actor=request.user, uploaded=data["file"], description=data["description"]),
        done="材料已上传。", title="上传证据材料", multipart=True)


@role_required(*ROLES)
def evidence_download(request, pk):
    """Served only through scoping (a sensitive case's files too), never from a media URL."""
    evidence = get_visible_or_404(ComplaintEvidence.objects.all(), request.user, pk=pk)
    return document_response(evidence.file, content_type=evidence.content_type,
                             original_name=evidence.original_name, fallback="证据材料")
