"""The pipeline's moves: allowed, forbidden, terminal, breach; random sequences; races."""
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from tests.pipeline_walk import train
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from apps.accounts.models import Role
from apps.pipeline import transitions
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage, StageEvent
from apps.pipeline.services import (
    InvalidTransition, candidacy_open, candidacy_record, candidacy_withdraw, session_record,
)

D = date(2026, 3, 2)

DETAILS = {
    (Stage.MEDICAL, Result.PASS): {"hospital": "太原市人民医院"},
    (Stage.MEDICAL, Result.FAIL): {"hospital": "太原市人民医院"},
    (Stage.CONTRACT, Result.SIGNED): {"contract_trade": "介护", "contract_term": "3年",
                                      "service_fee": 12000, "loan_applied": True},
    (Stage.TRAINING, Result.PASS): {"certificate_no": "SX2026-0001"},
    (Stage.DEPARTURE, Result.DEPARTED): {"passport_no": "E12345678",
                                         "residence_status_no": "AB1234567CD",
                                         "country": "日本", "departure_trade": "介护",
                                         "employer": "株式会社さくら"},
    (Stage.DEPARTURE, Result.NOT_DEPARTED): {"not_departed_reason": "签证未获批"},
    (Stage.RETURN, Result.RETURNED): {"return_kind": "completed", "return_reason": "合同期满",
                                      "return_reported_by": "agency",
                                      "return_verified_by": "passport",
                                      "return_phone": "13800005678"},
}


def actor_for(world, stage):
    """A 太原-side user allowed to record the stage."""
    roles = transitions.RECORDERS[stage]
    for role in (Role.UNIT, Role.AGENCY, Role.CITY):
        if role in roles:
            return world.by_role[role]


def record(world, c, stage, result, day):
    return candidacy_record(c, stage=stage, result=result, on=day,
                            actor=actor_for(world, stage), **DETAILS.get((stage, result), {}))


def test_a_person_goes_from_registration_to_return(world):
    c = world.cand_ty
    path = [(Stage.FIRST_INTERVIEW, Result.PASS), (Stage.MEDICAL, Result.PASS),
            (Stage.SECOND_INTERVIEW, Result.PASS), (Stage.CONTRACT, Result.SIGNED),
            (Stage.TRAINING, Result.PASS), (Stage.DEPARTURE, Result.DEPARTED)]
    for i, (stage, result) in enumerate(path, start=1):
        if stage == Stage.TRAINING:  # in the person's class, as the class's rule wants
            c = train(c, unit_user=world.unit_u1, on=D + timedelta(days=i),
                      certificate="SX2026-0001")
            continue
        c = record(world, c, stage, result, D + timedelta(days=i))
    assert (c.status, c.country, c.departed_on) == (CandidacyStatus.ABROAD, "日本",
                                                     D + timedelta(days=6))
    c.person.refresh_from_db()
    assert c.person.passport_no == "E12345678" and c.person.passport_masked == "E*****678"
    c = record(world, c, Stage.RETURN, Result.RETURNED, D + timedelta(days=250))
    assert c.status == CandidacyStatus.RETURNED and c.return_phone == "13800005678"
    assert list(c.events.values_list("stage", flat=True)) == transitions.ORDER
    # The event's JSON never holds the passport or the phone.
    assert all("E12345678" not in str(e.details) and "13800005678" not in str(e.details)
               for e in c.events.all())


def test_stages_cannot_be_skipped_or_repeated(world):
    with pytest.raises(InvalidTransition, match="下一环节应为“初试”"):
        record(world, world.cand_ty, Stage.MEDICAL, Result.PASS, D)
    record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, D)
    with pytest.raises(InvalidTransition):
        record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, D)
    assert world.cand_ty.events.count() == 2


def test_each_stage_only_by_its_roles(world):
    record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, D)
    with pytest.raises(PermissionDenied, match="体检"):
        candidacy_record(world.cand_ty, stage=Stage.MEDICAL, result=Result.PASS, on=D,
                         actor=world.agency_a1, hospital="x")
    for stage, result in [(Stage.MEDICAL, Result.PASS), (Stage.SECOND_INTERVIEW, Result.PASS)]:
        record(world, world.cand_ty, stage, result, D)
    with pytest.raises(PermissionDenied, match="合同"):
        candidacy_record(world.cand_ty, stage=Stage.CONTRACT, result=Result.SIGNED, on=D,
                         actor=world.unit_u1, contract_trade="介护", contract_term="3年")


def test_a_foreign_candidacy_cannot_be_recorded(world):
    with pytest.raises(PermissionDenied):
        candidacy_record(world.cand_dt, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=D,
                         actor=world.unit_u1)
    assert world.cand_dt.events.count() == 1


def test_result_date_and_details_are_checked(world):
    with pytest.raises(ValidationError, match="不能是“签订”"):
        record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.SIGNED, D)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, date(2099, 1, 1))
    with pytest.raises(ValidationError, match="不能早于上一环节日期"):
        record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, D - timedelta(days=1))
    for stage in (Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW):
        record(world, world.cand_ty, stage, Result.PASS, D)
    with pytest.raises(ValidationError) as error:
        candidacy_record(world.cand_ty, stage=Stage.CONTRACT, result=Result.SIGNED, on=D,
                         actor=world.agency_a1, contract_trade="介护")
    assert error.value.message_dict == {"contract_term": ["请填写合同期限。"]}


def test_a_terminal_result_ends_it_and_the_person_may_start_again(world):
    c = record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.ABSENT, D)
    assert c.status == CandidacyStatus.ENDED and c.end_reason == "初试未参加"
    with pytest.raises(InvalidTransition, match="已终止"):
        record(world, c, Stage.MEDICAL, Result.PASS, D)
    again = candidacy_open(person=world.person_ty, project=world.project_a1, actor=world.unit_u1,
                           on=D + timedelta(days=1))
    assert again.pk != c.pk and again.is_open


def test_only_one_open_candidacy_per_person(world):
    with pytest.raises(ValidationError, match="已有进行中的报名"):
        candidacy_open(person=world.person_ty, project=world.project_a1, actor=world.unit_u1)


def test_withdrawal_before_the_contract_is_not_a_breach(world):
    record(world, world.cand_ty, Stage.FIRST_INTERVIEW, Result.PASS, D)
    c = candidacy_withdraw(world.cand_ty, actor=world.unit_u1, on=D, reason="家庭原因")
    assert c.status == CandidacyStatus.WITHDRAWN and not c.breach


def test_withdrawal_after_the_contract_is_a_breach(world):
    c = world.cand_ty
    for stage, result in [(Stage.FIRST_INTERVIEW, Result.PASS), (Stage.MEDICAL, Result.PASS),
                          (Stage.SECOND_INTERVIEW, Result.PASS), (Stage.CONTRACT, Result.SIGNED)]:
        c = record(world, c, stage, result, D)
    c = candidacy_withdraw(c, actor=world.agency_a1, on=D, reason="不愿出国")
    assert c.breach and "违约" in c.end_reason


def test_a_session_records_all_or_nothing(world):
    from tests.conftest import register
    from apps.registry.idnumber import make_id
    other = register(world.unit_u1, name="李四", sex="女",
                     id_number=make_id(birth=date(1999, 1, 1), seq="222"), phone="13800002222")
    c2 = candidacy_open(person=other, project=world.project_a1, actor=world.unit_u1, on=D)
    session = world.session_ty
    with pytest.raises(ValidationError, match="李四"):
        session_record(session, actor=world.unit_u1,
                       rows=[(world.cand_ty, Result.PASS, {}), (c2, Result.SIGNED, {})])
    assert StageEvent.objects.filter(session=session).count() == 0
    session_record(session, actor=world.unit_u1,
                   rows=[(world.cand_ty, Result.PASS, {}), (c2, Result.FAIL, {})])
    assert StageEvent.objects.filter(session=session).count() == 2
    c2.refresh_from_db()
    assert c2.status == CandidacyStatus.ENDED and c2.stage_on == session.held_on


# --- Random sequences ------------------------------------------------------------------------

STAGES = list(transitions.RESULTS)
ATTEMPT = st.tuples(st.sampled_from(STAGES), st.sampled_from(list(Result)),
                    st.sampled_from([Role.UNIT, Role.CITY, Role.AGENCY]))


@hsettings(max_examples=60, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(ATTEMPT, min_size=1, max_size=12))
def test_random_sequences_follow_the_rules(world, attempts):
    """Whatever is tried, the service accepts exactly what the reference model allows."""
    with transaction.atomic():
        c = Candidacy.objects.get(pk=world.cand_ty.pk)
        stage, open_ = Stage.REGISTERED, True
        accepted = 1
        for try_stage, result, role in attempts:
            allowed = (open_ and try_stage == transitions.NEXT.get(stage)
                       and result in transitions.RESULTS[try_stage]
                       and role in transitions.RECORDERS[try_stage])
            try:
                candidacy_record(c, stage=try_stage, result=result, on=D,
                                 actor=world.by_role[role],
                                 **DETAILS.get((try_stage, result), {}))
            except (ValidationError, PermissionDenied):
                assert not allowed, f"refused an allowed move {try_stage} {result} by {role}"
            else:
                assert allowed, f"accepted a forbidden move {try_stage} {result} by {role}"
                accepted += 1
                stage = try_stage
                open_ = result not in transitions.TERMINAL and result != Result.RETURNED
        c.refresh_from_db()
        events = list(c.events.order_by("id").values_list("stage", flat=True))
        assert len(events) == accepted
        assert events == transitions.ORDER[:accepted]
        assert c.stage == stage
        transaction.set_rollback(True)


# --- Two users at once -----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_users_recording_the_same_stage_at_once_one_wins(world):
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user, result):
        try:
            barrier.wait()
            candidacy_record(world.cand_ty, stage=Stage.FIRST_INTERVIEW, result=result, on=D,
                             actor=user)
            outcomes.append("ok")
        except (InvalidTransition, ValidationError) as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(world.unit_u1, Result.PASS)),
               threading.Thread(target=attempt, args=(world.city_ty, Result.FAIL))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and len(outcomes) == 2
    assert StageEvent.objects.filter(candidacy=world.cand_ty,
                                     stage=Stage.FIRST_INTERVIEW).count() == 1
