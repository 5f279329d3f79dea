"""The audit administrator's pages: the log with filters, and its export (itself audited)."""
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.audit import exports, selectors
from apps.audit.forms import AuditFilterForm
from apps.audit.models import AuditAction
from apps.audit.services import audit_log
from apps.common.paginator import KeysetPage


def _events(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(request.user,
                                        **{k: v for k, v in filters.items() if v})
    return form, events


@role_required(Role.AUDIT_ADMIN)
def event_list(request):
    form, events = _events(request)
    # Keyset on (at, id), the log's order and its index: a log of millions is never counted.
    page = KeysetPage(events, after=request.GET.get("after"), per_page=50, order=("at", "id"))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "total": page.total_label("条"),
        "text_range": (selectors.text_search_range(data.get("since"), data.get("until"))
                       if data.get("text") else None),
        "text_days": selectors.TEXT_SEARCH_DAYS,
        "query": request.GET.urlencode()})


# About 3,000 rows a second: a bigger export would hold a worker for minutes.
EXPORT_LIMIT = 100_000


@role_required(Role.AUDIT_ADMIN)
def event_export(request):
    form, events = _events(request)
    total = events.count()
    if total > EXPORT_LIMIT:
        messages.error(request, f"符合条件的记录共{total}条，一次最多导出{EXPORT_LIMIT}条，"
                                "请缩小日期范围或增加筛选条件后再导出。")
        return redirect(f"{reverse('audit:event_list')}?{request.GET.urlencode()}")
    content, count = exports.audit_events_xlsx(events)
    audit_log(request.user, AuditAction.EXPORT,
              detail=f"审计日志导出{count}条（筛选：{form.describe()}）", request=request)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"审计日志{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = ("attachment; filename=audit.xlsx; filename*=UTF-8''"
                                       + quote(filename))
    response["Cache-Control"] = "private, no-store"
    return response
