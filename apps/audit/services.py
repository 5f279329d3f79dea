from apps.audit.models import AuditEvent


def audit_log(actor, action: str, obj=None, *, detail: str = "", request=None) -> AuditEvent:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
        ip=ip,
    )
