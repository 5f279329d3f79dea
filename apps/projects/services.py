"""Writes of job projects: draft, edit, submit, approve (publish), return, close, dock."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.common.files import document_accept
from apps.dashboards.services import references_changed
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus

EDITABLE = (ProjectStatus.DRAFT,)


@audited(AuditAction.PROJECT, "起草")
def project_draft(*, agency, actor, **fields) -> JobProject:
    """An agency drafts a project; nobody outside the agency and the province sees it yet."""
    project = JobProject.objects.create(agency=agency, status=ProjectStatus.DRAFT, **fields)
    audit_log(actor, AuditAction.PROJECT, project, detail="起草")
    return project


@audited(AuditAction.PROJECT, "修改草稿")
def project_update(project, *, actor, **fields) -> JobProject:
    """The agency edits its draft. Row-locked: a project submitted meanwhile is not changed."""
    locked = JobProject.objects.select_for_update().get(pk=project.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(f"项目当前状态为“{locked.get_status_display()}”，不能修改。")
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    locked.save(update_fields=changed)
    labels = "、".join(str(JobProject._meta.get_field(n).verbose_name) for n in changed)
    audit_log(actor, AuditAction.PROJECT, locked, detail=f"修改：{labels or '无变化'}")
    return locked


def _move(project, *, old, new, **changes) -> JobProject:
    """Conditional update: a stale second click (or a second reviewer) changes nothing."""
    changed = JobProject.objects.filter(pk=project.pk, status__in=old).update(
        status=new, **changes)
    if not changed:
        project.refresh_from_db()
        raise ValidationError(f"项目当前状态为“{project.get_status_display()}”，不能执行此操作。")
    references_changed()  # an update() sends no post_save: the dashboards list by status
    project.refresh_from_db()
    return project


@audited(AuditAction.PROJECT, "提交审核")
def project_submit(project, *, actor) -> JobProject:
    project = _move(project, old=EDITABLE, new=ProjectStatus.SUBMITTED, return_reason="")
    audit_log(actor, AuditAction.PROJECT, project, detail="提交审核")
    return project


@audited(AuditAction.APPROVE, "发布岗位项目")
def project_approve(project, *, review_no: str, review_form, actor) -> JobProject:
    """The province publishes a submitted project with the commerce department's 项目审查表
    (file and number): unreviewed projects are never published (seed 001)."""
    review_no = (review_no or "").strip()
    if not review_no:
        raise ValidationError({"review_no": "请填写项目审查表编号。"})
    if review_form is None:
        raise ValidationError({"review_form": "请上传商务厅项目审查表。"})
    review_form = document_accept(review_form, field="review_form")
    project = _move(project, old=(ProjectStatus.SUBMITTED,), new=ProjectStatus.PUBLISHED,
                    review_no=review_no[:50], review_form_name=review_form.original_name,
                    review_form_type=review_form.content_type,
                    reviewed_by=actor, published_at=timezone.now())
    project.review_form.save(f"review-{project.pk}{review_form.extension}", review_form.content,
                             save=False)
    project.save(update_fields=["review_form"])
    audit_log(actor, AuditAction.APPROVE, project, detail=f"发布岗位项目，审查表 {review_no}")
    return project


@audited(AuditAction.APPROVE, "退回岗位项目")
def project_return(project, *, reason: str, actor) -> JobProject:
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因。"})
    project = _move(project, old=(ProjectStatus.SUBMITTED,), new=ProjectStatus.DRAFT,
                    return_reason=reason.strip()[:200])
    audit_log(actor, AuditAction.APPROVE, project, detail=f"退回岗位项目：{reason}")
    return project


@audited(AuditAction.PROJECT, "结束")
def project_close(project, *, actor) -> JobProject:
    project = _move(project, old=(ProjectStatus.PUBLISHED,), new=ProjectStatus.CLOSED)
    audit_log(actor, AuditAction.PROJECT, project, detail="结束")
    return project


@audited(AuditAction.PROJECT, "对接")
def project_dock(project, *, city, unit=None, actor, planned=None, agreement=None,
                 signed_on=None) -> ProjectDocking:
    """A unit or city docks with a published project; the pairing keeps its 合作协议."""
    if project.status != ProjectStatus.PUBLISHED:
        raise ValidationError("只能对接已发布的项目。")
    from apps.orgs.services import check_signed_on
    check_signed_on(signed_on)
    agreement = document_accept(agreement, field="agreement") if agreement else None
    docking = ProjectDocking(project=project, city=city, unit=unit, planned=planned,
                             signed_on=signed_on, created_by=actor,
                             agreement_name=agreement.original_name if agreement else "",
                             agreement_type=agreement.content_type if agreement else "")
    try:
        with transaction.atomic():
            docking.save()
            if agreement is not None:
                docking.agreement.save(f"agreement-{docking.pk}{agreement.extension}",
                                       agreement.content)
    except IntegrityError:
        raise ValidationError(f"“{unit or city}”已对接该项目，无需重复登记。")
    audit_log(actor, AuditAction.PROJECT, project, detail=f"对接：{unit or city}")
    return docking
