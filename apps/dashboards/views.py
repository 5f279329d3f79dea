from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.dashboards import selectors, services
from apps.dashboards.disclosure import SUPPRESSED
from apps.common.forms import filters_note
from apps.dashboards.exports import table_xlsx
from apps.dashboards.forms import DashboardFilterForm
from apps.quotas.selectors import current_year, year_choices

ALL_ROLES = tuple(Role)
OBSERVER_NOTE = (f"观察角色仅显示汇总数据：不足5人的数字，以及可据以推算出这些数字的其他数字，"
                 f"均以“{SUPPRESSED}”表示。")
TABLE_TITLES = {key: title for key, (title, _, _) in selectors.TABLES.items()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*ALL_ROLES)
def dashboard_index(request):
    return redirect("dashboards:dashboard", year=current_year())


def _check_year(year):
    if not 2000 <= year <= 2100:
        raise Http404("年度无效")


def _filters(request, year):
    """The page's filters; the observer, who may only count, gets none (a filtered page
    beside an unfiltered one would give back by subtraction what each suppresses)."""
    if request.user.role == Role.OBSERVER:
        return None, {}
    form = DashboardFilterForm(request.GET or None, user=request.user, year=year)
    return form, form.filters()


@role_required(*ALL_ROLES)
def dashboard(request, year):
    _check_year(year)
    form, filters = _filters(request, year)
    tables = {t.key: t for t in selectors.dashboard(request.user, year,
                                                    services.figures_version(), filters)}
    charts = {key: t.chart for key, t in tables.items() if t.chart}
    recount = services.last_recount()
    return render(request, "dashboards/dashboard.html", {
        "form": form, "filtered": bool(filters), "query": request.GET.urlencode() if filters else "",
        "left_off": [TABLE_TITLES[k] for k in selectors.shown_tables(request.user.role, {})
                     if k not in tables],
        "year": year, "years": year_choices(request.user, year), "tables": tables, "charts": charts,
        "suppressed": OBSERVER_NOTE if request.user.role == Role.OBSERVER else "",
        "recount": recount,
        # The province is told what the nightly recount had to repair.
        "repairs": recount.repairs if recount and request.user.role == Role.PROVINCE else [],
    })


@role_required(*ALL_ROLES)
def dashboard_export(request, year, table):
    _check_year(year)
    if table not in selectors.TABLES:
        raise Http404("无此统计表")
    if request.user.role not in selectors.TABLES[table][2]:
        raise PermissionDenied("您的角色无权导出此统计表。")
    form, filters = _filters(request, year)
    if table not in selectors.shown_tables(request.user.role, filters):
        raise Http404("此统计表不能按所选条件筛选")
    data = selectors.dashboard_table(request.user, year, table, services.figures_version(),
                                     filters)
    note = OBSERVER_NOTE if request.user.role == Role.OBSERVER else (
        filters_note(form, form.cleaned_data) if filters else "")
    content = table_xlsx(data, year=year, note=note)
    audit_log(request.user, AuditAction.EXPORT, detail=f"统计分析 {year} {data.title}",
              request=request)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = ("attachment; filename=dashboard.xlsx; filename*=UTF-8''"
                                       + quote(f"{year}年{data.title}.xlsx"))
    response["Cache-Control"] = "private, no-store"
    return response
