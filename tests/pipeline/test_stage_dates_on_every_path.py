"""A stage is never dated in the future nor before the previous stage, whichever path records
it (docs/TIME-RULES.md): the person page, the session's batch form, the 花名表 upload, the
withdrawal page. The service holds the rule; these attack each path with a forged date."""
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from apps.pipeline.models import Candidacy, CandidacyStatus, Stage, StageEvent
from apps.pipeline.services import session_create
from tests.rosters.test_roster_roundtrip import errors, exported, receive, tick


def _first_interviews(c):
    return StageEvent.objects.filter(candidacy=c, stage=Stage.FIRST_INTERVIEW)


def test_the_person_page_refuses_a_forged_future_or_earlier_date(world, client):
    c = world.cand_ty
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_record", args=[c.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = client.post(url, {"result": "pass", "happened_on": f"{tomorrow:%Y-%m-%d}"}).content.decode()
    assert "不能晚于今天" in body
    before = c.stage_on - timedelta(days=1)
    body = client.post(url, {"result": "pass", "happened_on": f"{before:%Y-%m-%d}"}).content.decode()
    assert "不能早于上一环节日期" in body
    assert not _first_interviews(c).exists()


def test_the_batch_form_of_a_session_scheduled_ahead_records_nothing_yet(world, client):
    held = timezone.localdate() + timedelta(days=7)  # scheduling ahead is fine; results are not
    session = session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW,
                             project=world.project_a1, held_on=held, place="视频",
                             unit=world.u1, city=world.ty)
    client.force_login(world.unit_u1)
    response = client.post(reverse("pipeline:session_detail", args=[session.pk]),
                           {f"result-{world.cand_ty.pk}": "pass"})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert not _first_interviews(world.cand_ty).exists()


def test_the_upload_refuses_a_stage_date_ahead_or_before_the_previous_stage(world, client):
    data = tick(exported(client, world.unit_u1, world), {"D5": "√"})
    (message,) = errors(receive(world.unit_u1, data, on=timezone.localdate() + timedelta(days=1)))
    assert message.startswith("第5行") and "不能晚于今天" in message
    c = Candidacy.objects.get(pk=world.cand_ty.pk)
    (message,) = errors(receive(world.unit_u1, data, on=c.stage_on - timedelta(days=1)))
    assert "不能早于上一环节日期" in message
    assert not _first_interviews(c).exists()


def test_the_withdrawal_page_refuses_a_future_date(world, client):
    client.force_login(world.unit_u1)
    url = reverse("pipeline:candidacy_withdraw", args=[world.cand_ty.pk])
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = client.post(url, {"happened_on": f"{tomorrow:%Y-%m-%d}", "reason": "个人原因"}
                       ).content.decode()
    assert "不能晚于今天" in body
    assert Candidacy.objects.get(pk=world.cand_ty.pk).status == CandidacyStatus.ACTIVE


def test_registration_is_not_dated_ahead(world, client):
    from apps.pipeline.models import Candidacy as C
    person = world.person_ty
    C.objects.filter(person=person).update(status=CandidacyStatus.ENDED)  # free to apply again
    client.force_login(world.unit_u1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = client.post(reverse("pipeline:candidacy_open", args=[person.pk]), {
        "project": world.project_a1.pk, "happened_on": f"{tomorrow:%Y-%m-%d}"}).content.decode()
    assert "不能晚于今天" in body
    assert C.objects.filter(person=person).count() == 1
