"""Subsidy pages: claims (附件8) through unit → city → province → paid, standards, budgets."""
from django.contrib import messages
from django.db import transaction
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.forms import apply_errors
from apps.common.paginator import KeysetPage
from apps.common.params import ascii_int
from apps.common.wording import error_text
from apps.rosters.views import _attachment
from apps.subsidies import exports, selectors, services
from apps.subsidies.forms import (
    BankAccountForm, BudgetForm, ClaimForm, LateSubmitForm, PaymentForm, ReasonForm,
    StandardsForm,
)
from apps.subsidies.models import STANDARD_ITEMS, Budget, Claim, ClaimStatus, Phase
from apps.training.models import TrainingClass

# An agency's claims are its own evaluation rewards (issue 20).
CLAIM_ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)


@role_required(*CLAIM_ROLES)
def claim_list(request):
    status = request.GET.get("status", "")
    phase = request.GET.get("phase", "")
    applicant = request.GET.get("applicant", "")
    if applicant not in dict(selectors.APPLICANTS):
        applicant = ""
    qs = selectors.claim_list(request.user, status=status if status in ClaimStatus.values else "",
                              phase=phase if phase in Phase.values else "", applicant=applicant)
    return render(request, "subsidies/claim_list.html", {
        "page": KeysetPage(qs, after=request.GET.get("after"), order=("created_at", "id")),
        "statuses": ClaimStatus.choices, "phases": Phase.choices, "status": status,
        "phase": phase, "can_create": request.user.role == Role.UNIT,
        # Only the province sees both kinds of applicant.
        "applicants": selectors.APPLICANTS if request.user.role == Role.PROVINCE else (),
        "applicant": applicant,
    })


@role_required(Role.UNIT)
def claim_create(request):
    user = request.user
    account = selectors.claim_last_bank_account(user)
    form = ClaimForm(request.POST or None, classes=visible(TrainingClass.objects.all(), user),
                     initial=account)
    if account:
        form.fields["account_no"].help_text = "已填入本单位上次申请的账户；账户有变请修改。"
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已按记录生成申请：合计 {claim.total} 元。核对名单后提交。")
            return redirect("subsidies:claim_detail", pk=claim.pk)
    return render(request, "orgs/form.html", {"form": form, "title": "填报补助资金申请（附件8）"})


@role_required(Role.UNIT, Role.AGENCY)
def claim_create_reward(request, consequence_pk):
    """The rewarded organisation asks for its decided evaluation reward (one service)."""
    from apps.evaluations.models import Consequence
    user = request.user
    c = get_visible_or_404(Consequence.objects.select_related("scorecard__scheme"), user,
                           pk=consequence_pk)
    form = BankAccountForm(request.POST or None,
                           initial=selectors.claim_last_bank_account(user))
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create_reward(c, actor=user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"已生成奖励拨付申请：{claim.total} 元。核对后提交。")
            return redirect("subsidies:claim_detail", pk=claim.pk)
    return render(request, "orgs/form.html", {
        "form": form, "title": f"申请拨付：{c.scorecard} {c.get_kind_display()}"
                               f"（决定金额 {c.amount} 元）",
        "back": c.get_absolute_url()}, status=400 if request.method == "POST" else 200)


def _claim(request, pk):
    return get_visible_or_404(Claim.objects.select_related(
        "unit", "agency", "city", "training_class", "consequence__scorecard__scheme"),
        request.user, pk=pk)


@role_required(*CLAIM_ROLES)
def claim_detail(request, pk):
    claim = _claim(request, pk)
    user = request.user
    return render(request, "subsidies/claim_detail.html", {
        "claim": claim, "rows": exports.form8_rows(claim, selectors.claim_lines(claim, user)),
        "people": selectors.claim_people(claim, user), "steps": selectors.claim_steps(claim, user),
        "problems": services.verify(claim) if claim.status not in (
            ClaimStatus.PAID, ClaimStatus.WITHDRAWN) else [],
        "payment": getattr(claim, "payment", None),
        "lateness": services.claim_lateness(claim),
        "reason_form": ReasonForm(), "payment_form": PaymentForm(), "late_form": LateSubmitForm(),
        "actions": services.allowed_actions(claim, user),
        "consequence": claim.consequence if claim.consequence_id else None,
    })


DONE = {"submit": "已提交，等待市人社局审核。", "refresh": "已按最新记录重新生成申请明细。",
        "withdraw": "已撤回申请，名单上的人员可重新申请。", "review": "已审核通过，报省专项办审批。",
        "approve": "已审批通过。", "return": "已退回组织单位。", "pay": "已登记拨付。"}


@require_POST
@role_required(*CLAIM_ROLES)
def claim_action(request, pk, action):
    user = request.user
    if action not in DONE:
        raise Http404
    if not services.may(action, user.role):
        raise PermissionDenied(services.FLOW_DENIED[action])
    claim = _claim(request, pk)
    reason = request.POST.get("reason", "")
    # The round the page showed (absent from an older page: not checked).
    expected_round = ascii_int(request.POST.get("round"))
    try:
        if action == "submit":
            late = LateSubmitForm(request.POST)
            if not late.is_valid():
                raise ValidationError(list(late.errors.values())[0])
            services.claim_submit(claim, actor=user, **late.cleaned_data)
        elif action == "refresh":
            services.claim_refresh(claim, actor=user)
        elif action == "withdraw":
            services.claim_withdraw(claim, actor=user)
        elif action == "review":
            services.claim_review(claim, actor=user, note=reason,
                                  expected_round=expected_round)
        elif action == "approve":
            services.claim_approve(claim, actor=user, note=reason,
                                   expected_round=expected_round)
        elif action == "return":
            services.claim_return(claim, actor=user, reason=reason,
                                  expected_round=expected_round)
        else:
            form = PaymentForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写拨付日期和拨付凭证号。")
            services.claim_pay(claim, actor=user, expected_round=expected_round,
                               **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "已提交，等待省专项办初审。" if action == "submit"
                         and claim.city_id is None else DONE[action])
    return redirect("subsidies:claim_detail", pk=claim.pk)


@role_required(*CLAIM_ROLES)
def print_form8(request, pk):
    claim = _claim(request, pk)
    audit_log(request.user, AuditAction.EXPORT, claim, detail="附件8 打印")
    return render(request, "subsidies/print_form8.html", {
        "claim": claim, "rows": exports.form8_rows(claim, selectors.claim_lines(claim,
                                                                                 request.user))})


@role_required(*CLAIM_ROLES)
def export_form8(request, pk):
    claim = _claim(request, pk)
    audit_log(request.user, AuditAction.EXPORT, claim, detail="附件8")
    return _attachment(exports.form8_claim(claim, selectors.claim_lines(claim, request.user)),
                       f"附件8 对外劳务输出补助资金申请表 {claim.organisation.name} {claim.pk}.xlsx")


def _year(request):
    return ascii_int(request.GET.get("year"), low=2001, high=2099) or timezone.localdate().year


@role_required(*tuple(Role))
def standard_list(request):
    year = _year(request)
    current = selectors.standards(request.user, year)
    form = StandardsForm(request.POST or None, current=current)
    years = selectors.standard_years(request.user)
    previous = next((y for y in years if y < year), None)
    if request.method == "POST":
        if request.user.role != Role.PROVINCE:
            raise PermissionDenied("只有省专项办可以设置补助标准。")
        try:
            if "copy_from" in request.POST:
                copied = services.standards_copy(actor=request.user, from_year=previous,
                                                 to_year=year) if previous else 0
                if copied:
                    messages.success(request, f"已复制{previous}年的 {copied} 项补助标准到{year}年"
                                              f"（草稿），请核对后保存并发布。")
                return redirect(f"{request.path}?year={year}")
            if "publish" in request.POST:
                services.standards_publish(actor=request.user, year=year)
                messages.success(request, f"已发布{year}年补助标准，{year}年的申请按此标准计算。")
                return redirect(f"{request.path}?year={year}")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            changed = 0
            try:
                with transaction.atomic():  # all the year's items, or none (a cap refused)
                    for item, label in STANDARD_ITEMS:
                        amount = form.cleaned_data[f"amount_{item}"]
                        if amount:
                            services.standard_set(
                                actor=request.user, year=year, item=item, amount=amount,
                                fund=form.cleaned_data[f"fund_{item}"] or "employment")
                            changed += 1
            except ValidationError as error:
                form.add_error(f"amount_{item}", error.messages)
                messages.error(request, f"“{label}”：{'；'.join(error.messages)}本次未保存任何标准。")
            else:
                messages.success(request, f"已保存{year}年的 {changed} 项补助标准。")
                return redirect(f"{request.path}?year={year}")
    return render(request, "subsidies/standards.html", {
        "year": year, "form": form, "current": current,
        "standard_year": selectors.standard_year(request.user, year),
        "years": sorted(set(years) | {year, timezone.localdate().year}, reverse=True),
        "can_edit": request.user.role == Role.PROVINCE,
        # Copying is offered while the year has items still unset and an earlier year has some.
        "copy_from": previous if len(current) < len(STANDARD_ITEMS) else None,
    })


@role_required(Role.PROVINCE, Role.CITY, Role.UNIT)
def budget_list(request):
    user = request.user
    next_year = timezone.localdate().year + 1
    year = _year(request) if request.GET.get("year") else next_year
    own = None
    if user.role in (Role.CITY, Role.UNIT):
        mine = Budget.objects.filter(year=next_year, **(
            {"city": user.city_id, "unit__isnull": True} if user.role == Role.CITY
            else {"unit": user.unit_id}))
        own = visible(mine, user).first()
    form = BudgetForm(request.POST or None, initial={
        "planned_people": own.planned_people, "amount": own.amount, "note": own.note}
        if own else None)
    if request.method == "POST":
        if user.role not in (Role.CITY, Role.UNIT):
            raise PermissionDenied("年度预算由市人社局和组织单位报送。")
        if form.is_valid():
            try:
                services.budget_submit(actor=user, year=next_year, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"已报送{next_year}年度预算。")
                return redirect("subsidies:budget_list")
    rows = selectors.budgets(user, year)
    totals = {
        "cities": rows.filter(unit__isnull=True).aggregate(amount=Sum("amount"),
                                                           people=Sum("planned_people")),
        "units": rows.filter(unit__isnull=False).aggregate(amount=Sum("amount"),
                                                           people=Sum("planned_people")),
    }
    return render(request, "subsidies/budgets.html", {
        "year": year, "next_year": next_year, "rows": rows, "totals": totals, "form": form,
        "can_submit": user.role in (Role.CITY, Role.UNIT), "own": own,
    })
