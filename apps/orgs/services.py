"""Writes to organisations. Views and commands call these; nothing else changes org state."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited, audited_within
from apps.common.dates import span_problem
from apps.common.files import document_accept
from apps.orgs.models import (
    Agency, AgencyStatus, City, CityAgencyCooperation, FilingKind, FilingRequest, FilingStatus,
    OrganisingUnit, QualificationBar, Source, UnitAgencyCooperation, UnitCategory, years_later,
)

# The statuses in which an agency works with cities and units: restoring one is what a bar
# (seed 002 第八条) forbids.
ACTIVE_AGENCY = (AgencyStatus.RECOMMENDED, AgencyStatus.FILED)
BAR_YEARS = 2


# --- Two-year bar (seed 002 第八条: 被取消的…2年内不得重新申报) ------------------------------

def bar_in_force(org, today=None):
    """The bar holding on ``org`` today (the one ending last), or None."""
    today = today or timezone.localdate()
    where = {"unit": org} if isinstance(org, OrganisingUnit) else {"agency": org}
    return QualificationBar.objects.filter(**where).in_force(today).order_by("-ends_on").first()


def bar_problem(org, today=None) -> str | None:
    """Why ``org`` may not be restored or filed again today, or None. The one rule every
    restoring path asks: agency status back to 省推荐/市备案, a unit's or agency's filing set
    to 已备案 (a service, a filing's approval, a new filing or record under the same name)."""
    bar = bar_in_force(org, today)
    if bar is None:
        return None
    return (f"“{org.name}”已于{bar.starts_on:%Y年%m月%d日}被取消资格（{bar.reason}），"
            f"{bar.ends_on:%Y年%m月%d日}前不得恢复或重新申报。")


def _refuse_if_barred(org, field):
    problem = bar_problem(org)
    if problem:
        raise ValidationError({field: problem})


def _refuse_barred_name(model, field, **lookup):
    """A new record or filing of an organisation that is barred under the same name (or
    credit code): refused with the bar, not only with "already exists"."""
    for org in model.objects.filter(**lookup):
        _refuse_if_barred(org, field)


@audited_within
def bar_record(*, unit=None, agency=None, starts_on, reason, actor) -> QualificationBar:
    """The bar of a withdrawn qualification: from the decision day to two years on."""
    return QualificationBar.objects.create(
        unit=unit, agency=agency, starts_on=starts_on,
        ends_on=years_later(starts_on, BAR_YEARS), reason=reason[:300], created_by=actor)


@audited_within
def bar_lift(bar, *, on, reason) -> QualificationBar:
    """The decision behind a bar was revoked (an evaluation corrected after publication)."""
    bar = QualificationBar.objects.select_for_update().get(pk=bar.pk)
    if bar.lifted_on is None:
        bar.lifted_on, bar.lifted_reason = on, reason[:300]
        bar.save(update_fields=["lifted_on", "lifted_reason"])
    return bar


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
    _refuse_barred_name(OrganisingUnit, "name", name=fields.get("name"))
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
    if fields.get("filing_status") == FilingStatus.APPROVED:
        _refuse_if_barred(unit, "filing_status")
    return _save_fields(unit, fields)


@audited(AuditAction.ORG, "新建输出机构")
def agency_create(*, actor, **fields) -> Agency:
    _refuse_barred_agency(fields)
    agency = Agency(**fields)
    agency.full_clean()
    agency.save()
    return agency


@audited(AuditAction.ORG, "修改输出机构")
def agency_update(agency: Agency, *, actor, **fields) -> Agency:
    if fields.get("status") in ACTIVE_AGENCY:
        _refuse_if_barred(agency, "status")
    if fields.get("filing_status") == FilingStatus.APPROVED:
        _refuse_if_barred(agency, "filing_status")
    return _save_fields(agency, fields)


def _refuse_barred_agency(fields):
    _refuse_barred_name(Agency, "name", name=fields.get("name"))
    if fields.get("credit_code"):
        _refuse_barred_name(Agency, "credit_code", credit_code=fields["credit_code"])


@audited(AuditAction.APPROVE, "输出机构状态")
def agency_set_status(agency: Agency, *, status: str, actor) -> Agency:
    """Suspend, blacklist or reinstate an agency; its active cooperations stop with it."""
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if status in ACTIVE_AGENCY:
            _refuse_if_barred(agency, "status")
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


def check_signed_on(signed_on, today=None) -> None:
    """An agreement's 签订日期 (cooperations, dockings; rule 33): it has been signed, so not
    after today (Beijing), and not before the programme's span (0001, 1900 are typing slips).
    Empty is allowed (not yet known)."""
    if signed_on is None:
        return
    if signed_on > (today or timezone.localdate()):
        raise ValidationError({"signed_on": f"协议签订日期（{signed_on.isoformat()}）不能晚于今天。"})
    problem = span_problem(signed_on, "协议签订日期", today)
    if problem:
        raise ValidationError({"signed_on": problem})


def _create_cooperation(model, *, agency, actor, agreement=None, signed_on=None, **owner):
    _check_partner(agency)
    check_signed_on(signed_on)
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
    _refuse_barred_name(OrganisingUnit, "name", name=unit_fields.get("name"))
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
    _refuse_barred_agency(agency_fields)
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
    if approve:
        _refuse_if_barred(filing.target, "decision")
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
