"""Carry a candidacy through the stages with the real service, as the users would."""
from datetime import timedelta

from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record

STEPS = [
    (Stage.FIRST_INTERVIEW, Result.PASS, {}),
    (Stage.MEDICAL, Result.PASS, {"hospital": "县人民医院"}),
    (Stage.SECOND_INTERVIEW, Result.PASS, {}),
    (Stage.CONTRACT, Result.SIGNED, {"contract_trade": "介护", "contract_term": "3年"}),
    (Stage.TRAINING, Result.PASS, {"certificate_no": "C001"}),
    (Stage.DEPARTURE, Result.DEPARTED, {"passport_no": "E12345678", "residence_status_no": "R1",
                                        "country": "日本", "departure_trade": "介护",
                                        "employer": "さくら"}),
]


def walk(candidacy, *, unit_user, agency_user, until=Stage.DEPARTURE, start=None, step_days=10,
         last_result=None, **overrides):
    """Record stages up to ``until`` (its result ``last_result`` if given), step_days apart."""
    on = start or candidacy.stage_on
    c = candidacy
    for stage, result, details in STEPS:
        on = on + timedelta(days=step_days)
        actor = agency_user if stage in (Stage.CONTRACT, Stage.DEPARTURE) else unit_user
        if stage == Stage.FIRST_INTERVIEW:
            actor = agency_user
        final = stage == until
        if final and last_result:
            result = last_result
            details = {"not_departed_reason": "签证未获批"} if result == Result.NOT_DEPARTED else {}
        c = candidacy_record(c, stage=stage, result=result, on=on, actor=actor,
                             **{**details, **(overrides if stage == Stage.DEPARTURE else {})})
        if final:
            return c
    return c

