"""Registry pages: register (附件5), search, person page, reserve pool. Thin views."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import full_numbers_visible, get_visible_or_404, visible
from apps.common.paginator import KeysetPage
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.forms import apply_errors, filters_note, query_without_page
from apps.evidence.services import evidence_kinds_for
from apps.orgs.models import City, FilingStatus, OrganisingUnit
from apps.pipeline import transitions
from apps.pipeline.models import OPEN_STATUSES, CandidacyStatus, Stage
from apps.pipeline.services import WITHDRAW_ROLES
from apps.registry import selectors, services
from apps.registry.idnumber import mask_id, mask_phone
from apps.registry.forms import (
    PersonForm, PersonSearchForm, PersonTransferForm, PovertyVerifyForm, ReserveFilterForm,
    RevealForm,
)
from apps.registry.models import Person, PersonTransfer
from apps.rosters import exports
from apps.rosters.views import _xlsx

PEOPLE_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)


def _city_units(user):
    if user.role != Role.CITY:
        return None
    return visible(OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED), user)


@role_required(*PEOPLE_ROLES)
def person_list(request):
    user = request.user
    form = PersonSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    search = selectors.person_search(user, **{k: v for k, v in filters.items() if v})
    searched = ""
    if search.by != "name":
        # Searching by ID or phone is logged (the number itself is not written to the log),
        # and the full number is not echoed back into the page.
        label = "身份证号" if search.by == "id" else "手机号"
        audit_log(user, AuditAction.SEARCH_ID, detail=f"按{label}查询", request=request)
        q = filters["q"]
        searched = f"按{label} {mask_id(q) if search.by == 'id' else mask_phone(q)} 查询"
        form = PersonSearchForm({**request.GET.dict(), "q": ""})
    # Keyset on (created_at, id): the list's order and its indexes' (person_*_order), no count.
    page = KeysetPage(search.people, after=request.GET.get("after"), per_page=50,
                      order=("created_at", "id"))
    return render(request, "registry/person_list.html", {
        "form": form, "page": page, "total": page.total_label("人"),
        "searched": searched,
        "can_register": user.role in services.REGISTRARS,
    })


@role_required(*services.REGISTRARS)
def person_register(request):
    user = request.user
    form = PersonForm(request.POST or None, request.FILES or None, units=_city_units(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm_region")
        try:
            person = services.person_register(actor=user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已登记{person.name}。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "title": "对外劳务输出人员报名表"})


@role_required(*services.REGISTRARS, Role.PROVINCE)
def person_edit(request, pk):
    user = request.user
    person = get_visible_or_404(Person.objects.all(), user, pk=pk)
    form = PersonForm(request.POST or None, instance=person, units=_city_units(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm_region")
        if data["id_number"] == person.id_number:
            data.pop("id_number")
            data.pop("sex")  # follows the (unchanged) ID number
        try:
            services.person_update(person, actor=user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已保存，修改记录已留存。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html",
                  {"form": form, "title": f"修改报名信息：{person.name}", "person": person})


def _person_page(request, person, revealed=None, status=200):
    user = request.user
    candidacies = list(selectors.person_candidacies(user, person))
    open_one = next((c for c in candidacies if c.status in OPEN_STATUSES), None)
    next_stage = transitions.next_stage(open_one.stage) if open_one else None
    return render(request, "registry/person_detail.html", {
        "person": person,
        "candidacies": candidacies,
        "open_candidacy": open_one,
        "next_stage_label": Stage(next_stage).label if next_stage else "",
        "can_record": next_stage is not None and user.role in transitions.RECORDERS[next_stage],
        "can_open": open_one is None and user.role in transitions.RECORDERS["registered"],
        "can_withdraw": open_one is not None and open_one.status == CandidacyStatus.ACTIVE
        and user.role in WITHDRAW_ROLES,
        "can_decide_rejoin": user.role == Role.AGENCY,
        "has_returned": any(c.status == CandidacyStatus.RETURNED for c in candidacies),
        "can_edit": user.role in services.REGISTRARS | {Role.PROVINCE},
        "can_transfer": user.role == Role.PROVINCE,
        "transfers": visible(PersonTransfer.objects.filter(person=person), user).select_related(
            "from_unit", "from_city", "to_unit", "transferred_by"),
        "can_upload": bool(evidence_kinds_for(user.role)),
        "evidence": visible(person.evidence.select_related("uploaded_by"), user),
        "changes": selectors.person_changes(user, person),
        "verifications": selectors.person_verifications(user, person),
        "can_verify": user.role in services.POVERTY_VERIFIERS,
        "revealed": revealed or {},
        "can_reveal": full_numbers_visible(Person.objects.filter(pk=person.pk), user).exists(),
    }, status=status)


@role_required(Role.PROVINCE)
def person_transfer(request, pk):
    user = request.user
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), user, pk=pk)
    units = OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED).exclude(
        pk=person.unit_id).select_related("city").order_by("city__code", "name")
    form = PersonTransferForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.person_transfer(person, actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已将{person.name}转入{transfer.to_unit.name}。")
            return redirect("registry:person_detail", pk=person.pk)
    open_candidacies = person.candidacies.filter(status__in=OPEN_STATUSES).select_related(
        "project")
    return render(request, "registry/person_transfer.html", {
        "person": person, "form": form, "open_candidacies": open_candidacies})


@role_required(*services.POVERTY_VERIFIERS)
def person_poverty(request, pk):
    """核实脱贫状态: one verification against a named source, recorded through the service."""
    user = request.user
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), user, pk=pk)
    form = PovertyVerifyForm(request.POST or None, initial={"status": person.poverty_status})
    if request.method == "POST" and form.is_valid():
        try:
            services.person_poverty_verify(person, actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已记录{person.name}的脱贫状态核实。")
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"核实脱贫劳动力状态：{person.name}",
        "back": person.get_absolute_url()}, status=400 if form.errors else 200)


@role_required(*PEOPLE_ROLES)
def person_detail(request, pk):
    person = get_visible_or_404(Person.objects.select_related("unit", "city"), request.user,
                                pk=pk)
    return _person_page(request, person)


@require_POST
@role_required(*PEOPLE_ROLES)
def person_reveal(request, pk):
    """Show one full value once, and log who saw which field of whom. Only of a person whose
    full numbers the user may take out (an agency: people on its own projects)."""
    person = get_object_or_404(
        full_numbers_visible(Person.objects.select_related("unit", "city"), request.user),
        pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, status=400)
    field = form.cleaned_data["field"]
    audit_log(request.user, AuditAction.REVEAL, person,
              detail=f"查看完整{dict(form.fields['field'].choices)[field]}", request=request)
    return _person_page(request, person, revealed={field: getattr(person, field)})


def _filtered_reserve(request):
    """The reserve page's form and people: the export takes exactly these."""
    user = request.user
    form = ReserveFilterForm(request.GET or None,
                             cities=visible(City.objects.all(), user))
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.reserve_pool(user, **{k: v for k, v in filters.items() if v})
    return form, filters, people


@role_required(*PEOPLE_ROLES)
def reserve_pool(request):
    form, filters, people = _filtered_reserve(request)
    # By keyset on (created_at, id), never counted: the reserve of a million people.
    page = KeysetPage(people, after=request.GET.get("after"), per_page=50,
                      order=("created_at", "id"), unit="人",
                      groups=(selectors.priority_groups() if filters.get("order") == "priority"
                              else None))
    return render(request, "registry/reserve_pool.html",
                  {"form": form, "page": page, "total": page.total,
                   "export_query": query_without_page(request)})


@role_required(*PEOPLE_ROLES)
def reserve_export(request):
    form, filters, people = _filtered_reserve(request)
    note = filters_note(form, filters)
    content = exports.list_sheet("储备库人员名单", exports.RESERVE_HEADERS,
                                 exports.reserve_pool_rows(people.iterator(chunk_size=2000)),
                                 note=note)
    return _xlsx(request, content, "储备库人员名单.xlsx", f"储备库人员名单（{note}）")
