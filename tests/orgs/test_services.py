import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.orgs import services
from apps.orgs.models import (
    AgencyStatus, CityAgencyCooperation, FilingStatus, OrganisingUnit, UnitAgencyCooperation,
    UnitCategory,
)
from apps.orgs.validators import validate_credit_code
from tests.pdfs import clean_pdf

VALID_USCC = "91110000100017643K"  # a real company's code, check digit included


def test_credit_code_check_digit():
    validate_credit_code(VALID_USCC)
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code(VALID_USCC[:-1] + "0")
    with pytest.raises(ValidationError, match="18位"):
        validate_credit_code("9111000010001764")


def test_city_files_a_unit_which_stays_pending_until_approved(world):
    filing = services.filing_submit_unit(
        city=world.ty, actor=world.city_ty, reason="实地考察", name="太原某培训学校",
        category=UnitCategory.TRAINING_INSTITUTION)
    unit = filing.unit
    assert unit.filing_status == FilingStatus.PENDING and unit.city == world.ty
    assert unit.standing_class_allowed is False  # training institutions never run 非建制班
    services.filing_decide(filing, approve=True, actor=world.province)
    unit.refresh_from_db()
    assert unit.filing_status == FilingStatus.APPROVED


def test_approving_a_filed_agency_pairs_it_with_the_city(world):
    filing = services.filing_submit_agency(
        city=world.ty, actor=world.city_ty, reason="自主考察", name="某国际经济技术合作公司",
        credit_code=VALID_USCC, licence_no="MOFCOM-001", licence_valid_until="2030-12-31")
    assert filing.agency.status == AgencyStatus.FILED
    assert not CityAgencyCooperation.objects.filter(agency=filing.agency).exists()
    services.filing_decide(filing, approve=True, actor=world.province)
    assert CityAgencyCooperation.objects.filter(city=world.ty, agency=filing.agency,
                                                ended_at__isnull=True).count() == 1


def test_refusal_needs_a_reason_and_a_decision_is_final(world):
    with pytest.raises(ValidationError, match="理由"):
        services.filing_decide(world.filing_ty, approve=False, actor=world.province)
    services.filing_decide(world.filing_ty, approve=False, actor=world.province, note="资质不符")
    world.filing_ty.unit.refresh_from_db()
    assert world.filing_ty.unit.filing_status == FilingStatus.REFUSED
    with pytest.raises(services.FilingAlreadyDecided):
        services.filing_decide(world.filing_ty, approve=True, actor=world.province)


def test_pairing_twice_is_refused_with_a_message(world):
    with pytest.raises(ValidationError, match="已与"):
        services.unit_cooperation_create(unit=world.u1, agency=world.a1, actor=world.unit_u1)
    assert UnitAgencyCooperation.objects.filter(unit=world.u1).count() == 1


def test_a_suspended_agency_cannot_be_chosen_and_loses_its_pairings(world):
    services.agency_set_status(world.a1, status=AgencyStatus.SUSPENDED, actor=world.province)
    assert not CityAgencyCooperation.objects.filter(agency=world.a1, ended_at__isnull=True).exists()
    assert not UnitAgencyCooperation.objects.filter(agency=world.a1, ended_at__isnull=True).exists()
    world.a1.refresh_from_db()
    with pytest.raises(ValidationError, match="暂停合作"):
        services.unit_cooperation_create(unit=world.u2, agency=world.a1, actor=world.unit_u2)


def test_ending_then_pairing_again_keeps_the_history(world):
    services.cooperation_end(world.coop_u1, actor=world.unit_u1)
    services.cooperation_end(world.coop_u1, actor=world.unit_u1)  # twice: no change
    again = services.unit_cooperation_create(unit=world.u1, agency=world.a1, actor=world.unit_u1)
    assert again.pk != world.coop_u1.pk
    assert UnitAgencyCooperation.objects.filter(unit=world.u1).count() == 2


def test_agreement_is_stored_privately(world, settings):
    pdf = SimpleUploadedFile("协议.pdf", clean_pdf(), content_type="application/pdf")
    coop = services.unit_cooperation_create(unit=world.u2, agency=world.a1,
                                            actor=world.unit_u2, agreement=pdf)
    assert coop.agreement_name == "协议.pdf"
    assert coop.agreement.path.startswith(str(settings.MEDIA_ROOT))
    assert coop.agreement.read().startswith(b"%PDF")


def test_hr_company_can_never_run_standing_classes(world):
    unit = services.unit_create(actor=world.province, name="某人力资源公司",
                                category=UnitCategory.HR_COMPANY, city=world.ty)
    assert unit.standing_class_allowed is False
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisingUnit.objects.filter(pk=unit.pk).update(standing_class_allowed=True)


def test_an_agency_with_an_expired_licence_cannot_be_chosen(world, client):
    world.a1.licence_valid_until = "2020-01-01"
    world.a1.save()
    world.a1.refresh_from_db()
    with pytest.raises(ValidationError, match="2020年01月01日到期"):
        services.unit_cooperation_create(unit=world.u2, agency=world.a1, actor=world.unit_u2)
    client.force_login(world.unit_u2)
    from django.urls import reverse
    form = client.get(reverse("orgs:unit_cooperation_create")).content.decode()
    assert world.a1.name not in form


def test_user_form_names_the_missing_organisation_in_chinese(world):
    from apps.accounts.models import Role, User
    user = User(username="new", role=Role.CITY)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "必须选择所属地市" in str(error.value)
    user = User(username="new2", role=Role.PROVINCE, unit=world.u1)
    with pytest.raises(ValidationError, match="不应填写所属组织单位"):
        user.full_clean()
