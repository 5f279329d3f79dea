"""年度评估: schemes (the province's), scorecards (scoped), the records behind each figure,
objections, publication, consequences, export and print. Thin: scope, form, one service,
redirect."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
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
from apps.common.forms import apply_errors, filters_note, query_without_page
from apps.evaluations import excellence as honours
from apps.evaluations import forms, selectors, services
from apps.evaluations.models import (
    PAID, CardStatus, Consequence, ConsequenceStatus, CriterionScore, Objection, Scheme,
    Scorecard,
)
from apps.orgs import selectors as org_selectors
from apps.rosters import exports
from apps.rosters.views import _xlsx
from apps.subsidies.rewards import reward_problems

PER_PAGE = 50
PEOPLE = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)


def _form_page(request, form, save, *, done, title, back, multipart=False):
    """A form page: on a valid POST ``save(cleaned_data)`` (one service) and back to
    ``back``; a refusal shown on the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(getattr(result, "get_absolute_url", lambda: back)())
    return render(request, "orgs/form.html", {"form": form, "title": title, "back": back,
                                              "multipart": multipart},
                  status=400 if request.method == "POST" else 200)


def _act(request, call, done, back):
    try:
        call()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(back)


# --- schemes --------------------------------------------------------------------------------

@role_required(*PEOPLE)
def scheme_list(request):
    form = forms.SchemeCreateForm(request.POST or None)
    form.fields["copy_from"].queryset = Scheme.objects.order_by("-year", "kind")
    if request.method == "POST":
        if request.user.role != Role.PROVINCE:
            raise PermissionDenied("只有省专项办可以新建评估方案。")
        return _form_page(request, form, lambda d: services.scheme_create(actor=request.user, **d),
                          done="已新建评估方案。", title="新建年度评估方案",
                          back=reverse("evaluations:scheme_list"))
    return render(request, "evaluations/scheme_list.html", {
        "schemes": selectors.scheme_list(request.user), "form": form})


def _scheme(request, pk):
    return get_visible_or_404(Scheme.objects.all(), request.user, pk=pk)


@role_required(*PEOPLE)
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    criteria = list(scheme.criteria.all())
    return render(request, "evaluations/scheme_detail.html", {
        "scheme": scheme, "criteria": criteria,
        "total": sum(c.points for c in criteria),
        "cards": visible(scheme.scorecards.all(), request.user).count(),
        "excellence": honours.describe(scheme.excellence, criteria),
        "year_problem": services.year_ended_problem(scheme.year)})


@role_required(Role.PROVINCE)
def scheme_edit(request, pk):
    scheme = _scheme(request, pk)
    form = forms.SchemeForm(request.POST or None, initial=forms.SchemeForm.initial_for(scheme),
                            criteria=scheme.criteria.all())
    return _form_page(request, form, lambda d: services.scheme_update(
        scheme, actor=request.user, **form.values()), done="已保存。",
        title=f"修改{scheme}", back=scheme.get_absolute_url())


@role_required(Role.PROVINCE)
def criterion_edit(request, pk, criterion_pk=None):
    scheme = _scheme(request, pk)
    criterion = (get_visible_or_404(scheme.criteria.all(), request.user, pk=criterion_pk)
                 if criterion_pk else None)
    initial = (forms.CriterionForm.initial_for(criterion) if criterion
               else {"seq": scheme.criteria.count() + 1, "method": "entered"})
    form = forms.CriterionForm(request.POST or None, initial=initial)
    return _form_page(request, form, lambda d: services.criterion_save(
        scheme, actor=request.user, criterion=criterion, **d) and scheme,
        done="指标已保存。", title=f"{scheme}：{'修改' if criterion else '新增'}指标",
        back=scheme.get_absolute_url())


SCHEME_ACTIONS = {
    "lock": (services.scheme_lock, "方案已锁定。"),
    "compute": (services.scorecards_compute, "已按记录计算评估表。"),
}


@require_POST
@role_required(Role.PROVINCE)
def scheme_action(request, pk, action):
    if action not in SCHEME_ACTIONS:
        raise Http404
    scheme = _scheme(request, pk)
    service, done = SCHEME_ACTIONS[action]
    return _act(request, lambda: service(scheme, actor=request.user), done,
                scheme.get_absolute_url())


# --- scorecards -----------------------------------------------------------------------------

def _filtered(request):
    form = forms.FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters, selectors.scorecard_list(request.user, filters)


@role_required(*PEOPLE)
def scorecard_list(request):
    form, _, qs = _filtered(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "evaluations/scorecard_list.html", {
        "form": form, "page": page, "export_query": query_without_page(request)})


HEADERS = ["序号", "年度", "评估对象", "单位名称", "地市", "状态", "总分", "一票否决", "评估结果"]


def _rows(cards):
    for n, c in enumerate(cards, 1):
        yield [n, c.scheme.year, c.scheme.get_kind_display(), str(c.organisation),
               str(c.city or "—"), c.get_status_display(),
               "" if c.total is None else c.total, c.veto_note or "否", c.grade]


@role_required(*PEOPLE)
def scorecard_export(request):
    form, filters, qs = _filtered(request)
    title = "年度评估结果"
    note = filters_note(form, filters)
    return _xlsx(request, exports.list_sheet(title, HEADERS, _rows(qs), note=note),
                 f"{title}.xlsx", f"{title}（{note}）")


def _card(request, pk):
    return get_visible_or_404(Scorecard.objects.select_related(
        "scheme", "unit", "agency", "city", "accepted_by", "published_by"), request.user, pk=pk)


def _card_context(request, card):
    user = request.user
    scores = list(card.scores.select_related("criterion", "entered_by"))
    own = card.is_organisation(user)
    province = user.role == Role.PROVINCE
    may_enter = province or (user.role == Role.CITY and card.unit_id is not None)
    return {
        "card": card, "scores": scores,
        "objections": card.objections.select_related("criterion", "filed_by", "answered_by"),
        "changes": selectors.score_changes(card),
        "consequences": selectors.consequences(card, user),
        "bars": org_selectors.bars(user, **({"unit": card.unit} if card.unit_id
                                            else {"agency": card.agency})),
        "history": selectors.history(card, user).exclude(pk=card.pk),
        "window_open": services.window_open(card),
        "own": own, "province": province,
        "may_enter": may_enter and card.status == CardStatus.DRAFT,
    }


@role_required(*PEOPLE)
def scorecard_detail(request, pk):
    card = _card(request, pk)
    return render(request, "evaluations/scorecard_detail.html", _card_context(request, card))


@role_required(*PEOPLE)
def scorecard_print(request, pk):
    card = _card(request, pk)
    audit_log(request.user, AuditAction.EXPORT, card, detail=f"打印{card}")
    return render(request, "evaluations/print_scorecard.html", _card_context(request, card))


CARD_ACTIONS = {
    "recompute": (services.scorecard_recompute, "已重新按记录计算。"),
    "open": (services.scorecard_open, "评估初稿已发给被评估单位，异议期开始。"),
    "accept": (services.scorecard_accept, "已确认无其他异议。"),
    "conclude": (services.scorecard_conclude, "异议期已结束。"),
    "publish": (services.scorecard_publish, "评估结果已公布。"),
}


@require_POST
@role_required(*PEOPLE)
def scorecard_action(request, pk, action):
    if action not in CARD_ACTIONS:
        raise Http404
    card = _card(request, pk)
    service, done = CARD_ACTIONS[action]
    return _act(request, lambda: service(card, actor=request.user), done,
                card.get_absolute_url())


def _score(request, pk):
    return get_visible_or_404(CriterionScore.objects.select_related(
        "criterion", "scorecard__scheme", "scorecard__unit", "scorecard__agency"),
        request.user, pk=pk)


@role_required(*PEOPLE)
def score_records(request, pk):
    score = _score(request, pk)
    headers, rows, hidden = selectors.score_records(score, request.user)
    return render(request, "evaluations/score_records.html", {
        "score": score, "card": score.scorecard, "headers": headers, "rows": rows,
        "hidden": hidden})


@role_required(Role.PROVINCE, Role.CITY)
def score_enter(request, pk):
    score = _score(request, pk)
    card = score.scorecard
    form = forms.ScoreForm(request.POST or None, request.FILES or None,
                           initial={"points": score.points, "reason": score.reason})
    return _form_page(request, form, lambda d: services.score_enter(
        score, actor=request.user, **d) and card, done="已评分。",
        title=f"{card}：{score.criterion.label}（满分 {score.criterion.points}）",
        back=card.get_absolute_url(), multipart=True)


@role_required(*PEOPLE)
def score_evidence(request, pk):
    score = _score(request, pk)
    if not score.evidence:
        raise Http404
    return document_response(score.evidence, content_type=score.evidence_type,
                             original_name=score.evidence_name, fallback="评分材料")


@role_required(Role.PROVINCE)
def score_correct(request, pk):
    score = _score(request, pk)
    card = score.scorecard
    form = forms.CorrectForm(request.POST or None, initial={"points": score.points,
                                                            "expected": score.points})
    return _form_page(request, form, lambda d: services.score_correct(
        score, actor=request.user, **d) and card, done="已修改，修改记录已保存。",
        title=f"公布后修改得分：{card}：{score.criterion.label}", back=card.get_absolute_url())


@role_required(Role.UNIT, Role.AGENCY)
def objection_create(request, pk):
    card = _card(request, pk)
    form = forms.ObjectionForm(request.POST or None)
    form.fields["criterion"].queryset = card.scheme.criteria.all()
    return _form_page(request, form, lambda d: services.objection_file(
        card, actor=request.user, **d) and card, done="异议已提出，等待省专项办答复。",
        title=f"对{card}提出异议", back=card.get_absolute_url())


@role_required(Role.PROVINCE)
def objection_answer(request, pk):
    objection = get_visible_or_404(Objection.objects.select_related(
        "scorecard__scheme", "criterion"), request.user, pk=pk)
    card = objection.scorecard
    form = forms.AnswerForm(request.POST or None)
    return _form_page(request, form, lambda d: services.objection_answer(
        objection, actor=request.user, **d) and card, done="已答复。",
        title=f"答复异议：{objection.text[:30]}", back=card.get_absolute_url())


@role_required(*PEOPLE)
def consequence_detail(request, pk):
    """One consequence: its proposal and decision, a correction's flag and its review, the
    bar a withdrawal recorded, and a reward's claim and payment (or the way to ask for it)."""
    user = request.user
    c = get_visible_or_404(Consequence.objects.select_related(
        "scorecard__scheme", "scorecard__unit", "scorecard__agency", "decided_by",
        "reviewed_by", "bar"), user, pk=pk)
    claim = selectors.consequence_claim(c, user)
    problems = reward_problems(c) if c.kind in PAID else []
    return render(request, "evaluations/consequence_detail.html", {
        "c": c, "card": c.scorecard, "claim": claim,
        "payment": getattr(claim, "payment", None) if claim else None,
        "province": user.role == Role.PROVINCE,
        "paid_kind": c.kind in PAID, "problems": problems,
        "may_claim": (c.kind in PAID and claim is None and not problems
                      and c.scorecard.is_organisation(user)),
    })


@role_required(Role.PROVINCE)
def consequence_review(request, pk):
    c = get_visible_or_404(Consequence.objects.select_related("scorecard__scheme", "bar"),
                           request.user, pk=pk, flagged_at__isnull=False)
    form = forms.ReviewForm(request.POST or None)
    return _form_page(request, form, lambda d: services.consequence_review(
        c, actor=request.user, **d), done="已复核。", title=f"复核：{c}（{c.flag}）",
        back=c.get_absolute_url())


@role_required(Role.PROVINCE)
def consequence_decide(request, pk):
    c = get_visible_or_404(Consequence.objects.select_related("scorecard__scheme"),
                           request.user, pk=pk, status=ConsequenceStatus.PROPOSED)
    form = forms.DecideForm(request.POST or None)
    return _form_page(request, form, lambda d: services.consequence_decide(
        c, actor=request.user, approve=d["decision"] == "approve", note=d["note"])
        and c, done="已决定。", title=f"决定：{c.proposal}",
        back=c.get_absolute_url())
