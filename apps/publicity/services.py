from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.publicity.models import Notice


@audited(AuditAction.NOTICE, "政策公告")
def notice_save(notice: Notice, *, actor) -> Notice:
    """The province writes a notice; the day it is first made public is its 发布日期."""
    if notice.published and notice.published_on is None:
        notice.published_on = timezone.localdate()
    if notice.created_by_id is None:
        notice.created_by = actor
    notice.save()
    audit_log(actor, AuditAction.NOTICE, notice, detail="公开" if notice.published else "未公开")
    return notice
