from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.pipeline.services import candidacy_open
from apps.projects import selectors, services
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus
from tests.conftest import make_id, pdf, register
from tests.pipeline_walk import walk

pytestmark = pytest.mark.django_db

FIELDS = {"name": "日本建筑项目", "country": "日本", "employer": "株式会社やまと",
          "trade": "建筑", "headcount": 20, "requirements": "18-30岁，男，初中以上，日语N4",
          "pay": "月薪18万日元", "hours": "每日8小时", "contract_term": "3年",
          "service_fee": "5000"}


def test_agency_drafts_submits_and_province_publishes_with_review_form(world, client):
    client.force_login(world.agency_a1)
    response = client.post(reverse("projects:project_create"), FIELDS)
    project = JobProject.objects.get(name="日本建筑项目")
    assert response.status_code == 302 and project.status == ProjectStatus.DRAFT
    # Not published: the unit does not see it yet.
    client.force_login(world.unit_u1)
    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == 404
    client.force_login(world.agency_a1)
    client.post(reverse("projects:project_submit", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED

    client.force_login(world.province)
    url = reverse("projects:project_review", args=[project.pk])
    response = client.post(url, {"a-review_no": "", "approve": "1"})
    assert "此项必填" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    response = client.post(url, {"a-review_no": "晋商审〔2020〕7号", "a-review_form": pdf("审查表.pdf"),
                                 "approve": "1"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLISHED and project.review_no == "晋商审〔2020〕7号"
    assert project.review_form.read().startswith(b"%PDF") and project.published_at
    client.force_login(world.unit_u1)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "日本建筑项目" in page and "月薪18万日元" in page
    assert reverse("projects:review_form_download", args=[project.pk]) not in page


def test_review_form_must_be_a_document(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from apps.projects.forms import ApproveForm
    form = ApproveForm({"review_no": "1"}, {"review_form": SimpleUploadedFile("x.pdf", b"MZ..")})
    assert not form.is_valid() and "文件类型不受支持" in str(form.errors)


def test_province_returns_with_reason_and_cannot_approve_a_draft(world):
    project = services.project_draft(agency=world.a1, actor=world.agency_a1, **{
        **FIELDS, "service_fee": None})
    with pytest.raises(ValidationError):
        services.project_approve(project, review_no="1", review_form=pdf(), actor=world.province)
    services.project_submit(project, actor=world.agency_a1)
    services.project_return(project, reason="薪资描述夸大", actor=world.province)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT and project.return_reason == "薪资描述夸大"


def test_unit_docks_with_agreement_once_and_agency_sees_it(world, client):
    client.force_login(world.unit_u2)
    url = reverse("projects:project_dock", args=[world.project_a1.pk])
    response = client.post(url, {"planned": 5, "signed_on": "2020-05-06",
                                 "agreement": pdf("协议.pdf")})
    assert response.status_code == 302
    docking = ProjectDocking.objects.get(unit=world.u2)
    assert docking.city == world.ty and docking.agreement_name == "协议.pdf"
    again = client.post(url, {"planned": 5})
    assert "已对接该项目" in again.content.decode()
    assert ProjectDocking.objects.filter(unit=world.u2).count() == 1
    client.force_login(world.agency_a1)
    page = client.get(reverse("projects:project_detail", args=[world.project_a1.pk])).content.decode()
    assert "太原学院" in page
    got = client.get(reverse("projects:docking_agreement", args=[docking.pk]))
    assert got.status_code == 200
    # The other unit of the same city does not see u2's docking agreement.
    client.force_login(world.unit_u1)
    assert client.get(reverse("projects:docking_agreement", args=[docking.pk])).status_code == 404


def test_city_docks_for_itself(world, client):
    client.force_login(world.city_ty)
    client.post(reverse("projects:project_dock", args=[world.project_a1.pk]), {"planned": 3})
    assert ProjectDocking.objects.get(city=world.ty, unit=None).planned == 3


def test_filled_and_remaining_headcount_count_departures(world):
    walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1)
    other = register(world.unit_u1, name="李四", sex="女", id_number=make_id(region="140105", birth=date(1990, 1, 1), seq="122"))
    candidacy_open(person=other, project=world.project_a1, actor=world.unit_u1, on=date(2026, 3, 2))
    project = selectors.project_get(world.province, world.project_a1.pk)
    assert (project.headcount, project.applied, project.filled, project.remaining) == (30, 2, 1, 29)


def test_project_list_query_count_independent_of_rows(world, client, django_assert_max_num_queries):
    client.force_login(world.province)
    with django_assert_max_num_queries(8) as before:
        client.get(reverse("projects:project_list"))
    for i in range(20):
        JobProject.objects.create(agency=world.a1, name=f"p{i}", country="日本", trade="介护",
                                  headcount=3)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("projects:project_list"))
