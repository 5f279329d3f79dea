"""在外人员: the register of everyone abroad, its export, and the figures of people abroad."""
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.abroad.figures import BY, abroad_counts, duty_figures, early_returns
from apps.abroad.forms import FiguresForm, RegisterFilterForm
from apps.abroad.selectors import ORDER, abroad_register, register_rows
from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.common.wording import error_text
from apps.deadlines.models import DeadlineItem
from apps.deadlines.services import PREP_STEPS, return_prep_done
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.common.forms import filters_note, query_without_page
from apps.common.paginator import KeysetPage
from apps.projects.models import JobProject
from apps.complaints.selectors import Rag
from apps.rosters import exports
from apps.rosters.views import _xlsx

PER_PAGE = 50  # as the other lists: a page of 100 cost twice its rows to build
ROLES = (Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY)
HEADERS = ["序号", "姓名", "身份证号", "输出国", "外方用工企业", "岗位项目", "输出机构", "组织单位",
           "合同期限", "出境日期", "预计回国日期", "在外天数", "状态"]


def _filtered(request):
    """The page's form and rows: the export takes exactly these."""
    user = request.user
    form = RegisterFilterForm(
        request.GET or None, user=user,
        # Only what an option shows: the province's select holds every project (2,000).
        projects=visible(JobProject.objects.only("id", "name", "country", "trade"), user)
        .order_by("-id"))
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    return form, filters, abroad_register(user, filters, today), today


@role_required(*ROLES)
def register(request):
    form, _, qs, today = _filtered(request)
    # By keyset, never counted: the province has hundreds of thousands of people abroad.
    page = KeysetPage(qs, after=request.GET.get("after"), per_page=PER_PAGE, order=ORDER,
                      ascending=True, unit="人")
    rows = list(register_rows(page, today))
    # The reminders of the page's people: one query, whatever the page's length.
    items = {(i.subject_id, i.rule.code): i for i in visible(DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(Candidacy),
        subject_id__in=[r.candidacy.pk for r in rows],
        rule__code__in=PREP_STEPS.values()).select_related("rule"), request.user)}
    for row in rows:
        row.id_masked = exports.person_numbers(row.candidacy.person)["id"]
        row.prep = [(step, PREP_LABELS[step], items.get((row.candidacy.pk, code)))
                    for step, code in PREP_STEPS.items()]
    return render(request, "abroad/register.html", {
        "form": form, "page": page, "rows": rows, "today": today,
        "can_prep": request.user.role == Role.AGENCY,
        "total": page.total,
        "export_query": query_without_page(request)})


PREP_LABELS = {"3m": "归国指导", "2w": "电话联系"}


@require_POST
@role_required(Role.AGENCY)
def return_prep(request, pk, step):
    """The agency has sent the return guide ("3m") or made the call ("2w")."""
    c = get_visible_or_404(Candidacy.objects.filter(status=CandidacyStatus.ABROAD)
                           .select_related("person"), request.user, pk=pk)
    if step not in PREP_STEPS:
        raise Http404
    try:
        item = return_prep_done(c, step=step, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"已登记{c.person.name}的{PREP_LABELS[step]}（{item.get_status_display()}）。")
    return redirect("abroad:register")


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _export_rows(rows):
    for n, row in enumerate(rows, 1):
        c = row.candidacy
        yield [n, c.person.name, exports.person_numbers(c.person)["id"], row.country,
               row.employer, c.project.name, c.agency.name, c.unit.name if c.unit_id else "—",
               row.term_label, _day(c.departed_on), _day(row.ends_on) or "合同期限未知",
               row.days_abroad, row.state_label]


@role_required(*ROLES)
def register_export(request):
    form, filters, qs, today = _filtered(request)
    title = "在外人员名册"
    note = filters_note(form, filters)
    content = exports.list_sheet(title, HEADERS,
                                 _export_rows(register_rows(qs.iterator(chunk_size=2000), today)),
                                 note=note)
    return _xlsx(request, content, f"{title}.xlsx", f"{title}（{note}）")


@role_required(*ROLES)
def figures(request):
    """在外人员与境外服务统计: abroad on a date by city, unit, agency and country; incidents,
    complaints (per 100 departures), follow-up, and a colour per agency."""
    form = FiguresForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    counts = abroad_counts(request.user, day)
    tables = [(label, counts[key][:20], len(counts[key]) - 20)
              for key, (label, _) in BY.items()]
    early = early_returns(request.user, day)
    early["by"] = [(label, rows[:20], len(rows) - 20) for label, rows in early["by"]]
    return render(request, "abroad/figures.html", {
        "form": form, "day": day, "total": counts["total"], "tables": tables, "early": early,
        "ended": counts["ended"],
        **duty_figures(request.user, day), "rag_labels": Rag.LABELS})
