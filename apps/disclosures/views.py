from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404
from apps.common.forms import apply_errors
from apps.disclosures import selectors, services
from apps.disclosures.exports import disclosure_file
from apps.disclosures.forms import DisclosureDecisionForm, DisclosureRequestForm
from apps.disclosures.models import Disclosure, DisclosureStatus
from apps.rosters.views import _attachment

REQUESTERS = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
CLASS_REQUESTERS = (Role.PROVINCE, Role.CITY, Role.UNIT)  # 附件9 is no agency's (as training)


def _request_page(request, selection):
    user = request.user
    eligible = selection.eligible(user)
    form = DisclosureRequestForm(request.POST or None, people=eligible,
                                 initial={"people": list(eligible)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            d = services.disclosure_request(
                actor=user, form=selection.form, people=list(data["people"]),
                purpose=data["purpose"], purpose_text=data["purpose_text"],
                org_name=selection.org_name, unit=selection.unit, project=selection.project,
                training_class=selection.training_class, request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "已批准，可下载一次。" if d.auto_granted
                             else "申请已提交，等待省专项办审批。")
            return redirect("disclosures:request_detail", pk=d.pk)
    return render(request, "disclosures/request_form.html", {
        "form": form, "selection": selection, "query": urlencode(selection.query),
        "ineligible": len(selection.people) - len(form.fields["people"].queryset),
        "threshold": settings.DISCLOSURE_AUTO_MAX_PEOPLE,
        "valid_hours": settings.DISCLOSURE_VALID_HOURS,
        "province": user.role == Role.PROVINCE,
    }, status=400 if form.errors else 200)


@role_required(*REQUESTERS)
def request_form5(request, person_pk):
    return _request_page(request, selectors.selection_form5(request.user, person_pk))


@role_required(*REQUESTERS)
def request_form6(request):
    return _request_page(request, selectors.selection_form6(
        request.user, unit_id=request.GET.get("unit"), project_id=request.GET.get("project"),
        training_class_id=request.GET.get("training_class")))


@role_required(*CLASS_REQUESTERS)
def request_form9(request, pk):
    return _request_page(request, selectors.selection_form9(request.user, pk))


@role_required(*REQUESTERS)
def request_list(request):
    mine = selectors.disclosure_list(request.user, requested_by=request.user)
    return render(request, "disclosures/request_list.html", {
        "page": Paginator(mine, 30).get_page(request.GET.get("page")),
        "title": "我的完整号码申请"})


@role_required(Role.PROVINCE)
def review_list(request):
    pending = selectors.disclosure_list(request.user, status=DisclosureStatus.PENDING)
    return render(request, "disclosures/request_list.html", {
        "page": Paginator(pending.order_by("requested_at", "id"), 30).get_page(
            request.GET.get("page")),
        "title": "待审批的完整号码申请", "review": True})


def _detail(request, d, form=None, status=200):
    user = request.user
    return render(request, "disclosures/request_detail.html", {
        "d": d, "people": d.people.order_by("pk"),
        "form": form or DisclosureDecisionForm(),
        "can_decide": user.role == Role.PROVINCE and d.status == DisclosureStatus.PENDING
        and d.requested_by_id != user.pk,
        "can_download": d.requested_by_id == user.pk and d.downloadable,
    }, status=status)


@role_required(*REQUESTERS)
def request_detail(request, pk):
    d = get_visible_or_404(Disclosure.objects.select_related("requested_by", "decided_by"),
                           request.user, pk=pk)
    return _detail(request, d)


@require_POST
@role_required(Role.PROVINCE)
def request_decide(request, pk):
    d = get_visible_or_404(Disclosure.objects.all(), request.user, pk=pk)
    form = DisclosureDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.disclosure_decide(d, approve=form.cleaned_data["decision"] == "approve",
                                       actor=request.user, reason=form.cleaned_data["reason"],
                                       request=request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "审批完成。")
            return redirect("disclosures:request_detail", pk=d.pk)
    d.refresh_from_db()
    return _detail(request, d, form, status=400)


@require_POST
@role_required(*REQUESTERS)
def download(request, pk):
    """The full-number file of a granted request, once, for its requester only; the request's
    own frozen selection, whatever the query string or the body say."""
    d = get_visible_or_404(Disclosure.objects.all(), request.user, pk=pk)
    if d.requested_by_id != request.user.pk:
        raise Http404  # the province sees every request, but takes out only its own
    try:
        with transaction.atomic():
            full_for = services.disclosure_take(d, actor=request.user, request=request)
            content, filename = disclosure_file(d, request.user, full_for)
    except services.DisclosureRefused as refusal:
        return render(request, "disclosures/refused.html", {"d": d, "message": refusal.message},
                      status=403)
    return _attachment(content, filename)
