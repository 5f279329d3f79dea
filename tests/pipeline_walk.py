"""Carry a candidacy through the stages with the real service, as the users would."""
from datetime import timedelta
from decimal import Decimal

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
        if stage == Stage.TRAINING:
            c = train(c, unit_user=unit_user, on=on, result=result,
                      certificate=details.get("certificate_no", ""))
        else:
            c = candidacy_record(c, stage=stage, result=result, on=on, actor=actor,
                                 **{**details, **(overrides if stage == Stage.DEPARTURE else {})})
        if final:
            return c
    return c



def train(candidacy, *, unit_user, on, result=Result.PASS, certificate="C001", hours=100):
    """A 培训 result the way a unit records it: in an intensive class that opened a few days
    before ``on`` and ends on it, with hours attended (the class's rule, docs/TIME-RULES.md)."""
    from apps.training import services as training
    from apps.training.models import ClassStatus, Enrolment
    opens = on - timedelta(days=3)
    enrolment = Enrolment.objects.filter(candidacy=candidacy).select_related(
        "training_class").first()
    if enrolment is None:
        cls = training.class_create(
            actor=unit_user, kind="intensive", name=f"强化班{on:%Y%m%d}", mode="alone",
            opens_on=opens, course_starts_on=opens, ends_on=on, place="实训楼", courses="日语",
            timetable="每天8课时", hours_per_week=Decimal(40))
        (enrolment,) = training.enrol(cls, actor=unit_user, candidacies=[candidacy])
    cls = enrolment.training_class
    if cls.status == ClassStatus.PLANNED:
        if (cls.opens_on, cls.ends_on) != (opens, on):
            cls = training.class_plan_move(cls, actor=unit_user, reason="按实际培训安排调整",
                                           opens_on=opens, course_starts_on=opens, ends_on=on)
        if not cls.roster_filed_at:
            cls = training.roster_file(cls, actor=unit_user)
        cls = training.class_open(cls, actor=unit_user, on=opens)
    training.results_record(cls, actor=unit_user, on=on, rows=[
        (enrolment, Decimal(hours), result, certificate if result == Result.PASS else "")])
    candidacy.refresh_from_db()
    return candidacy
