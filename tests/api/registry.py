"""Every API endpoint, how to call it, which grant it needs and who may: the registry behind
the endpoint × client grant × own/foreign walk (tests/api/test_api_matrix.py).

The order of refusals is the API's: no grant → 403; an object outside the client's scope →
404 (the same for missing and not yours); a role the page would refuse → 403."""
from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from django.utils import timezone

from apps.accounts.models import Role
from apps.api.models import Grant

P, C, U, A = Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY
CLIENTS = frozenset({P, C, U, A})


@dataclass(frozen=True)
class ApiCase:
    grant: Optional[str]                   # None: any authorised client (the schema)
    method: str = "get"
    roles: frozenset = CLIENTS             # roles whose client may do it (others: 403)
    own: Optional[Callable] = None         # world -> kwargs of a 太原-side object
    foreign: Optional[Callable] = None     # world -> kwargs of a 大同-side object
    data: Optional[Callable] = None        # world, side -> JSON body
    ok: int = 200
    sees_foreign: frozenset = frozenset({P})
    target: Optional[Callable] = None      # world, side -> object a refused write must not change


def _new_person_body(w, side):
    from apps.registry.idnumber import make_id
    return {"name": "李四", "sex": "女", "category": "学生", "phone": "13600001111",
            "id_number": make_id(region="140105", birth=date(1999, 2, 3), seq="124"),
            "registered_on": timezone.localdate().isoformat()}


def _open_body(w, side):
    """A person of the side with no open candidacy, for 报名 on 太原's published project."""
    from tests.audit.walk import new_person
    person = new_person(w) if side == "own" else w.person_dt
    return {"person": person.pk, "project": w.project_a1.pk, "happened_on": "2026-03-05"}


def _first_interview(w, side):
    return {"stage": "first_interview", "result": "pass", "happened_on": "2026-03-10"}


def pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


API_ROUTES: dict[str, ApiCase] = {
    "api:schema": ApiCase(None),
    "api:city_list": ApiCase(Grant.REFERENCE),
    "api:city_detail": ApiCase(Grant.REFERENCE, own=pk("ty"), foreign=pk("dt")),
    "api:unit_list": ApiCase(Grant.REFERENCE),
    "api:unit_detail": ApiCase(Grant.REFERENCE, own=pk("u1"), foreign=pk("u3")),
    "api:agency_list": ApiCase(Grant.REFERENCE),
    "api:agency_detail": ApiCase(Grant.REFERENCE, own=pk("a1"), foreign=pk("a2")),
    "api:project_list": ApiCase(Grant.REFERENCE),
    "api:project_detail": ApiCase(Grant.REFERENCE, own=pk("project_a1"), foreign=pk("project_a2")),
    "api:task_list": ApiCase(Grant.REFERENCE),
    "api:person_list": ApiCase(Grant.PEOPLE_READ),
    "api:person_detail": ApiCase(Grant.PEOPLE_READ, own=pk("person_ty"), foreign=pk("person_dt")),
    "api:candidacy_list": ApiCase(Grant.PIPELINE_READ),
    "api:candidacy_detail": ApiCase(Grant.PIPELINE_READ, own=pk("cand_ty"), foreign=pk("cand_dt")),
    "api:stage_record": ApiCase(Grant.STAGES_WRITE, method="post", roles=frozenset({C, U, A}),
                                own=pk("cand_ty"), foreign=pk("cand_dt"), data=_first_interview,
                                ok=201, target=lambda w, side: w.cand_ty if side == "own"
                                else w.cand_dt),
    "api:stage_event_list": ApiCase(Grant.PIPELINE_READ),
    "api:abroad_list": ApiCase(Grant.PIPELINE_READ),
    "api:return_list": ApiCase(Grant.PIPELINE_READ),
    "api:deadline_item_list": ApiCase(Grant.DEADLINES_READ),
    "api:departure_figure_list": ApiCase(Grant.FIGURES_READ),
}

# Writes on a list URL (POST), walked beside its reads.
API_WRITES: dict[str, ApiCase] = {
    "api:person_list": ApiCase(Grant.PEOPLE_WRITE, method="post", roles=frozenset({C, U}),
                               data=_new_person_body, ok=201),
    # Own: a new 山西大学 person; foreign: the 大同 sentinel (the body names the object).
    "api:candidacy_list": ApiCase(Grant.STAGES_WRITE, method="post", roles=frozenset({C, U}),
                                  own=lambda w: None, foreign=lambda w: None, data=_open_body,
                                  ok=201, target=lambda w, side: w.person_dt
                                  if side == "foreign" else None),
}
