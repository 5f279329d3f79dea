"""Organisation pages. Thin: scope, validate, call a service, redirect."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.files import document_response
from apps.common.forms import apply_errors
from apps.orgs import selectors, services
from apps.orgs.forms import (
    AgencyFilingForm, AgencyFilterForm, AgencyForm, AgencyStatusForm, CityServiceOrgForm,
    CooperationForm, FilingDecisionForm, ReferenceUploadForm, UnitFilingForm, UnitFilterForm,
    UnitForm,
)
from apps.orgs.reference import KINDS as REFERENCE, reference_export as reference_xlsx
from apps.orgs.models import (
    Agency, City, CityAgencyCooperation, FilingRequest, FilingStatus, OrganisingUnit,
    UnitAgencyCooperation,
)
from apps.quotas.models import Task
from apps.rosters import services as roster_services
from apps.rosters.models import REFERENCE_KINDS, Upload, UploadKind
from apps.rosters.views import _attachment
from apps.training.selectors import standing_right_withdrawn_by

PAGE_SIZE = 50
# Who may end a pairing they can see: the owner side and the province, never the agency.
END_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT)


def _form_page(request, form, save, *, title, back, detail, message="已保存。"):
    """GET shows the form; a valid POST calls ``save(cleaned_data)``, whose ValidationError
    lands on the form, and goes on to the saved object's ``detail`` page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, message(obj) if callable(message) else message)
            return redirect(detail, pk=obj.pk)
    return render(request, "orgs/form.html", {"form": form, "title": title, "back": back})


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Cities -------------------------------------------------------------------------------

@login_required
def city_list(request):
    cities = selectors.city_list(request.user)
    return render(request, "orgs/city_list.html", {
        "cities": cities, "can_export": request.user.role in (Role.PROVINCE, Role.CITY)})


@login_required
def city_detail(request, pk):
    user = request.user
    city = get_visible_or_404(City.objects.all(), user, pk=pk)
    return render(request, "orgs/city_detail.html", {
        "city": city,
        "units": selectors.unit_list(user, city=city),
        "partners": selectors.city_cooperations(user, city=city),
        "tasks": visible(Task.objects.filter(city=city), user).order_by("-year"),
        "can_edit": user.role in (Role.PROVINCE, Role.CITY),
        "can_pair": user.role in (Role.PROVINCE, Role.CITY),
        "can_end": user.role in (Role.PROVINCE, Role.CITY),
    })


@role_required(Role.PROVINCE, Role.CITY)
def city_edit(request, pk):
    city = get_visible_or_404(City.objects.all(), request.user, pk=pk)
    return _form_page(
        request, CityServiceOrgForm(request.POST or None, instance=city),
        lambda data: services.city_update_service_org(city, actor=request.user, **data),
        title=f"{city.name}对外劳务输出服务单位（附件3）",
        back=reverse("orgs:city_detail", args=[city.pk]), detail="orgs:city_detail",
        message="已保存公共就业服务机构信息。")


# --- Organising units ---------------------------------------------------------------------

@login_required
def unit_list(request):
    user = request.user
    form = UnitFilterForm(request.GET or None,
                          cities=selectors.city_list(user).order_by("code"))
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.unit_list(user, **{k: v for k, v in filters.items() if v})
    return render(request, "orgs/unit_list.html", {
        "form": form, "page": _page(request, units), "total": units.count(),
        "can_create": user.role == Role.PROVINCE,
        "can_file": user.role == Role.CITY,
    })


@login_required
def unit_detail(request, pk):
    user = request.user
    unit = get_visible_or_404(OrganisingUnit.objects.select_related("city"), user, pk=pk)
    return render(request, "orgs/unit_detail.html", {
        "unit": unit,
        "partners": selectors.unit_cooperations(user, unit=unit),
        "tasks": visible(Task.objects.filter(unit=unit), user).order_by("-year"),
        "can_edit": user.role == Role.PROVINCE,
        "can_pair": user.role in (Role.PROVINCE, Role.CITY, Role.UNIT),
        "can_end": user.role in END_ROLES,
        "withdrawn_by": standing_right_withdrawn_by(unit, user),
        "bars": selectors.bars(user, unit=unit),
    })


@role_required(Role.PROVINCE)
def unit_create(request):
    return _form_page(
        request, UnitForm(request.POST or None),
        lambda data: services.unit_create(actor=request.user, **data),
        title="新增组织单位", back=reverse("orgs:unit_list"), detail="orgs:unit_detail",
        message=lambda unit: f"已新增组织单位“{unit.name}”。")


@role_required(Role.PROVINCE)
def unit_edit(request, pk):
    unit = get_visible_or_404(OrganisingUnit.objects.all(), request.user, pk=pk)
    return _form_page(
        request, UnitForm(request.POST or None, instance=unit),
        lambda data: services.unit_update(unit, actor=request.user, **data),
        title=f"编辑：{unit.name}", back=reverse("orgs:unit_detail", args=[unit.pk]),
        detail="orgs:unit_detail")


# --- Agencies -----------------------------------------------------------------------------

@login_required
def agency_list(request):
    user = request.user
    form = AgencyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agencies = selectors.agency_list(user, **{k: v for k, v in filters.items() if v})
    return render(request, "orgs/agency_list.html", {
        "form": form, "page": _page(request, agencies), "total": agencies.count(),
        "can_create": user.role == Role.PROVINCE,
        "can_file": user.role == Role.CITY,
    })


@login_required
def agency_detail(request, pk):
    user = request.user
    agency = get_visible_or_404(Agency.objects.all(), user, pk=pk)
    return render(request, "orgs/agency_detail.html", {
        "agency": agency,
        "city_partners": selectors.city_cooperations(user, agency=agency),
        "unit_partners": selectors.unit_cooperations(user, agency=agency),
        "can_edit": user.role == Role.PROVINCE,
        "status_form": AgencyStatusForm(initial={"status": agency.status}),
        "can_end": user.role == Role.PROVINCE,
        "bars": selectors.bars(user, agency=agency),
    })


@role_required(Role.PROVINCE)
def agency_create(request):
    return _form_page(
        request, AgencyForm(request.POST or None),
        lambda data: services.agency_create(actor=request.user, **data),
        title="新增输出机构", back=reverse("orgs:agency_list"), detail="orgs:agency_detail",
        message=lambda agency: f"已新增输出机构“{agency.name}”。")


@role_required(Role.PROVINCE)
def agency_edit(request, pk):
    agency = get_visible_or_404(Agency.objects.all(), request.user, pk=pk)
    return _form_page(
        request, AgencyForm(request.POST or None, instance=agency),
        lambda data: services.agency_update(agency, actor=request.user, **data),
        title=f"编辑：{agency.name}", back=reverse("orgs:agency_detail", args=[agency.pk]),
        detail="orgs:agency_detail")


@require_POST
@role_required(Role.PROVINCE)
def agency_status(request, pk):
    agency = get_visible_or_404(Agency.objects.all(), request.user, pk=pk)
    form = AgencyStatusForm(request.POST)
    if form.is_valid():
        try:
            agency = services.agency_set_status(agency, status=form.cleaned_data["status"],
                                                actor=request.user)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"状态已改为“{agency.get_status_display()}”。")
    return redirect("orgs:agency_detail", pk=agency.pk)


# --- Cooperation --------------------------------------------------------------------------

@role_required(Role.PROVINCE, Role.CITY)
def city_cooperation_create(request):
    user = request.user
    owner = None if user.role == Role.CITY else ("city", ("地市", selectors.city_list(user)))
    form = CooperationForm(request.POST or None, request.FILES or None,
                           agencies=selectors.selectable_agencies(user),
                           owner_field=owner and owner[0], owners=owner and owner[1])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        city = user.city if user.role == Role.CITY else data["city"]
        try:
            coop = services.city_cooperation_create(
                city=city, agency=data["agency"], actor=user, agreement=data["agreement"],
                signed_on=data["signed_on"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记合作机构：{coop.agency}")
            return redirect("orgs:city_detail", pk=city.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": "选择本市合作输出机构", "multipart": True,
        "back": reverse("orgs:city_list"),
    })


@role_required(Role.PROVINCE, Role.CITY, Role.UNIT)
def unit_cooperation_create(request):
    user = request.user
    owner = None
    if user.role != Role.UNIT:
        owner = ("unit", ("组织单位", selectors.unit_list(user, filing_status=FilingStatus.APPROVED)))
    form = CooperationForm(request.POST or None, request.FILES or None,
                           agencies=selectors.selectable_agencies(user),
                           owner_field=owner and owner[0], owners=owner and owner[1])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = user.unit if user.role == Role.UNIT else data["unit"]
        try:
            coop = services.unit_cooperation_create(
                unit=unit, agency=data["agency"], actor=user, agreement=data["agreement"],
                signed_on=data["signed_on"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记对口输出机构：{coop.agency}")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": "选择对口输出机构", "multipart": True,
        "back": reverse("orgs:unit_list"),
    })


COOPERATION_MODELS = {"city": CityAgencyCooperation, "unit": UnitAgencyCooperation}


@login_required
def cooperation_agreement(request, kind, pk):
    """The signed agreement, only to those who may see the pairing."""
    coop = get_visible_or_404(COOPERATION_MODELS[kind].objects.all(), request.user, pk=pk)
    if not coop.agreement:
        raise Http404("未上传协议")
    audit_log(request.user, AuditAction.DOWNLOAD, coop, detail="合作协议", request=request)
    return document_response(coop.agreement, content_type=coop.agreement_type,
                             original_name=coop.agreement_name, fallback="合作协议")


@require_POST
@role_required(*END_ROLES)
def cooperation_end(request, kind, pk):
    coop = get_visible_or_404(COOPERATION_MODELS[kind].objects.all(), request.user, pk=pk)
    services.cooperation_end(coop, actor=request.user)
    messages.success(request, f"已终止与“{coop.agency}”的合作。")
    owner = coop.city if kind == "city" else coop.unit
    return redirect(f"orgs:{kind}_detail", pk=owner.pk)


# --- Filing (备案) --------------------------------------------------------------------------

@role_required(Role.PROVINCE, Role.CITY)
def filing_list(request):
    status = request.GET.get("status", "")
    filings = selectors.filing_list(request.user,
                                    status=status if status in FilingStatus.values else "")
    return render(request, "orgs/filing_list.html", {
        "page": _page(request, filings), "status": status, "statuses": FilingStatus.choices,
        "can_file": request.user.role == Role.CITY,
    })


def _filing_create(request, form_class, submit, title):
    def save(data):
        data = dict(data)
        reason = data.pop("reason")
        return submit(city=request.user.city, actor=request.user, reason=reason, **data)

    return _form_page(request, form_class(request.POST or None), save, title=title,
                      back=reverse("orgs:filing_list"), detail="orgs:filing_detail",
                      message="已提交备案，待省专项办审批。")


@role_required(Role.CITY)
def filing_unit_create(request):
    return _filing_create(request, UnitFilingForm, services.filing_submit_unit,
                          "组织单位备案（报省人社厅、省教育厅）")


@role_required(Role.CITY)
def filing_agency_create(request):
    return _filing_create(request, AgencyFilingForm, services.filing_submit_agency,
                          "合作机构备案（报省人社厅、省商务厅）")


@role_required(Role.PROVINCE, Role.CITY)
def filing_detail(request, pk):
    filing = get_visible_or_404(
        FilingRequest.objects.select_related("city", "unit", "agency", "submitted_by",
                                             "decided_by"),
        request.user, pk=pk)
    can_decide = request.user.role == Role.PROVINCE and filing.status == FilingStatus.PENDING
    return render(request, "orgs/filing_detail.html", {
        "filing": filing, "form": FilingDecisionForm() if can_decide else None,
    })


@require_POST
@role_required(Role.PROVINCE)
def filing_decide(request, pk):
    filing = get_visible_or_404(FilingRequest.objects.all(), request.user, pk=pk)
    form = FilingDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.filing_decide(
                filing, approve=form.cleaned_data["decision"] == FilingStatus.APPROVED,
                actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "审批完成。")
            return redirect("orgs:filing_detail", pk=filing.pk)
    filing.refresh_from_db()
    return render(request, "orgs/filing_detail.html", {"filing": filing, "form": form},
                  status=400)


# --- Reference data: the province's import and export (no Django admin) -------------------

@role_required(Role.PROVINCE)
def reference_data(request):
    """Export each reference table, edit it in Excel, import it back through the roster front
    door (preview, then all-or-nothing commit)."""
    kinds = [(k.value, k.label) for k in UploadKind if k in REFERENCE_KINDS]
    form = ReferenceUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = roster_services.upload_receive(
            actor=request.user, kind=form.cleaned_data["kind"],
            uploaded=form.cleaned_data["file"], request=request)
        return redirect("rosters:upload_detail", pk=upload.pk)
    uploads = visible(Upload.objects.filter(kind__in=REFERENCE_KINDS)
                      .select_related("uploaded_by"), request.user)[:20]
    return render(request, "orgs/reference_data.html", {
        "form": form, "kinds": kinds, "uploads": uploads})


@role_required(Role.PROVINCE)
def reference_export(request, kind):
    if kind not in REFERENCE:
        raise Http404
    content, count = reference_xlsx(kind)
    title = REFERENCE[kind].title
    audit_log(request.user, AuditAction.EXPORT, detail=f"基础数据：{title}（{count}条）",
              request=request)
    return _attachment(content, f"基础数据 {title}.xlsx")
