"""归国人员: the register of returnees, a returnee's profile and referrals, and the certificate
of work abroad (A4)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.forms import apply_errors
from apps.common.paginator import KeysetPage
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.registry.models import Person
from apps.returnees import selectors, services
from apps.returnees.forms import FilterForm, MoveForm, ProfileForm, ReferralForm
from apps.returnees.models import Referral, ReturneeProfile
from apps.rosters import exports

ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
EDITORS = tuple(services.EDITORS)
PER_PAGE = 50


@role_required(*ROLES)
def profile_list(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # By keyset on (updated_at, id): the returnees of the years are never counted.
    page = KeysetPage(selectors.profile_list(request.user, filters),
                      after=request.GET.get("after"), per_page=PER_PAGE,
                      order=("updated_at", "id"), unit="人")
    return render(request, "returnees/profile_list.html", {"form": form, "page": page})


def _person(request, person_pk):
    return get_visible_or_404(Person.objects.select_related("unit", "city"), request.user,
                              pk=person_pk)


@role_required(*ROLES)
def profile(request, person_pk):
    """The returnee's page: their returns, their profile and their referrals."""
    person = _person(request, person_pk)
    returns = list(selectors.returned_passes(request.user, person))
    found = visible(ReturneeProfile.objects.select_related("updated_by"), request.user).filter(
        person=person).first()
    # A profile that followed its person to another unit is served there, though the returns
    # stay with the unit that did the work.
    if not returns and found is None:
        raise Http404("该人员没有您可见的归国记录。")
    referrals = list(selectors.profile_referrals(request.user, found)) if found else []
    return render(request, "returnees/profile.html", {
        "person": person, "returns": returns, "profile": found, "referrals": referrals,
        "can_edit": request.user.role in services.EDITORS,
        "id_masked": exports.person_numbers(person)["id"]})


@role_required(*EDITORS)
def profile_edit(request, person_pk):
    person = _person(request, person_pk)
    existing = visible(ReturneeProfile.objects.all(), request.user).filter(person=person).first()
    initial = None if existing else services.profile_suggestions(person)
    form = ProfileForm(request.POST or None, instance=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(person, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已保存{person.name}的归国人员信息。")
            return redirect("returnees:profile", person_pk=person.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"归国人员信息：{person.name}",
        "back": existing.get_absolute_url() if existing else person.get_absolute_url()})


@role_required(*EDITORS)
def referral_create(request, person_pk):
    person = _person(request, person_pk)
    found = get_visible_or_404(ReturneeProfile.objects.all(), request.user, person=person)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            r = services.referral_create(found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已转介{person.name}：{r.get_service_display()}（{r.provider}）。")
            return redirect("returnees:profile", person_pk=person.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"转介服务：{person.name}", "back": found.get_absolute_url()})


@role_required(*EDITORS)
def referral_move(request, pk):
    referral = get_visible_or_404(Referral.objects.select_related("profile__person"),
                                  request.user, pk=pk)
    if not referral.is_open:
        messages.error(request, f"该转介已办结（{referral.get_status_display()}）。")
        return redirect(referral)
    form = MoveForm(request.POST or None, referral=referral, prefix=f"r{referral.pk}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            r = services.referral_move(referral, actor=request.user, status=data["status"],
                                       on=data["on"], outcome=data["outcome"],
                                       expected=data["expected"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"转介“{r.get_service_display()}”已改为“{r.get_status_display()}”。")
            return redirect(r)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"办理转介：{referral}", "back": referral.get_absolute_url()},
        status=400 if form.is_bound else 200)


@role_required(*ROLES)
def certificate(request, pk):
    """境外工作证明 (A4): from the records of one return — project, employer, country, dates,
    trade — for the returnee. The ID is masked, as every print is."""
    c = get_visible_or_404(Candidacy.objects.select_related("person", "project", "agency"),
                           request.user, pk=pk)
    if c.status != CandidacyStatus.RETURNED or not c.departed_on or not c.returned_on:
        raise PermissionDenied("只有已归国人员的出国记录可以开具境外工作证明。")
    audit_log(request.user, AuditAction.EXPORT, c, detail="境外工作证明 打印（脱敏）",
              request=request)
    days = (c.returned_on - c.departed_on).days
    return render(request, "returnees/certificate.html", {
        "c": c, "id_masked": exports.person_numbers(c.person)["id"],
        "country": c.country or c.project.country, "employer": c.employer or c.project.employer,
        "trade": c.departure_trade or c.contract_trade or c.project.trade,
        "months": days * 12 // 365, "days": days, "today": timezone.localdate(),
        "number": f"JW{c.returned_on:%Y}-{c.pk:06d}"})
