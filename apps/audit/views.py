"""The audit administrator's pages: the log with filters, and its export (itself audited)."""
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.decorators import role_required
from apps.accounts.models import Role
from apps.audit import exports, selectors
from apps.audit.forms import AuditFilterForm
from apps.audit.models import AuditAction
from apps.audit.services import audit_log


def _events(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(request.user,
                                        **{k: v for k, v in filters.items() if v})
    return form, events


@role_required(Role.AUDIT_ADMIN)
def event_list(request):
    form, events = _events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "total": page.paginator.count,
        "query": request.GET.urlencode()})


@role_required(Role.AUDIT_ADMIN)
def event_export(request):
    form, events = _events(request)
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
