"""Full numbers leave the system only through these: request, decide, download
(docs/DISCLOSURE.md). Every step writes an AuditAction.DISCLOSURE row with the IP."""
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import full_numbers_visible
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.disclosures.models import Disclosure, DisclosureForm, DisclosureStatus, Purpose
from apps.registry.models import Person


class DisclosureRefused(Exception):
    """A download that may not happen (waiting, refused, used, expired), said in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# The threshold counts everyone granted at once to the requester over a day: a bulk download
# split into many small requests still meets the province.
AUTO_WINDOW = timedelta(hours=24)
# A long digit run in free text is likely an ID or phone number: it would land in the audit
# log and on the request lists, which show no full number.
NUMBER_LIKE = re.compile(r"\d{7,}")


def needs_province(actor, wanted: set[int]) -> bool:
    """GB/T 35273 asks that bulk downloads be approved: beyond a few people the province
    decides. The province itself is the approver: it states a purpose, no second person."""
    if actor.role == Role.PROVINCE:
        return False
    recent = set(Disclosure.people.through.objects.filter(
        disclosure__requested_by=actor, disclosure__auto_granted=True,
        disclosure__requested_at__gte=timezone.now() - AUTO_WINDOW,
    ).values_list("person_id", flat=True))
    return len(recent | wanted) > settings.DISCLOSURE_AUTO_MAX_PEOPLE


def _free_text_error(text: str, label: str, limit: int = 200) -> str:
    if len(text) > limit:
        return f"{label}最多{limit}字。"
    if NUMBER_LIKE.search(unicodedata.normalize("NFKC", text)):
        return f"{label}中不能填写证件号、手机号等长串数字。"
    return ""


def _describe(d: Disclosure) -> str:
    return (f"{d.get_form_display()[:3]} {d.people_count}人，用途：{d.get_purpose_display()}"
            f"（{d.purpose_text}）")


def _grant(d: Disclosure, now) -> None:
    d.status = DisclosureStatus.GRANTED
    d.decided_at = now
    d.expires_at = now + timedelta(hours=settings.DISCLOSURE_VALID_HOURS)


@audited(AuditAction.DISCLOSURE, "申请完整号码")
def disclosure_request(*, actor, form: str, people, purpose: str, purpose_text: str,
                       org_name: str, unit=None, project=None, training_class=None,
                       request=None) -> Disclosure:
    """Ask for the full-number version of one form for exactly ``people``."""
    wanted = {p.pk for p in people}
    purpose_text = (purpose_text or "").strip()
    errors = {}
    if form not in DisclosureForm.values:
        errors["form"] = "表格不正确。"
    if purpose not in Purpose.values:
        errors["purpose"] = "请选择用途。"
    if not purpose_text:
        errors["purpose_text"] = "请说明用途（如办理哪国签证、哪家医院体检）。"
    elif _free_text_error(purpose_text, "用途说明"):
        errors["purpose_text"] = _free_text_error(purpose_text, "用途说明")
    if not wanted:
        errors["people"] = "请至少选择一人。"
    elif form == DisclosureForm.FORM5 and len(wanted) != 1:
        errors["people"] = "附件5 每份只含一人。"
    else:
        allowed = set(full_numbers_visible(Person.objects.filter(pk__in=wanted), actor)
                      .values_list("pk", flat=True))
        if allowed != wanted:
            errors["people"] = f"所选人员中有 {len(wanted - allowed)} 人您无权导出完整号码。"
    if errors:
        raise ValidationError(errors)
    # One request of a user at a time: two at once cannot both fit under the threshold.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    d = Disclosure(form=form, purpose=purpose, purpose_text=purpose_text,
                   people_count=len(wanted), unit=unit, project=project,
                   training_class=training_class, org_name=org_name[:200], requested_by=actor)
    if not needs_province(actor, wanted):
        d.auto_granted = True
        _grant(d, timezone.now())
    d.save()
    d.people.set(wanted)
    outcome = "即时批准" if d.auto_granted else "待省专项办审批"
    audit_log(actor, AuditAction.DISCLOSURE, d, detail=f"申请完整号码 {_describe(d)}；{outcome}",
              request=request)
    return d


@audited(AuditAction.DISCLOSURE, "审批完整号码申请")
def disclosure_decide(disclosure: Disclosure, *, approve: bool, actor, reason: str = "",
                      request=None) -> Disclosure:
    """The province approves or refuses a pending request. Row-locked: decided once."""
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以审批完整号码导出申请。")
    d = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    reason = (reason or "").strip()
    if d.status != DisclosureStatus.PENDING:
        raise ValidationError({"decision": f"该申请{d.get_status_display()}，不能重复审批。"})
    if d.requested_by_id == actor.pk:
        raise ValidationError({"decision": "不能审批本人提出的申请。"})
    if not approve and not reason:
        raise ValidationError({"reason": "拒绝时请填写理由。"})
    if _free_text_error(reason, "审批意见"):
        raise ValidationError({"reason": _free_text_error(reason, "审批意见")})
    now = timezone.now()
    d.decided_by, d.decision_reason = actor, reason
    if approve:
        _grant(d, now)
    else:
        d.status, d.decided_at = DisclosureStatus.REFUSED, now
    d.save(update_fields=["status", "decided_by", "decided_at", "decision_reason",
                          "expires_at"])
    audit_log(actor, AuditAction.DISCLOSURE, d,
              detail=f"{'批准' if approve else '拒绝'}完整号码 {_describe(d)}"
                     + (f"；意见：{reason}" if reason else ""), request=request)
    return d


@audited(AuditAction.DISCLOSURE, "下载完整号码")
def disclosure_take(disclosure: Disclosure, *, actor, request=None) -> set[int]:
    """Use a granted request, once: the people whose full numbers the file may carry.
    Call inside the transaction that builds the file, so a failure leaves it unused."""
    now = timezone.now()
    # One conditional UPDATE: two downloads at once, or a replay, find nothing to take.
    taken = Disclosure.objects.filter(
        pk=disclosure.pk, requested_by=actor, status=DisclosureStatus.GRANTED,
        expires_at__gt=now).update(status=DisclosureStatus.USED, used_at=now)
    if not taken:
        d = Disclosure.objects.get(pk=disclosure.pk)
        raise DisclosureRefused({
            DisclosureStatus.PENDING: "该申请正在等待省专项办审批，批准后才能下载完整号码版。",
            DisclosureStatus.REFUSED: f"该申请已被拒绝：{d.decision_reason}",
            DisclosureStatus.USED: "该申请已下载过一次，不能重复下载；如仍需要请重新申请。",
        }.get(d.status, "该申请已过有效期，请重新申请。"))
    # Scope is checked again now: a person who left the requester's scope stays masked.
    full_for = set(full_numbers_visible(disclosure.people.all(), actor)
                   .values_list("pk", flat=True))
    audit_log(actor, AuditAction.DISCLOSURE, disclosure,
              detail=f"下载完整号码版 {_describe(disclosure)}；含完整号码{len(full_for)}人",
              request=request)
    return full_for
