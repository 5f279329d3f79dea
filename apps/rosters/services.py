"""Receive a roster (check, parse, validate, keep a preview) and commit it all or nothing."""
import hashlib

import pghistory
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_context, audit_log, audited, not_audited
from apps.common.files import safe_name
from apps.rosters import importers, poverty_import, readers, safety, stage_import
from apps.rosters.layouts import LAYOUTS
from apps.rosters.models import REFERENCE_KINDS, Upload, UploadKind, UploadStatus

UPLOADERS = {Role.UNIT, Role.CITY}
# Reference data (cities, units, agencies, tasks) is the province's alone.
REFERENCE_UPLOADERS = {Role.PROVINCE}


# The 脱贫 verification list is the city's (registry.services.POVERTY_VERIFIERS), not a unit's.
POVERTY_UPLOADERS = {Role.CITY}


def may_upload(role, kind) -> bool:
    if kind == UploadKind.POVERTY:
        return role in POVERTY_UPLOADERS
    return role in (REFERENCE_UPLOADERS if kind in REFERENCE_KINDS else UPLOADERS)
PREVIEW_ROWS = 2000
# One roster commits at a time: a second one waits, then sees the first one's people.
COMMIT_LOCK = 0x6C61626F  # "labo"


def _validate(upload: Upload, data: bytes, actor) -> importers.Result:
    accepted = safety.accept(upload.original_name, data)
    sheets = readers.read(accepted, data)
    if upload.kind in REFERENCE_KINDS:
        from apps.orgs.reference import reference_validate
        return reference_validate(upload.kind, sheets, actor)
    if upload.kind == UploadKind.ROSTER:
        return stage_import.StageRosterValidator(actor, upload.stage_date).validate(sheets)
    if upload.kind == UploadKind.POVERTY:
        return poverty_import.PovertyRosterValidator(actor).validate(sheets)
    return importers.RosterValidator(LAYOUTS[upload.kind], actor).validate(sheets)


def _write(upload: Upload, result, actor):
    if upload.kind in REFERENCE_KINDS:
        from apps.orgs.reference import reference_write
        return reference_write(upload.kind, result, actor)
    if upload.kind == UploadKind.ROSTER:
        return stage_import.write(result, actor)
    if upload.kind == UploadKind.POVERTY:
        return poverty_import.write(result, actor, upload)
    written = importers.write(result, actor)
    if upload.training_class_id:
        _join_class(upload, result, actor)
    return written


def _join_class(upload: Upload, result, actor) -> None:
    """附件9: the roster's people, registered or updated above, join the 非建制班."""
    from apps.registry.models import Person
    from apps.training.services import standing_members_add

    persons = list(Person.objects.filter(id_hash__in=[r.id_hash for r in result.rows]))
    standing_members_add(upload.training_class, actor=actor, persons=persons, upload=upload)


def standing_class_for_upload(actor, class_id):
    """The 非建制班 a 附件9 roster is for: the uploading unit's own, not yet ended."""
    from apps.training.models import ClassKind, ClassStatus, TrainingClass

    found = visible(TrainingClass.objects.filter(kind=ClassKind.STANDING), actor).filter(
        pk=class_id or 0).exclude(status=ClassStatus.ENDED).first()
    if found is None or actor.role != Role.UNIT:
        raise CommitRefused("非建制班人员花名表（附件9）须由举办学校上传，并选择本单位尚未结业的非建制班。")
    return found


def _store_result(upload: Upload, result: importers.Result):
    upload.new_count = result.count(importers.NEW)
    upload.update_count = result.count(importers.UPDATE)
    upload.unchanged_count = result.count(importers.UNCHANGED)
    upload.error_count = result.count(importers.ERROR)
    # Errors first, so that a user sees what to fix without scrolling.
    ordered = sorted(result.rows, key=lambda r: (r.outcome != importers.ERROR, r.number))
    upload.preview = [r.as_preview() for r in ordered[:PREVIEW_ROWS]]
    upload.message = "".join(result.notices)


@audited(AuditAction.UPLOAD, "上传名册")
def upload_receive(*, actor, kind: str, uploaded, stage_date=None,
                   training_class=None, request=None) -> Upload:
    """Keep the file, check it, validate every row, and store the preview. Writes no person.
    A 附件9 roster names its 非建制班 (``training_class``, checked here)."""
    if not may_upload(actor.role, kind):
        raise PermissionDenied("基础数据只能由省专项办导入。" if kind in REFERENCE_KINDS
                               else "脱贫劳动力核实名单由市人社局上传。" if kind == UploadKind.POVERTY
                               else "只有组织单位和市人社局可以上传名册。")
    if kind == UploadKind.STANDING_CLASS:
        training_class = standing_class_for_upload(actor, getattr(training_class, "pk", None))
    else:
        training_class = None
    data = uploaded.read()
    upload = Upload(kind=kind, original_name=safe_name(uploaded.name), size=len(data),
                    stage_date=stage_date or timezone.localdate(),
                    sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor,
                    training_class=training_class,
                    city=actor.city if actor.role == Role.CITY else None,
                    unit=actor.unit if actor.role == Role.UNIT else None)
    try:
        result = _validate(upload, data, actor)
    except safety.Refused as refusal:
        upload.status, upload.message = UploadStatus.REFUSED, refusal.message
        upload.save()
    else:
        _store_result(upload, result)
        upload.status = UploadStatus.PREVIEWED
        upload.save()
        upload.file.save(f"{upload.pk}-{upload.sha256[:12]}.{'csv' if upload.original_name.lower().endswith('.csv') else 'xlsx'}",
                         ContentFile(data))
    audit_log(actor, AuditAction.UPLOAD, upload, detail=f"{upload.get_kind_display()}：{upload.original_name}",
              request=request)
    return upload


def previous_commit(upload: Upload):
    return (visible(Upload.objects.filter(sha256=upload.sha256, kind=upload.kind,
                                          status=UploadStatus.COMMITTED), upload.uploaded_by)
            .exclude(pk=upload.pk).order_by("-committed_at").first())


def upload_committable(upload: Upload, user) -> bool:
    """Only its uploader commits a previewed upload, and only one without errors."""
    return (upload.status == UploadStatus.PREVIEWED and upload.error_count == 0
            and upload.uploaded_by_id == user.pk)


class CommitRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@audited(AuditAction.UPLOAD, "确认导入", atomic=False)
def upload_commit(upload: Upload, *, actor, request=None) -> Upload:
    """Write the roster all or nothing. The file is validated again under the lock, so two
    overlapping uploads never create the same person twice."""
    if upload.uploaded_by_id != actor.pk:
        raise PermissionDenied("只能确认本人上传的名册。")
    try:
        with transaction.atomic(), pghistory.context(user=actor.pk, upload=upload.pk), \
                audit_context(upload_id=upload.pk):
            locked = Upload.objects.select_for_update().get(pk=upload.pk)
            if locked.status != UploadStatus.PREVIEWED:
                raise CommitRefused(f"该名册状态为“{locked.get_status_display()}”，不能再次导入。")
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])
            if not locked.file:
                raise CommitRefused("预览已超过7天，文件已按规定删除，未导入任何数据。请重新上传。")
            with locked.file.open("rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != locked.sha256:
                # The kept file is not the one previewed: its verdict is not the preview's.
                raise CommitRefused("预览后名册文件已被改动（校验值不符），未导入任何数据。请重新上传。")
            result = _validate(locked, data, actor)
            if not result.ok:
                _store_result(locked, result)
                locked.save()
                raise CommitRefused("名册中有错误（或在预览后数据已变化），未导入任何数据。请查看预览中的错误。")
            _write(locked, result, actor)
            _store_result(locked, result)
            locked.status, locked.committed_at = UploadStatus.COMMITTED, timezone.now()
            locked.save()
            audit_log(actor, AuditAction.UPLOAD, locked, request=request,
                      detail=f"确认导入{locked.get_kind_display()}：新增{locked.new_count}{locked.noun}，"
                             f"更新{locked.update_count}{locked.noun}")
    except DatabaseError:
        # The connection broke or the database refused mid-way: nothing was written.
        if connection.in_atomic_block:
            raise  # the caller's transaction is broken too; it must decide
        connection.close()
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.FAILED,
            message="导入过程中数据库连接中断或出错，本次未写入任何数据。请重新上传并导入。")
        upload.refresh_from_db()
        return upload
    except safety.Refused as refusal:
        raise CommitRefused(refusal.message)
    upload.refresh_from_db()
    return upload


@not_audited("housekeeping: deletes expired upload files (residual information); no record changes")
def uploads_purge_files(*, older_than_days: int = 7, now=None) -> int:
    """Residual information (SECURITY.md §13): an uploaded roster's file is deleted a week
    after upload; the record (who, when, hash, counts) stays. Safe to run twice."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    purged = 0
    for upload in Upload.objects.filter(uploaded_at__lt=cutoff).exclude(file=""):
        upload.file.delete(save=False)
        Upload.objects.filter(pk=upload.pk).update(file="")
        purged += 1
    return purged
