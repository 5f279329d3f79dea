import hashlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.accounts.scoping import visible
from apps.common.files import document_accept
from apps.evidence.models import KIND_STAGE, Evidence
from apps.pipeline import transitions
from apps.registry.models import Person

def evidence_kinds_for(role) -> list:
    """The evidence a role may attach: that of the stages it records (SPEC §4)."""
    return [kind for kind, stage in KIND_STAGE.items() if role in transitions.RECORDERS[stage]]


@audited(AuditAction.UPLOAD, "证明材料")
def evidence_attach(*, person: Person, kind: str, uploaded, actor, candidacy=None) -> Evidence:
    """Attach a scan or photo to a person (and the candidacy whose stage it proves).

    The type is read from the content; photos are re-encoded so that no EXIF or GPS data
    is kept."""
    if kind not in evidence_kinds_for(actor.role):
        raise PermissionDenied("您的角色不能上传该类材料。")
    person = visible(Person.objects.all(), actor).get(pk=person.pk)
    if candidacy is not None and candidacy.person_id != person.pk:
        raise ValidationError({"candidacy": "该报名记录不属于此人员。"})
    accepted = document_accept(uploaded, field="file")
    accepted.content.seek(0)
    data = accepted.content.read()
    evidence = Evidence(
        person=person, candidacy=candidacy, kind=kind,
        original_name=accepted.original_name, content_type=accepted.content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor,
    )
    # A random stored name: the user's file name never reaches the file system.
    evidence.file.save(f"{kind}-{uuid.uuid4().hex}{accepted.extension}", ContentFile(data),
                       save=False)
    evidence.save()
    audit_log(actor, AuditAction.UPLOAD, person, detail="证明材料")
    return evidence
