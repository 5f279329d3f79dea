"""Issue 19 item 5: a returnee in good standing registers for a new project with their earlier
screening and contracts shown; one whose return was their own breach waits for the agency's
decision before any stage is recorded."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import Notice
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.pipeline.services import (
    InvalidTransition, candidacy_open, candidacy_record, candidacy_rejoin_decide,
)
from tests.returnees.conftest import returned

TODAY = timezone.localdate


def _again(w, c):
    return candidacy_open(person=c.person, project=w.project_a1, actor=w.unit_u1, on=TODAY())


def test_a_returnee_in_good_standing_registers_with_the_earlier_records_shown(world, client):
    c = returned(world, "再出甲", 61)
    client.force_login(world.unit_u1)
    page = client.get(reverse("pipeline:candidacy_open", args=[c.person_id])).content.decode()
    assert "以往报名与出国记录" in page and "合同期满回国" in page and "日本介护项目" in page
    again = _again(world, c)
    assert again.rejoin_review == ""
    candidacy_record(again, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=TODAY(),
                     actor=world.agency_a1)


def test_a_breach_returnee_waits_for_the_agencys_decision(world, client):
    c = returned(world, "再出乙", 62, return_kind="early", return_cause="worker_breach",
                 return_reason="擅自离开雇主")
    again = _again(world, c)
    assert again.rejoin_review == "pending"
    assert Notice.objects.filter(owner_role="agency", agency=world.a1,
                                 text__contains="再出乙").exists()
    with pytest.raises(InvalidTransition, match="须先由输出机构决定"):
        candidacy_record(again, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=TODAY(),
                         actor=world.agency_a1)
    # The unit cannot decide; the other agency cannot see it; a decision needs its reason.
    client.force_login(world.unit_u1)
    assert client.get(reverse("pipeline:candidacy_rejoin", args=[again.pk])).status_code == 403
    client.force_login(world.agency_a2)
    assert client.post(reverse("pipeline:candidacy_rejoin", args=[again.pk]),
                       {"decision": "accept", "note": "同意"}).status_code == 404
    with pytest.raises(ValidationError):
        candidacy_rejoin_decide(again, actor=world.agency_a1, accept=True, note=" ")
    client.force_login(world.agency_a1)
    form = client.get(reverse("pipeline:candidacy_rejoin", args=[again.pk])).content.decode()
    assert "劳务人员违约或擅自脱离" in form and "擅自离开雇主" in form
    response = client.post(reverse("pipeline:candidacy_rejoin", args=[again.pk]),
                           {"decision": "accept", "note": "本人已说明原因，同意"})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.rejoin_review == "accepted" and again.rejoin_note == "本人已说明原因，同意"
    candidacy_record(again, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=TODAY(),
                     actor=world.agency_a1)
    # A replayed decision is refused.
    with pytest.raises(InvalidTransition):
        candidacy_rejoin_decide(again, actor=world.agency_a1, accept=False, note="改变主意")


def test_a_refused_returnee_is_ended_with_the_reason(world):
    c = returned(world, "再出丙", 63, return_kind="early", return_cause="worker_breach",
                 return_reason="逃跑")
    again = candidacy_rejoin_decide(_again(world, c), actor=world.agency_a1, accept=False,
                                    note="多次违约")
    assert again.status == CandidacyStatus.ENDED and "多次违约" in again.end_reason
    # The person may register again later (a new pass), still reviewed.
    assert _again(world, Candidacy.objects.get(pk=c.pk)).rejoin_review == "pending"


def test_only_the_last_return_decides(world):
    """A breach long ago, then a completed contract: good standing."""
    first = returned(world, "再出丁", 64, return_kind="early", return_cause="worker_breach",
                     return_reason="擅自离开", days_ago=400)
    again = candidacy_rejoin_decide(_again(world, first), actor=world.agency_a1, accept=True,
                                    note="同意")
    Candidacy.objects.filter(pk=again.pk).update(
        status="returned", departed_on=date(2026, 1, 5), returned_on=TODAY(),
        return_kind="completed", stage="return", result="returned")
    assert _again(world, first).rejoin_review == ""
