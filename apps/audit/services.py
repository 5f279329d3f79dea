from contextvars import ContextVar

from apps.audit.models import AuditEvent

# The request being served, so that a service deep below a view (an upload's commit, an
# approval, an export) audits the client's address without each caller passing it down.
current_request: ContextVar = ContextVar("current_request", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def audit_log(actor, action: str, obj=None, *, detail: str = "", request=None) -> AuditEvent:
    request = request if request is not None else current_request.get()
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
        ip=ip,
    )


def audit_purge(now=None) -> int:
    """Delete the rows older than AUDIT_RETENTION_DAYS (at least 180), and say so in the log.
    The database refuses to delete a younger row even here (trigger audit_keep_retention):
    a wrong clock or setting fails the whole purge instead of erasing recent history."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from apps.audit.models import AuditAction
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
        if deleted:
            audit_log(None, AuditAction.PURGE,
                      detail=f"删除 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 之前的审计日志"
                             f"{deleted}条（保存期限{settings.AUDIT_RETENTION_DAYS}天）")
    return deleted
