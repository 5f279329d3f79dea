"""Writes to organisations. Views and commands call these; nothing else changes org state."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited
from apps.common.files import document_accept
from apps.orgs.models import (
    Agency, AgencyStatus, City, CityAgencyCooperation, FilingKind, FilingRequest, FilingStatus,
    OrganisingUnit, Source, UnitAgencyCooperation, UnitCategory,
)


def _save_fields(obj, fields: dict):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save(update_fields=list(fields) or None)
    return obj


@audited(AuditAction.ORG, "修改公共就业服务机构")
def city_update_service_org(city: City, *, actor, **fields) -> City:
    """A city names its public employment service institution (附件3)."""
    allowed = {"service_org_name", "service_contact", "service_phone"}
    return _save_fields(city, {k: v for k, v in fields.items() if k in allowed})


@audited(AuditAction.ORG, "新建组织单位")
def unit_create(*, actor, **fields) -> OrganisingUnit:
    unit = OrganisingUnit(**fields)
    if not unit.is_school:
        unit.standing_class_allowed = False
    unit.full_clean()
    unit.save()
    return unit


@audited(AuditAction.ORG, "修改组织单位")
def unit_update(unit: OrganisingUnit, *, actor, **fields) -> OrganisingUnit:
    if fields.get("category", unit.category) not in UnitCategory.schools():
        fields["standing_class_allowed"] = False
    return _save_fields(unit, fields)


@audited(AuditAction.ORG, "新建输出机构")
def agency_create(*, actor, **fields) -> Agency:
    agency = Agency(**fields)
    agency.full_clean()
    agency.save()
    return agency


@audited(AuditAction.ORG, "修改输出机构")
def agency_update(agency: Agency, *, actor, **fields) -> Agency:
    return _save_fields(agency, fields)


@audited(AuditAction.APPROVE, "输出机构状态")
def agency_set_status(agency: Agency, *, status: str, actor) -> Agency:
    """Suspend, blacklist or reinstate an agency; its active cooperations stop with it."""
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        before = agency.get_status_display()
        agency.status = status
        agency.save(update_fields=["status"])
        audit_log(actor, AuditAction.APPROVE, agency,
                  detail=f"输出机构“{agency.name}”状态：{before} → {agency.get_status_display()}")
        if status in (AgencyStatus.SUSPENDED, AgencyStatus.BLACKLISTED):
            now = timezone.now()
            for model in (CityAgencyCooperation, UnitAgencyCooperation):
                model.objects.filter(agency=agency, ended_at__isnull=True).update(
                    ended_at=now, ended_by=actor
                )
    return agency


def _check_partner(agency: Agency):
    if agency.licence_expired:
        raise ValidationError(
            {"agency": f"“{agency.name}”的对外劳务合作经营资格已于"
                       f"{agency.licence_valid_until:%Y年%m月%d日}到期，不能选为合作机构。"}
        )
    if not agency.can_cooperate:
        raise ValidationError(
            {"agency": f"“{agency.name}”当前状态为{agency.get_status_display()}"
                       f"（{agency.get_filing_status_display()}），不能选为合作机构。"}
        )


def _create_cooperation(model, *, agency, actor, agreement=None, signed_on=None, **owner):
    _check_partner(agency)
    coop = model(agency=agency, created_by=actor, signed_on=signed_on, **owner)
    if agreement is not None:
        agreement = document_accept(agreement, field="agreement")
        coop.agreement_name, coop.agreement_type = agreement.original_name, agreement.content_type
    try:
        with transaction.atomic():
            coop.save()
            if agreement is not None:
                # Saved after the row exists so the file lands under the cooperation's id.
                coop.agreement.save(f"agreement-{coop.pk}{agreement.extension}", agreement.content)
    except IntegrityError:
        raise ValidationError({"agency": f"已与“{agency.name}”建立合作，无需重复登记。"})
    return coop


@audited(AuditAction.ORG, "地市选定合作机构")
def city_cooperation_create(*, city: City, agency: Agency, actor, agreement=None,
                            signed_on=None) -> CityAgencyCooperation:
    """A city chooses a cooperating agency (seed 000 §2(1))."""
    return _create_cooperation(CityAgencyCooperation, city=city, agency=agency, actor=actor,
                               agreement=agreement, signed_on=signed_on)


@audited(AuditAction.ORG, "组织单位选定对口机构")
def unit_cooperation_create(*, unit: OrganisingUnit, agency: Agency, actor, agreement=None,
                            signed_on=None) -> UnitAgencyCooperation:
    """A unit chooses its matching (对口) agency."""
    return _create_cooperation(UnitAgencyCooperation, unit=unit, agency=agency, actor=actor,
                               agreement=agreement, signed_on=signed_on)


@audited(AuditAction.ORG, "结束合作")
def cooperation_end(coop, *, actor):
    """End a pairing. Conditional update: ending twice changes nothing the second time."""
    model = type(coop)
    model.objects.filter(pk=coop.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=actor
    )
    coop.refresh_from_db()
    return coop


@audited(AuditAction.ORG, "报备组织单位")
def filing_submit_unit(*, city: City, actor, reason: str, **unit_fields) -> FilingRequest:
    """A city files a unit it chose itself (报人社厅、教育厅备案): pending until approved."""
    unit = OrganisingUnit(city=city, source=Source.CITY, filing_status=FilingStatus.PENDING,
                          **unit_fields)
    if not unit.is_school:
        unit.standing_class_allowed = False
    unit.full_clean()
    unit.save()
    return FilingRequest.objects.create(kind=FilingKind.UNIT, city=city, unit=unit,
                                        reason=reason, submitted_by=actor)


@audited(AuditAction.ORG, "报备输出机构")
def filing_submit_agency(*, city: City, actor, reason: str, **agency_fields) -> FilingRequest:
    """A city files an agency it chose itself (报人社厅、商务厅备案): pending until approved."""
    agency = Agency(status=AgencyStatus.FILED, filing_status=FilingStatus.PENDING,
                    **agency_fields)
    agency.full_clean()
    agency.save()
    return FilingRequest.objects.create(kind=FilingKind.AGENCY, city=city, agency=agency,
                                        reason=reason, submitted_by=actor)


class FilingAlreadyDecided(ValidationError):
    pass


@audited(AuditAction.APPROVE, "备案审批")
def filing_decide(filing: FilingRequest, *, approve: bool, actor, note: str = "") -> FilingRequest:
    """The province approves or refuses a filing. Row-locked: two clicks decide once."""
    filing = FilingRequest.objects.select_for_update().get(pk=filing.pk)
    if filing.status != FilingStatus.PENDING:
        raise FilingAlreadyDecided(f"该备案状态为“{filing.get_status_display()}”，不能重复审批。")
    if not approve and not note.strip():
        raise ValidationError({"decision_note": "不予备案时请填写理由。"})
    status = FilingStatus.APPROVED if approve else FilingStatus.REFUSED
    filing.status = status
    filing.decided_by = actor
    filing.decided_at = timezone.now()
    filing.decision_note = note
    filing.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    target = filing.target
    target.filing_status = status
    target.save(update_fields=["filing_status"])
    audit_log(actor, AuditAction.APPROVE, filing,
              detail=f"{filing.get_kind_display()}“{target}”：{filing.get_status_display()}")
    if approve and filing.kind == FilingKind.AGENCY:
        # The city filed the agency as its own partner: the pairing starts on approval.
        CityAgencyCooperation.objects.get_or_create(
            city=filing.city, agency=filing.agency, ended_at=None,
            defaults={"created_by": filing.submitted_by},
        )
    return filing
