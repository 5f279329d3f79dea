"""The allowed moves of a case, as data, and who may make them (one place for both)."""
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.models import Role
from apps.complaints.models import RUNNING_STATES, Level, State, StepAction

A, S = StepAction, State
RESUMED = None  # resume returns to the state the hold left

# action -> (states it may start from, state it leads to)
MOVES = {
    A.ACCEPT: ({S.RECEIVED}, S.ACCEPTED),
    A.REFUSE: ({S.RECEIVED}, S.OUT_OF_SCOPE),
    A.TRANSFER: ({S.ACCEPTED}, S.WITH_AGENCY),
    A.REPLY: ({S.WITH_AGENCY}, S.MEDIATION),
    A.MEDIATE: ({S.ACCEPTED, S.WITH_AGENCY}, S.MEDIATION),
    A.HOLD: (set(RUNNING_STATES), S.ON_HOLD),
    A.RESUME: ({S.ON_HOLD}, RESUMED),
    A.RESOLVE: (set(RUNNING_STATES), S.RESOLVED),
    A.CLOSE: ({S.RESOLVED, S.OUT_OF_SCOPE}, S.CLOSED),
    A.REOPEN: ({S.RESOLVED, S.CLOSED}, S.MEDIATION),
}
# Changes that move no state: allowed while the case is not closed.
EDITS = {A.EDIT, A.OFFICERS, A.EVIDENCE}
# The agency replies; everything else is done by the level handling the case.
AGENCY_ACTIONS = {A.REPLY}

NEXT_LEVEL = {Level.UNIT: Level.CITY, Level.CITY: Level.PROVINCE}


class InvalidTransition(ValidationError):
    def __init__(self, complaint, action):
        super().__init__(f"当前状态为“{complaint.get_state_display()}”，不能"
                         f"“{StepAction(action).label}”。")


def target(complaint, action) -> str:
    """The state ``action`` leads to from the case's state, or InvalidTransition."""
    sources, to = MOVES[action]
    if complaint.state not in sources:
        raise InvalidTransition(complaint, action)
    return complaint.held_from_state if to is RESUMED else to


def handles(user, complaint) -> bool:
    """The level handling the case, or a level above it in the same line (the city over its
    units' cases, the province over all): after an escalation the lower level no longer may."""
    if user.role == Role.PROVINCE:
        return True
    if user.role == Role.CITY:
        return complaint.city_id == user.city_id
    if user.role == Role.UNIT:
        return complaint.level == Level.UNIT and complaint.unit_id == user.unit_id
    return False


def replies(user, complaint) -> bool:
    return user.role == Role.AGENCY and complaint.transferred_to_id == user.agency_id


def may(user, complaint, action) -> bool:
    if action in AGENCY_ACTIONS:
        return replies(user, complaint)
    if action == A.EVIDENCE:
        return (handles(user, complaint) or replies(user, complaint)
                or complaint.filed_by_id == user.pk)
    return handles(user, complaint)


def require(user, complaint, action) -> None:
    if not may(user, complaint, action):
        raise PermissionDenied("您不是该案件当前的办理单位，不能进行此操作。")


def available(user, complaint) -> list[str]:
    """The moves ``user`` may make now: the buttons of the detail page."""
    return [a for a, (sources, _) in MOVES.items()
            if complaint.state in sources and may(user, complaint, a)]
