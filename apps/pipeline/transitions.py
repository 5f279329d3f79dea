"""The pipeline's rules as data: order, results, endings, who records what, what each needs."""
from apps.accounts.models import Role
from apps.pipeline.models import CandidacyStatus, Result, Stage

ORDER = [Stage.REGISTERED, Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW,
         Stage.CONTRACT, Stage.TRAINING, Stage.DEPARTURE, Stage.RETURN]

# Stages only move forward, one at a time.
NEXT = {stage: ORDER[i + 1] for i, stage in enumerate(ORDER[:-1])}

RESULTS = {
    Stage.FIRST_INTERVIEW: [Result.PASS, Result.FAIL, Result.ABSENT],
    Stage.MEDICAL: [Result.PASS, Result.FAIL, Result.ABSENT],
    Stage.SECOND_INTERVIEW: [Result.PASS, Result.FAIL, Result.ABSENT],
    Stage.CONTRACT: [Result.SIGNED, Result.NOT_SIGNED],
    Stage.TRAINING: [Result.PASS, Result.FAIL, Result.INCOMPLETE],
    Stage.DEPARTURE: [Result.DEPARTED, Result.NOT_DEPARTED],
    Stage.RETURN: [Result.RETURNED],
}

# A terminal result ends the candidacy; the person may start another one later.
TERMINAL = {Result.FAIL, Result.ABSENT, Result.NOT_SIGNED, Result.INCOMPLETE,
            Result.NOT_DEPARTED}

# The status a result leads to (a result not listed keeps the candidacy active).
STATUS_AFTER = {Result.DEPARTED: CandidacyStatus.ABROAD,
                Result.RETURNED: CandidacyStatus.RETURNED,
                **{result: CandidacyStatus.ENDED for result in TERMINAL}}

# Who records which stage (SPEC §4): the agency decides 初试 and joins 复试.
RECORDERS = {
    Stage.REGISTERED: {Role.UNIT, Role.CITY},
    Stage.FIRST_INTERVIEW: {Role.UNIT, Role.CITY, Role.AGENCY},
    Stage.MEDICAL: {Role.UNIT, Role.CITY},
    Stage.SECOND_INTERVIEW: {Role.UNIT, Role.CITY, Role.AGENCY},
    Stage.CONTRACT: {Role.AGENCY},
    Stage.TRAINING: {Role.UNIT},
    Stage.DEPARTURE: {Role.AGENCY},
    Stage.RETURN: {Role.AGENCY},
}

# Details a result needs before it can be recorded (field names of Candidacy or the form).
# The hospital of a medical is kept when given but not required: the official 花名表,
# through which units also report results, has no column for it.
REQUIRED = {
    (Stage.CONTRACT, Result.SIGNED): ["contract_trade", "contract_term"],
    (Stage.TRAINING, Result.PASS): ["certificate_no"],
    (Stage.DEPARTURE, Result.DEPARTED): ["passport_no", "residence_status_no", "country",
                                         "departure_trade", "employer"],
    (Stage.DEPARTURE, Result.NOT_DEPARTED): ["not_departed_reason"],
    # A return's kind, cause, reporter and check: apps.pipeline.returns.return_details.
}

# Stages a session can be scheduled for.
SESSION_STAGES = [Stage.FIRST_INTERVIEW, Stage.MEDICAL, Stage.SECOND_INTERVIEW, Stage.DEPARTURE]

# Withdrawing once a contract is signed is a breach (中途退出视为违约).
BREACH_FROM = ORDER.index(Stage.CONTRACT)


def next_stage(stage):
    return NEXT.get(stage)


def is_breach(stage, result) -> bool:
    at = ORDER.index(stage)
    return at > BREACH_FROM or (at == BREACH_FROM and result == Result.SIGNED)
