"""Pipeline pages: candidacy list, record a stage, sessions with batch recording, 花名表."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.paginator import KeysetPage
from apps.common.forms import apply_errors, filters_note, query_without_page
from apps.common.params import ascii_int
from apps.common.wording import error_text
from apps.dashboards.drilldown import FigureQuery
from apps.orgs.models import Agency, City, OrganisingUnit
from apps.pipeline import roster, selectors, services, transitions
from apps.pipeline.forms import (
    CandidacyFilterForm, OpenCandidacyForm, RecordForm, RejoinForm, SessionForm, WithdrawForm,
)
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Session, Stage
from apps.projects.models import JobProject, ProjectStatus
from apps.registry.models import Person
from apps.rosters import exports
from apps.rosters.views import _xlsx
from apps.training.models import ClassKind, TrainingClass

PER_PAGE = 50
PEOPLE_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
SESSION_ROLES = (Role.CITY, Role.UNIT, Role.AGENCY)


def _filtered_candidacies(request):
    """The list page's form and rows: the export takes exactly these."""
    user = request.user
    form = CandidacyFilterForm(
        request.GET or None,
        units=visible(OrganisingUnit.objects.all(), user),
        cities=visible(City.objects.all(), user),
        agencies=visible(Agency.objects.all(), user))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.candidacy_list(user, **{k: v for k, v in filters.items() if v})
    # A dashboard figure's link: exactly the candidacies that figure counts.
    figure = FigureQuery.from_params(request.GET)
    if figure is not None:
        qs = figure.apply(qs)
        form.figure_label = figure.label(_names(figure, user))
    return form, filters, qs.order_by("-stage_on", "-id")


def _names(figure, user) -> dict:
    """Names of the organisations a figure's link names, read within the user's scope."""
    models = {"city": City, "unit": OrganisingUnit, "agency": Agency, "project": JobProject}
    return {(kind, getattr(figure, kind)): str(obj)
            for kind, model in models.items() if getattr(figure, kind)
            for obj in visible(model.objects.filter(pk=getattr(figure, kind)), user)}


@role_required(*PEOPLE_ROLES)
def candidacy_list(request):
    form, _, qs = _filtered_candidacies(request)
    # Keyset on (stage_on, id): the order of the list and of its indexes, no count.
    page = KeysetPage(qs, after=request.GET.get("after"), per_page=PER_PAGE)
    return render(request, "pipeline/candidacy_list.html",
                  {"form": form, "page": page, "total": page.total_label("条"),
                   "export_query": query_without_page(request)})


@role_required(*PEOPLE_ROLES)
def candidacy_export(request):
    """报名与筛选 as xlsx; filtered by 在外就业 it is the list of people abroad."""
    form, filters, qs = _filtered_candidacies(request)
    title = ("在外就业人员名单" if filters.get("status") == CandidacyStatus.ABROAD
             else "报名与筛选名单")
    content = exports.list_sheet(title, exports.CANDIDACY_HEADERS,
                                 exports.candidacy_list_rows(qs.iterator(chunk_size=2000)),
                                 note=_note(form, filters))
    return _xlsx(request, content, f"{title}.xlsx", f"{title}（{_note(form, filters)}）")


def _note(form, filters) -> str:
    figure = getattr(form, "figure_label", "")
    return filters_note(form, filters) + (f"；统计明细：{figure}" if figure else "")


@role_required(Role.UNIT, Role.CITY)
def candidacy_open(request, person_pk):
    user = request.user
    person = get_visible_or_404(Person.objects.all(), user, pk=person_pk)
    projects = visible(JobProject.objects.filter(status=ProjectStatus.PUBLISHED), user)
    form = OpenCandidacyForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.candidacy_open(person=person, project=form.cleaned_data["project"],
                                        actor=user, on=form.cleaned_data["happened_on"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{person.name}已报名“{form.cleaned_data['project']}”。" + (
                "上次归国原因为劳务人员违约或擅自脱离，已提请输出机构决定是否同意。"
                if c.rejoin_review else ""))
            return redirect(person)
    # Going again: the earlier passes (screening, contracts, return) beside the form.
    return render(request, "pipeline/open_form.html", {
        "form": form, "title": f"报名岗位项目：{person.name}", "back": person.get_absolute_url(),
        "earlier": selectors.earlier_passes(user, person)})


@role_required(*SESSION_ROLES)
def candidacy_record(request, pk):
    user = request.user
    candidacy = get_visible_or_404(Candidacy.objects.select_related("person", "project"), user,
                                   pk=pk)
    stage = transitions.next_stage(candidacy.stage)
    if not candidacy.is_open or stage is None:
        messages.error(request, f"{candidacy.person.name}的报名状态为“{candidacy.get_status_display()}”，"
                                "没有可录入的环节。")
        return redirect(candidacy.person)
    if user.role not in transitions.RECORDERS[stage]:
        raise PermissionDenied(f"您的角色不能录入“{Stage(stage).label}”环节。")
    project = candidacy.project
    form = RecordForm(request.POST or None, stage=stage,
                      sessions=selectors.session_list(user).filter(stage=stage, project=project),
                      initial_details={"country": project.country,
                                       "departure_trade": project.trade,
                                       "contract_trade": project.trade,
                                       "employer": project.employer})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.candidacy_record(candidacy, stage=stage, result=data["result"],
                                      on=data["happened_on"], actor=user,
                                      session=data.get("session"),
                                      gap_reason=data.get("gap_reason", ""),
                                      paper_form_no=data.get("paper_form_no", ""),
                                      **form.details())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            c = Candidacy.objects.select_related("return_complaint__candidacy__person").get(
                pk=candidacy.pk)
            messages.success(request, f"已录入{candidacy.person.name}的{Stage(stage).label}："
                                      f"{Result(data['result']).label}。" + (
                f"尚欠款项已登记为劳务纠纷{c.return_complaint.number}，由组织单位（或市人社局）受理。"
                if stage == Stage.RETURN and c.return_complaint_id else ""))
            return redirect(candidacy.person)
    return render(request, "pipeline/record_form.html", {
        "form": form, "candidacy": candidacy, "stage": Stage(stage),
    })


@role_required(Role.AGENCY)
def candidacy_rejoin(request, pk):
    """The agency decides on a returnee whose last return was their own breach."""
    user = request.user
    candidacy = get_visible_or_404(Candidacy.objects.select_related("person", "project"), user,
                                   pk=pk)
    form = RejoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.candidacy_rejoin_decide(
                candidacy, actor=user, accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已记录对{c.person.name}再次报名的决定：{c.get_rejoin_review_display()}。")
            return redirect(c.person)
    return render(request, "pipeline/open_form.html", {
        "form": form, "title": f"再次报名审核：{candidacy.person.name}（{candidacy.project}）",
        "back": candidacy.person.get_absolute_url(),
        "earlier": selectors.earlier_passes(user, candidacy.person, exclude=candidacy.pk)})


@role_required(*services.WITHDRAW_ROLES)
def candidacy_withdraw(request, pk):
    user = request.user
    candidacy = get_visible_or_404(Candidacy.objects.select_related("person"), user, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.candidacy_withdraw(candidacy, actor=user,
                                            on=form.cleaned_data["happened_on"],
                                            reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记{c.person.name}中途退出" +
                             ("，签订合同后退出，记为违约。" if c.breach else "。"))
            return redirect(c.person)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"登记中途退出：{candidacy.person.name}",
        "back": candidacy.person.get_absolute_url(),
    })


@role_required(*PEOPLE_ROLES)
def session_list(request):
    sessions = selectors.session_list(request.user)
    page = KeysetPage(sessions, after=request.GET.get("after"), order=("held_on", "id"))
    return render(request, "pipeline/session_list.html", {
        "page": page, "can_create": request.user.role in SESSION_ROLES,
    })


@role_required(*SESSION_ROLES)
def session_create(request):
    user = request.user
    units = (visible(OrganisingUnit.objects.all(), user) if user.role == Role.CITY else None)
    form = SessionForm(request.POST or None,
                       projects=visible(JobProject.objects.filter(
                           status=ProjectStatus.PUBLISHED), user),
                       units=units)
    allowed = [s for s in transitions.SESSION_STAGES if user.role in transitions.RECORDERS[s]]
    form.fields["stage"].choices = [(s.value, s.label) for s in allowed]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if user.role == Role.UNIT:
            data["unit"], data["city"] = user.unit, user.unit.city
        elif user.role == Role.CITY:
            data["city"] = user.city
        else:  # an agency's departure batch is organised for its project's people
            data["unit"], data["city"] = None, None
        try:
            session = services.session_create(actor=user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "场次已创建。")
            return redirect("pipeline:session_detail", pk=session.pk)
    return render(request, "orgs/form.html", {"form": form, "title": "安排场次"})


def _batch_rows(request, candidates, session):
    """Read the batch form: one result (and for departures the passport) per person."""
    rows, project = [], session.project
    for c in candidates:
        result = request.POST.get(f"result-{c.pk}", "")
        if not result:
            continue
        details = {}
        if session.stage == Stage.MEDICAL:
            details["hospital"] = session.hospital
        if session.stage == Stage.DEPARTURE and result == Result.DEPARTED:
            details.update(passport_no=request.POST.get(f"passport-{c.pk}", ""),
                           residence_status_no=request.POST.get(f"residence-{c.pk}", ""),
                           country=project.country, departure_trade=project.trade,
                           employer=project.employer)
        if session.stage == Stage.DEPARTURE and result == Result.NOT_DEPARTED:
            details["not_departed_reason"] = request.POST.get(f"reason-{c.pk}", "")
        rows.append((c, result, details))
    return rows


@role_required(*PEOPLE_ROLES)
def session_detail(request, pk):
    user = request.user
    session = get_visible_or_404(Session.objects.select_related("project", "unit", "city"),
                                 user, pk=pk)
    candidates = list(selectors.session_candidates(user, session))
    recorded = (visible(session.events.select_related("candidacy__person", "recorded_by"), user))
    can_record = user.role in transitions.RECORDERS[session.stage]
    error = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("您的角色不能录入该环节。")
        rows = _batch_rows(request, candidates, session)
        if not rows:
            error = "请至少为一人选择结果。"
        else:
            try:
                services.session_record(session, actor=user, rows=rows)
            except ValidationError as exc:
                error = error_text(exc, "本次提交未录入任何人，请修改后重新提交")
            else:
                messages.success(request, f"已录入 {len(rows)} 人的{session.get_stage_display()}结果。")
                return redirect("pipeline:session_detail", pk=session.pk)
    return render(request, "pipeline/session_detail.html", {
        "session": session, "candidates": candidates, "recorded": recorded,
        "results": transitions.RESULTS[session.stage], "can_record": can_record,
        "error": error, "posted": request.POST,
        "priority_count": sum(c.person.is_priority for c in candidates),
    }, status=400 if error else 200)


@role_required(*PEOPLE_ROLES)
def roster_view(request):
    """花名表 (附件6) for a unit or a project, exactly the form's columns."""
    user = request.user
    chosen = selectors.roster_selection(user, unit_id=request.GET.get("unit"),
                                        project_id=request.GET.get("project"),
                                        training_class_id=request.GET.get("training_class"))
    return render(request, "pipeline/roster.html", {
        "groups": roster.GROUPS, "rows": roster.rows(chosen.candidacies),
        "units": visible(OrganisingUnit.objects.all(), user),
        "projects": visible(JobProject.objects.all(), user),
        "unit": chosen.unit, "project": chosen.project, "org_name": chosen.org_name,
        "classes": visible(TrainingClass.objects.filter(kind=ClassKind.INTENSIVE), user),
        "training_class": chosen.training_class,
    })


@role_required(*PEOPLE_ROLES)
def gap_limits(request):
    """省定环节间隔上限: everyone who records stages reads them; the province edits them."""
    from apps.pipeline.gaps import DEFAULTS
    from apps.pipeline.models import StageGapLimit
    limits = {g.stage: g for g in StageGapLimit.objects.select_related("updated_by")}
    rows = [(Stage(stage), transitions.ORDER[transitions.ORDER.index(stage) - 1],
             limits.get(stage)) for stage in DEFAULTS]
    can_edit = request.user.role == Role.PROVINCE
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有省专项办可以设置环节间隔上限。")
        for stage, _, limit in rows:
            value = request.POST.get(f"months_{stage.value}", "").strip()
            if not value:
                continue
            try:
                services.gap_limit_set(actor=request.user, stage=stage.value,
                                       months=ascii_int(value, high=10_000))
            except ValidationError as error:
                errors += error.messages
        if not errors:
            messages.success(request, "已保存环节间隔上限。")
            return redirect("pipeline:gap_limits")
    return render(request, "pipeline/gap_limits.html", {
        "rows": [(stage, Stage(previous), limit) for stage, previous, limit in rows],
        "can_edit": can_edit, "errors": errors, "posted": request.POST,
    }, status=400 if errors else 200)
