import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.orgs.models import (
    Agency, FilingRequest, FilingStatus, OrganisingUnit, UnitAgencyCooperation, UnitCategory,
)
from tests.orgs.test_services import VALID_USCC
from tests.pdfs import clean_pdf


def test_city_files_an_agency_and_the_province_approves_it(world, client):
    client.force_login(world.city_ty)
    response = client.post(reverse("orgs:filing_agency_create"), {
        "name": "某国际经济技术合作公司", "credit_code": " ９１１１００００１０００１７６４３ｋ ",
        "licence_no": "MOFCOM-001", "licence_valid_until": "2030-12-31", "home_province": "山西",
        "reason": "已实地考察，资质齐全"}, follow=True)
    assert "已提交备案" in response.content.decode()
    filing = FilingRequest.objects.get(agency__name="某国际经济技术合作公司")
    assert filing.agency.credit_code == VALID_USCC  # full-width and lower case normalised
    client.force_login(world.province)
    page = client.get(reverse("orgs:filing_detail", args=[filing.pk])).content.decode()
    assert "同意备案" in page
    client.post(reverse("orgs:filing_decide", args=[filing.pk]), {"decision": "approved"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED and filing.decided_by == world.province


def test_bad_credit_code_is_named_in_chinese(world, client):
    client.force_login(world.city_ty)
    response = client.post(reverse("orgs:filing_agency_create"), {
        "name": "某公司", "credit_code": VALID_USCC[:-1] + "0", "licence_no": "X",
        "licence_valid_until": "2030-12-31", "reason": "考察"})
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Agency.objects.filter(name="某公司").exists()


def test_unit_chooses_its_agency_with_an_agreement(world, client):
    client.force_login(world.unit_u2)
    response = client.post(reverse("orgs:unit_cooperation_create"), {
        "agency": world.a1.pk, "signed_on": "2020-07-01",
        "agreement": SimpleUploadedFile("协议.pdf", clean_pdf())}, follow=True)
    assert "已登记对口输出机构" in response.content.decode()
    coop = UnitAgencyCooperation.objects.get(unit=world.u2)
    download = client.get(reverse("orgs:cooperation_agreement", args=["unit", coop.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_unit_cannot_choose_an_agency_outside_its_scope(world, client):
    client.force_login(world.unit_u2)
    response = client.post(reverse("orgs:unit_cooperation_create"), {"agency": world.a2.pk})
    assert "不在可选范围内" in response.content.decode()
    assert not UnitAgencyCooperation.objects.filter(unit=world.u2).exists()


def test_agreement_that_is_not_a_document_is_refused(world, client):
    client.force_login(world.unit_u2)
    response = client.post(reverse("orgs:unit_cooperation_create"), {
        "agency": world.a1.pk, "agreement": SimpleUploadedFile("协议.pdf", b"MZ\x90\x00 exe")})
    assert "只接受 PDF、JPG、PNG 文件" in response.content.decode()


def test_unit_list_filters(world, client):
    client.force_login(world.province)
    body = client.get(reverse("orgs:unit_list"), {"category": UnitCategory.TECHNICAL}).content
    assert world.u3.name in body.decode() and "山西大学" not in body.decode()
    body = client.get(reverse("orgs:unit_list"), {"filing_status": FilingStatus.PENDING}).content
    assert "太原某人力资源公司" in body.decode() and "山西大学" not in body.decode()


@pytest.mark.parametrize("url_name", ["orgs:unit_list", "orgs:agency_list", "orgs:city_list",
                                      "orgs:filing_list", "quotas:task_index"])
def test_list_pages_use_a_fixed_number_of_queries(world, client, django_assert_max_num_queries,
                                                  url_name):
    """Doubling the rows must not add queries (no N+1)."""
    client.force_login(world.province)
    for i in range(40):
        OrganisingUnit.objects.create(name=f"单位{i}", category=UnitCategory.TECHNICAL,
                                      city=world.ty if i % 2 else world.dt)
        Agency.objects.create(name=f"机构{i}")
    # 12 for the page, 2 for the second factor's device on province and city sessions.
    with django_assert_max_num_queries(14):
        assert client.get(reverse(url_name), follow=True).status_code == 200


def test_home_pages_use_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for user in world.by_role.values():
        client.force_login(user)
        # incl. the second factor's device; the work queue and next year's task (issue 16)
        # and the abroad register's two entries (two queries each, issue 18) are pinned per
        # role, and shown not to grow with the data, in tests/dashboards/test_work_queue.py.
        with django_assert_max_num_queries(27):
            assert client.get("/").status_code == 200


def test_the_owner_can_end_a_pairing_but_the_agency_cannot(world, client):
    client.force_login(world.unit_u1)
    assert "终止合作" in client.get(reverse("orgs:unit_detail", args=[world.u1.pk])).content.decode()
    client.force_login(world.agency_a1)
    assert "终止合作" not in client.get(
        reverse("orgs:agency_detail", args=[world.a1.pk])).content.decode()
    response = client.post(reverse("orgs:cooperation_end", args=["unit", world.coop_u1.pk]))
    assert response.status_code == 403
    client.force_login(world.unit_u1)
    client.post(reverse("orgs:cooperation_end", args=["unit", world.coop_u1.pk]))
    world.coop_u1.refresh_from_db()
    assert world.coop_u1.ended_by == world.unit_u1 and not world.coop_u1.is_active
