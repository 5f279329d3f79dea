"""Implausible gaps between stages are questioned on every path (docs/TIME-RULES.md): beyond
the province's limit a stage is recorded only with a reason, kept on the event and audited;
the batch form and the 花名表 upload, which cannot carry a reason, refuse the row and say where
to record it."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Candidacy, Result, Stage, StageEvent, StageGapLimit
from apps.pipeline.services import (
    GapNeedsReason, candidacy_open, candidacy_record, session_create, session_record,
)
from apps.rosters.services import CommitRefused, upload_commit
from tests.pipeline_walk import walk
from tests.rosters.test_roster_roundtrip import errors, exported, receive, tick
from tests.training.test_classes import people

DEPARTURE = {"passport_no": "E22345678", "residence_status_no": "R9", "country": "日本",
             "departure_trade": "介护", "employer": "株式会社さくら"}


@pytest.fixture
def trained_in_2020(world):
    """Trained in spring 2020 (the plan's first year); not yet departed."""
    (p,) = people(world.unit_u1, 1, 900)
    c = candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1,
                       on=date(2020, 3, 2))
    return walk(c, unit_user=world.unit_u1, agency_user=world.agency_a1, until=Stage.TRAINING)


def test_a_departure_six_years_after_training_is_questioned(world, trained_in_2020):
    """The issue: a departure six years after training was accepted without a question."""
    c = trained_in_2020
    with pytest.raises(GapNeedsReason, match="超过省定上限12个月"):
        candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED, on=date(2026, 6, 1),
                         actor=world.agency_a1, **DEPARTURE)
    with pytest.raises(GapNeedsReason):  # blank is no reason
        candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED, on=date(2026, 6, 1),
                         actor=world.agency_a1, gap_reason="   ", **DEPARTURE)
    assert not c.events.filter(stage=Stage.DEPARTURE).exists()
    # Within the limit: no question.
    c = candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED, on=date(2020, 9, 1),
                         actor=world.agency_a1, **DEPARTURE)
    assert "gap_reason" not in c.events.get(stage=Stage.DEPARTURE).details


def test_the_person_page_asks_the_reason_and_keeps_it_in_the_history(world, trained_in_2020,
                                                                      client):
    c = trained_in_2020
    client.force_login(world.agency_a1)
    url = reverse("pipeline:candidacy_record", args=[c.pk])
    data = {"result": "departed", "happened_on": "2026-06-01", **DEPARTURE}
    response = client.post(url, data)
    assert response.status_code == 200 and "超过省定上限12个月" in response.content.decode()
    assert "间隔超限说明" in response.content.decode()
    assert not c.events.filter(stage=Stage.DEPARTURE).exists()
    response = client.post(url, {**data, "gap_reason": "疫情期间日本停止入境，2026年恢复派遣"})
    assert response.status_code == 302
    event = c.events.get(stage=Stage.DEPARTURE)
    assert event.details["gap_reason"] == "疫情期间日本停止入境，2026年恢复派遣"
    audit = AuditEvent.objects.get(action=AuditAction.GAP_CONFIRM, object_id=str(event.pk))
    assert audit.actor == world.agency_a1 and audit.ip == "127.0.0.1"
    assert "疫情期间" in audit.detail
    page = client.get(reverse("registry:person_detail", args=[c.person_id])).content.decode()
    assert "间隔超限说明：疫情期间日本停止入境" in page


def test_the_batch_form_refuses_a_row_beyond_the_limit_and_says_where_to_go(world, client):
    c = world.cand_ty
    Candidacy.objects.filter(pk=c.pk).update(stage_on=date(2024, 1, 2))  # registered in 2024
    session = session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW,
                             project=world.project_a1, held_on=date(2026, 3, 9), place="视频",
                             unit=world.u1, city=world.ty)
    with pytest.raises(ValidationError, match="请在该人员页面单独录入"):
        session_record(session, actor=world.unit_u1, rows=[(c, Result.PASS, {})])
    client.force_login(world.unit_u1)
    response = client.post(reverse("pipeline:session_detail", args=[session.pk]),
                           {f"result-{c.pk}": "pass"})
    body = response.content.decode()
    assert response.status_code == 400 and "超过省定上限12个月" in body and "人员页面" in body
    assert not StageEvent.objects.filter(candidacy=c, stage=Stage.FIRST_INTERVIEW).exists()


def test_an_upload_row_beyond_the_limit_is_refused_in_the_preview_and_at_commit(world, client):
    c = world.cand_ty
    data = tick(exported(client, world.unit_u1, world), {"D5": "√"})  # 初试 合格
    clean = receive(world.unit_u1, data, on=date(2026, 3, 9))
    assert clean.error_count == 0, clean.preview
    Candidacy.objects.filter(pk=c.pk).update(stage_on=date(2024, 1, 2))
    (message,) = errors(receive(world.unit_u1, data, on=date(2026, 3, 9)))
    assert message.startswith("第5行") and "超过省定上限12个月" in message
    assert "请在该人员页面单独录入" in message
    # The clean preview made before the record changed cannot be committed either.
    with pytest.raises(CommitRefused):
        upload_commit(clean, actor=world.unit_u1)
    assert not StageEvent.objects.filter(candidacy=c, stage=Stage.FIRST_INTERVIEW).exists()


def test_the_limits_are_the_provinces_data(world, trained_in_2020, client):
    client.force_login(world.unit_u1)
    url = reverse("pipeline:gap_limits")
    assert "输出" in client.get(url).content.decode()
    assert client.post(url, {"months_departure": "120"}).status_code == 403
    client.force_login(world.province)
    response = client.post(url, {"months_departure": "0"})
    assert response.status_code == 400 and "1到240个月" in response.content.decode()
    client.post(url, {"months_departure": "84"})
    assert StageGapLimit.objects.get(stage=Stage.DEPARTURE).months == 84
    assert AuditEvent.objects.filter(action=AuditAction.GAP_LIMIT, actor=world.province,
                                     detail__contains="12 → 84").exists()
    # Seven years allowed now: the same departure needs no question.
    c = candidacy_record(trained_in_2020, stage=Stage.DEPARTURE, result=Result.DEPARTED,
                         on=date(2026, 6, 1), actor=world.agency_a1, **DEPARTURE)
    assert c.departed_on == date(2026, 6, 1)
