"""Pipeline pages as users see them: record a stage, batch a session, the 花名表, query counts."""
from datetime import date

import pytest
from django.urls import reverse

from apps.pipeline.models import Candidacy, Result, Stage
from apps.pipeline.roster import COLUMN_COUNT, GROUPS
from apps.pipeline.services import candidacy_open, candidacy_record
from apps.registry.idnumber import make_id, mask_id
from tests.conftest import OWN_ID, register


def test_unit_records_the_first_interview_through_the_form(world, client):
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[world.cand_ty.pk])
    page = client.get(url).content.decode()
    assert "录入初试：张三" in page and "未参加" in page
    response = client.post(url, {"result": "pass", "happened_on": "2026-03-05", "note": ""},
                           follow=True)
    assert "已录入张三的初试：合格" in response.content.decode()
    world.cand_ty.refresh_from_db()
    assert (world.cand_ty.stage, world.cand_ty.result) == (Stage.FIRST_INTERVIEW, Result.PASS)


def test_a_missing_detail_is_named_on_the_form(world, client):
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        candidacy_record(world.cand_ty, stage=stage, result=Result.PASS,
                         on=date(2026, 3, 5), actor=world.unit_u1)
    client.force_login(world.agency_a1)
    body = client.post(reverse("pipeline:candidacy_record", args=[world.cand_ty.pk]),
                       {"result": "signed", "happened_on": "2026-03-06",
                        "contract_trade": "介护"}).content.decode()
    assert "请填写合同期限" in body


def test_unit_cannot_open_the_contract_form(world, client):
    for stage, result, extra in [(Stage.FIRST_INTERVIEW, Result.PASS, {}),
                                 (Stage.MEDICAL, Result.PASS, {"hospital": "医院"}),
                                 (Stage.SECOND_INTERVIEW, Result.PASS, {})]:
        candidacy_record(world.cand_ty, stage=stage, result=result, on=date(2026, 3, 5),
                         actor=world.unit_u1, **extra)
    client.force_login(world.unit_u1)
    assert client.get(reverse("pipeline:candidacy_record", args=[world.cand_ty.pk])).status_code == 403
    client.force_login(world.agency_a1)
    page = client.get(reverse("pipeline:candidacy_record", args=[world.cand_ty.pk])).content.decode()
    assert "录入合同" in page and 'value="介护"' in page  # trade prefilled from the project


def test_batch_recording_a_session(world, client):
    other = register(world.unit_u1, name="李四", sex="女",
                     id_number=make_id(birth=date(1999, 1, 1), seq="222"), phone="13800002222")
    c2 = candidacy_open(person=other, project=world.project_a1, actor=world.unit_u1,
                        on=date(2026, 3, 2))
    client.force_login(world.unit_u1)
    url = reverse("pipeline:session_detail", args=[world.session_ty.pk])
    assert "待录入（2 人）" in client.get(url).content.decode()
    response = client.post(url, {f"result-{world.cand_ty.pk}": "pass",
                                 f"result-{c2.pk}": "absent"}, follow=True)
    assert "已录入 2 人的初试结果" in response.content.decode()
    assert Candidacy.objects.get(pk=c2.pk).status == "ended"


def test_roster_has_exactly_the_form_columns_with_ticks(world, client):
    candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=Result.PASS,
                     on=date(2026, 3, 5), actor=world.unit_u1)
    candidacy_record(world.cand_ty, stage=Stage.MEDICAL, result=Result.FAIL,
                     on=date(2026, 3, 6), actor=world.unit_u1, hospital="太原市人民医院")
    client.force_login(world.unit_u1)
    response = client.get(reverse("pipeline:roster"), {"unit": world.u1.pk})
    rows = response.context["rows"]
    assert COLUMN_COUNT == 30 and [label for label, _ in GROUPS][:4] == ["序号", "姓名", "身份证号", "初试情况"]
    assert rows == [["1", "张三", mask_id(OWN_ID), "√", "", "", "", "√", ""] + [""] * 21]
    body = response.content.decode()
    assert "填报单位（盖章）：山西大学" in body and OWN_ID not in body


PAGES = ["registry:person_list", "registry:reserve_pool", "pipeline:candidacy_list",
         "pipeline:session_list", "pipeline:roster"]


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_do_not_grow_queries_with_rows(world, client, django_assert_max_num_queries, name):
    for i in range(30):
        p = register(world.unit_u1, name=f"人员{i}", sex="男",
                     id_number=make_id(birth=date(1990, 1, 1 + i % 28), seq=f"{100 + i * 2 + 1}"),
                     phone=f"1380000{i:04d}")
        candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 2))
    for user in (world.province, world.unit_u1, world.agency_a1):
        client.force_login(user)
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_person_page_queries_do_not_grow_with_events(world, client, django_assert_max_num_queries):
    for stage, result, extra in [(Stage.FIRST_INTERVIEW, Result.PASS, {}),
                                 (Stage.MEDICAL, Result.PASS, {"hospital": "医院"}),
                                 (Stage.SECOND_INTERVIEW, Result.PASS, {})]:
        candidacy_record(world.cand_ty, stage=stage, result=result, on=date(2026, 3, 5),
                         actor=world.unit_u1, **extra)
    # Two verifications of the 脱贫 status (issue 21): their section is one query, whatever
    # their number.
    from apps.registry.services import person_poverty_verify
    for day in (date(2026, 3, 2), date(2026, 3, 3)):
        person_poverty_verify(world.person_ty, actor=world.city_ty, status="脱贫劳动力",
                              source="national", verified_on=day)
    client.force_login(world.unit_u1)
    with django_assert_max_num_queries(17):
        client.get(reverse("registry:person_detail", args=[world.person_ty.pk]))
