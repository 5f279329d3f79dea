"""Every named URL, how to call it, and who may: the registry behind the URL × role walk.

A URL name missing here (and not in PUBLIC) fails the walk, so no page escapes scoping.
``own`` builds kwargs for an object on the 太原 side of the test world (visible to the 太原
users of tests/conftest.py); ``foreign`` for the same kind of object on the 大同 side.
"""
from dataclasses import dataclass
from typing import Callable, Optional

from apps.accounts.models import Role

P, C, U, A, O = Role.PROVINCE, Role.CITY, Role.UNIT, Role.AGENCY, Role.OBSERVER
SA, SE, AU = Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN
EVERYONE = frozenset(Role.values)
# Every business role; administrators get 403 on every business page (AdminConsoleMiddleware).
ALL = EVERYONE - {SA, SE, AU}
PEOPLE = frozenset({P, C, U, A})


@dataclass(frozen=True)
class Case:
    roles: frozenset                         # roles allowed to use the page (others get 403)
    own: Optional[Callable] = None           # world -> kwargs, object in the 太原-side scope
    foreign: Optional[Callable] = None       # world -> kwargs, object in the 大同-side scope
    method: str = "get"
    data: Optional[Callable] = None          # world -> POST data
    ok: int = 200                            # status for an allowed role on its own object
    foreign_ok: Optional[int] = None         # status where the foreign object is visible
    hidden_own: frozenset = frozenset()      # roles for which even the 太原 object is out of scope
    denied_own: frozenset = frozenset()      # roles that see the 太原 object but may not act: 403
    sees_foreign: frozenset = frozenset({P})  # roles whose scope includes the 大同 object
    target: Optional[Callable] = None        # world, side -> object a POST must not change


def disclosure(w, side: str, status: str = "granted"):
    """A full-number request of the 太原 (own) or 大同 (foreign) side: granted ones by the unit,
    pending ones by the city (made once per world)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.disclosures.models import Disclosure
    key = f"_disclosure_{side}_{status}"
    if not hasattr(w, key):
        own = side == "own"
        granted = status == "granted"
        requester = (w.unit_u1 if own else w.unit_u3) if granted else (
            w.city_ty if own else w.city_dt)
        person = w.person_ty if own else w.person_dt
        now = timezone.now()
        d = Disclosure.objects.create(
            form="form5", purpose="passport_visa", purpose_text="办理日本签证", people_count=1,
            org_name=str(person.unit), requested_by=requester, status=status,
            auto_granted=granted, decided_at=now if granted else None,
            expires_at=now + timedelta(hours=1) if granted else None)
        d.people.set([person])
        setattr(w, key, d)
    return getattr(w, key)


def outage(w):
    """A declared lockdown of 太原 in November (made once per world)."""
    if not hasattr(w, "_outage"):
        from datetime import date

        from apps.outages.services import outage_declare
        w._outage = outage_declare(actor=w.province, kind="lockdown", reason="疫情封控",
                                   starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 18),
                                   scope="cities", cities=[w.ty])
    return w._outage


def complaint(w, side: str):
    """A received wage complaint of the 太原 (own: 张三, by 山西大学, against A1) or 大同 (foreign:
    the sentinel, by its unit, against A2) side, with one evidence file (made once per world)."""
    key = f"_complaint_{side}"
    if not hasattr(w, key):
        from datetime import date
        from decimal import Decimal

        from apps.complaints.services import complaint_file, evidence_add
        from apps.pipeline.models import Candidacy
        from tests.conftest import pdf
        own = side == "own"
        candidacy, actor = (w.cand_ty, w.unit_u1) if own else (w.cand_dt, w.unit_u3)
        Candidacy.objects.filter(pk=candidacy.pk).update(status="abroad",
                                                         departed_on=date(2026, 5, 1))
        c = complaint_file(actor=actor, candidacy=candidacy, channel="phone",
                           received_on=date(2026, 9, 1), kind="complaint", category="wages",
                           respondent_kind="agency", respondent_agency=w.a1 if own else w.a2,
                           summary="拖欠工资", claims=[("wages", Decimal("1000"), "")])
        c.evidence_one = evidence_add(c, actor=actor, uploaded=pdf(), description="工资条")
        setattr(w, key, c)
    return getattr(w, key)


def _complaint_kwargs(side, **extra):
    return lambda w: {"pk": complaint(w, side).pk, **extra}
def incident(w, side: str):
    """An incident of the 太原 side (recorded by A1 for a person of 山西大学 abroad) or of the
    大同 side (recorded by A2 for the sentinel abroad), made once per world."""
    key = f"_incident_{side}"
    if not hasattr(w, key):
        from tests.incidents.conftest import abroad_person, record, send_abroad
        if side == "own":
            made = record(w, w.agency_a1, workers=[abroad_person(w, "王在外", 90)])
        else:
            made = record(w, w.agency_a2, workers=[send_abroad(w.cand_dt)])
        setattr(w, key, made)
    return getattr(w, key)


def _incident_pk(side):
    return lambda w: {"pk": incident(w, side).pk}


def _report(side):
    return lambda w: {"pk": incident(w, side).pk, "kind": "first"}


def _report_data():
    from tests.incidents.conftest import report_post
    return {**report_post(), "expected": "first"}


def _report_rule(w):
    from apps.incidents.models import IncidentReportRule
    return IncidentReportRule.objects.get(grade_group="low", kind="first")


def followup_plan(w, side: str):
    """A follow-up plan of the 太原 (own: project_a1, 张三 abroad) or 大同 (foreign: project_a2,
    the sentinel abroad) side, made once per world (set-up: the threshold is not reached)."""
    from django.utils import timezone

    from apps.followups.models import FollowUpPlan
    from apps.pipeline.models import Candidacy, CandidacyStatus
    key = f"_followup_{side}"
    if not hasattr(w, key):
        candidacy = w.cand_ty if side == "own" else w.cand_dt
        today = timezone.localdate()
        Candidacy.objects.filter(pk=candidacy.pk).update(status=CandidacyStatus.ABROAD,
                                                         departed_on=today)
        project = candidacy.project
        setattr(w, key, FollowUpPlan.objects.create(project=project, title=project.name,
                                                    interval_days=30, started_on=today))
    return getattr(w, key)


def evaluation(w):
    """The 2025 evaluation of the test world (made once): a locked unit scheme; 山西大学's
    (own) and the sentinel unit's (foreign) cards computed, entered, in their objection
    window, each with one objection; A1's agency card published with its proposals."""
    if not hasattr(w, "_evaluation"):
        from decimal import Decimal

        from apps.evaluations import services as s
        from apps.evaluations.models import Scorecard
        from tests.evaluations.conftest import enter_all
        e = {}
        scheme = s.scheme_create(actor=w.province, year=2025, kind="unit")
        s.scheme_lock(scheme, actor=w.province)
        s.scorecards_compute(scheme, actor=w.province)
        for side, unit, user in (("own", w.u1, w.unit_u1), ("foreign", w.u3, w.unit_u3)):
            card = Scorecard.objects.get(scheme=scheme, unit=unit)
            enter_all(card, w.province, points=Decimal(1))
            card = s.scorecard_open(card, actor=w.province)
            e[side] = {"card": card,
                       "computed": card.scores.get(criterion__code="task"),
                       "entered": card.scores.get(criterion__code="satisfaction"),
                       "objection": s.objection_file(card, actor=user, criterion=None,
                                                     text="对总分有异议")}
        agency_scheme = s.scheme_create(actor=w.province, year=2025, kind="agency")
        s.scheme_lock(agency_scheme, actor=w.province)
        s.scorecards_compute(agency_scheme, actor=w.province)
        card = Scorecard.objects.get(scheme=agency_scheme, agency=w.a1)
        enter_all(card, w.province)
        card = s.scorecard_open(card, actor=w.province)
        s.scorecard_accept(card, actor=w.agency_a1)
        s.scorecard_conclude(card, actor=w.province)
        e["published"] = s.scorecard_publish(card, actor=w.province)
        e["scheme"] = scheme
        w._evaluation = e
    return w._evaluation


def evaluation_reward(w):
    """A1's 2024 agency card published, its 绩效奖励 approved (the claim page's), and a decided
    consequence a correction flagged (the review page's). Made once."""
    if not hasattr(w, "_evaluation_reward"):
        from django.utils import timezone

        from apps.evaluations import services as s
        from apps.evaluations.models import Consequence, Scorecard
        from tests.evaluations.conftest import enter_all, publish
        evaluation(w)
        scheme = s.scheme_create(actor=w.province, year=2024, kind="agency")
        s.scheme_lock(scheme, actor=w.province)
        s.scorecards_compute(scheme, actor=w.province)
        card = Scorecard.objects.get(scheme=scheme, agency=w.a1)
        enter_all(card, w.province)
        card = publish(card, w, w.agency_a1)
        reward = s.consequence_decide(card.consequences.get(kind="reward"), actor=w.province,
                                      approve=True)
        now = timezone.now()
        flagged = Consequence.objects.create(
            scorecard=card, kind="fail", proposal="2024年度评估不合格", status="approved",
            decided_by=w.province, decided_at=now, flag="更正后已合格", flagged_at=now)
        w._evaluation_reward = {"reward": reward, "flagged": flagged}
    return w._evaluation_reward


def _card(side, key=None, **extra):
    def build(w):
        e = evaluation(w)[side]
        return {"pk": (e[key] if key else e["card"]).pk, **extra}
    return build
def api_client(w):
    """A pending API client of agency A1, created by the system administrator (once)."""
    if not hasattr(w, "_api_client"):
        from tests.api.clients import make_client
        w._api_client = make_client(w, A, w.a1, authorise=False, name="输出机构后台系统")
    return w._api_client
def returnee(w, side: str):
    """A returnee of the 太原 (own: 山西大学, back from A1's project) or 大同 (foreign: the
    sentinel unit, back from A2's) side with a profile and an open referral (made once)."""
    key = f"_returnee_{side}"
    if not hasattr(w, key):
        from apps.returnees.services import profile_save, referral_create
        from django.utils import timezone
        from tests.returnees.conftest import profile_fields, returned
        own = side == "own"
        c = returned(w, "归国甲" if own else "归国乙", 1 if own else 2, side=side)
        actor = w.unit_u1 if own else w.unit_u3
        profile = profile_save(c.person, actor=actor, **profile_fields())
        referral = referral_create(profile, actor=actor, service="employment",
                                   provider="区公共就业服务中心", referred_on=timezone.localdate())
        profile.refresh_from_db()  # as stored: the walk compares it before and after
        setattr(w, key, (c, profile, referral))
    return getattr(w, key)


def rejoining(w, side: str):
    """A returnee whose return was their own breach, registered again: pending the agency's
    decision (A1 on the 太原 side, A2 on the 大同 side)."""
    key = f"_rejoin_{side}"
    if not hasattr(w, key):
        from apps.pipeline.models import Candidacy
        from tests.returnees.conftest import returned
        own = side == "own"
        c = returned(w, "再报甲" if own else "再报乙", 3 if own else 4, side=side,
                     return_kind="early", return_cause="worker_breach",
                     return_reason="擅自离开雇主")
        again = Candidacy.objects.create(
            person=c.person, project=c.project, unit=c.unit, city=c.city, agency=c.agency,
            stage_on=c.returned_on, rejoin_review="pending", created_by=w.unit_u1)
        setattr(w, key, again)
    return getattr(w, key)


def prep(w, side: str):
    """A person abroad whose contract ends in three weeks (the two-week call is due)."""
    key = f"_prep_{side}"
    if not hasattr(w, key):
        from datetime import timedelta

        from django.utils import timezone
        from tests.returnees.conftest import abroad
        start = timezone.localdate() + timedelta(days=21) - timedelta(days=3 * 365 + 1)
        setattr(w, key, abroad(w, "准备甲" if side == "own" else "准备乙",
                               5 if side == "own" else 6, side=side, departed_on=start))
    return getattr(w, key)


def _today() -> str:
    from django.utils import timezone
    return timezone.localdate().isoformat()


def _referral_move_data(w):
    r = returnee(w, "own")[2]
    from django.utils import timezone
    return {f"r{r.pk}-expected": "referred", f"r{r.pk}-status": "accepted",
            f"r{r.pk}-on": timezone.localdate().isoformat(), f"r{r.pk}-outcome": ""}


def followup_visit_data(w):
    from django.utils import timezone
    return {"number": "1", "visited_on": timezone.localdate().isoformat(), "mode": "phone",
            "officer_name": "李明", "workers": [w.cand_ty.pk], "issues-TOTAL_FORMS": "0",
            "issues-INITIAL_FORMS": "0", "issues-MIN_NUM_FORMS": "0",
            "issues-MAX_NUM_FORMS": "20"}


PUBLIC = {"favicon", "accounts:login", "publicity:public_home", "publicity:public_project",
          "publicity:public_notice"}

ROUTES: dict[str, list[Case]] = {
    "accounts:home": [Case(EVERYONE)],
    "accounts:logout": [Case(EVERYONE, method="post", ok=302)],
    "accounts:logout_everywhere": [Case(EVERYONE, method="post", ok=302)],
    # Optional for units, agencies and observers; required for province and city.
    "accounts:otp_setup": [Case(EVERYONE)],
    "accounts:otp_verify": [Case(EVERYONE)],
    "accounts:password_change": [Case(EVERYONE)],
    "accounts:password_change_done": [Case(EVERYONE)],
    # 三员分立: each administrator's console is its own; the others get 403.
    "accounts:account_list": [Case(frozenset({SA}))],
    "accounts:account_create": [Case(frozenset({SA}))],
    "accounts:account_edit": [Case(frozenset({SA}), own=lambda w: {"pk": w.unit_u1.pk})],
    "accounts:account_set_active": [Case(frozenset({SA}), method="post", ok=302,
                                         own=lambda w: {"pk": w.unit_u1.pk},
                                         data=lambda w: {"active": "0"},
                                         target=lambda w, side: w.unit_u1)],
    "accounts:account_password_reset": [
        Case(frozenset({SA}), own=lambda w: {"pk": w.unit_u1.pk}),
        Case(frozenset({SA}), method="post", ok=302, own=lambda w: {"pk": w.unit_u1.pk},
             data=lambda w: {"password1": "Neues-Pass-2027", "password2": "Neues-Pass-2027"},
             target=lambda w, side: w.unit_u1),
    ],
    "accounts:security_index": [Case(frozenset({SE}))],
    "accounts:security_unlock": [Case(frozenset({SE}), method="post", ok=302,
                                      own=lambda w: {"pk": w.unit_u1.pk})],
    "accounts:security_otp_reset": [Case(frozenset({SE}), method="post", ok=302,
                                         own=lambda w: {"pk": w.city_ty.pk})],
    # The confirmation pages; a POST on an account with nothing waiting is refused (400).
    "accounts:security_authorise": [Case(frozenset({SE}), own=lambda w: {"pk": w.unit_u1.pk}),
                                    Case(frozenset({SE}), method="post", ok=400,
                                         own=lambda w: {"pk": w.unit_u1.pk})],
    "accounts:security_password": [Case(frozenset({SE}), own=lambda w: {"pk": w.unit_u1.pk}),
                                   Case(frozenset({SE}), method="post", ok=400,
                                        own=lambda w: {"pk": w.unit_u1.pk},
                                        data=lambda w: {"decision": "authorise"})],
    "accounts:security_force_logout": [Case(frozenset({SE}), method="post", ok=302,
                                            own=lambda w: {"pk": w.unit_u1.pk})],
    "audit:event_list": [Case(frozenset({AU}))],
    "audit:event_export": [Case(frozenset({AU}))],
    "orgs:city_list": [Case(ALL)],
    # Reference data import and export: the province's alone (no Django admin).
    "orgs:reference_data": [Case(frozenset({P}))],
    "orgs:reference_export": [Case(frozenset({P}), own=lambda w: {"kind": "ref_units"})],
    "orgs:city_detail": [Case(ALL, own=lambda w: {"pk": w.ty.pk},
                              foreign=lambda w: {"pk": w.dt.pk}, sees_foreign={P, O})],
    "orgs:city_edit": [Case(frozenset({P, C}), own=lambda w: {"pk": w.ty.pk},
                            foreign=lambda w: {"pk": w.dt.pk})],
    "orgs:unit_list": [Case(ALL)],
    "orgs:unit_create": [Case(frozenset({P}))],
    "orgs:unit_detail": [Case(ALL, own=lambda w: {"pk": w.u1.pk},
                              foreign=lambda w: {"pk": w.u3.pk}, sees_foreign={P, O})],
    "orgs:unit_edit": [Case(frozenset({P}), own=lambda w: {"pk": w.u1.pk},
                            foreign=lambda w: {"pk": w.u3.pk})],
    "orgs:agency_list": [Case(ALL)],
    "orgs:agency_create": [Case(frozenset({P}))],
    "orgs:agency_detail": [Case(ALL, own=lambda w: {"pk": w.a1.pk},
                                foreign=lambda w: {"pk": w.a2.pk}, sees_foreign={P, O})],
    "orgs:agency_edit": [Case(frozenset({P}), own=lambda w: {"pk": w.a1.pk},
                              foreign=lambda w: {"pk": w.a2.pk})],
    "orgs:agency_status": [Case(frozenset({P}), method="post", ok=302,
                                own=lambda w: {"pk": w.a1.pk},
                                foreign=lambda w: {"pk": w.a2.pk},
                                data=lambda w: {"status": "suspended"},
                                target=lambda w, side: w.a1 if side == "own" else w.a2)],
    "orgs:city_cooperation_create": [Case(frozenset({P, C}))],
    "orgs:unit_cooperation_create": [Case(frozenset({P, C, U}))],
    "orgs:cooperation_agreement": [
        Case(ALL, own=lambda w: {"kind": "city", "pk": w.coop_ty.pk},
             foreign=lambda w: {"kind": "city", "pk": w.coop_dt.pk}, hidden_own={U, O}),
        Case(ALL, own=lambda w: {"kind": "unit", "pk": w.coop_u1.pk},
             foreign=lambda w: {"kind": "unit", "pk": w.coop_u3.pk}, hidden_own={O}),
    ],
    "orgs:cooperation_end": [
        Case(frozenset({P, C, U}), method="post", ok=302, hidden_own={U},
             own=lambda w: {"kind": "city", "pk": w.coop_ty.pk},
             foreign=lambda w: {"kind": "city", "pk": w.coop_dt.pk},
             target=lambda w, side: w.coop_ty if side == "own" else w.coop_dt),
        Case(frozenset({P, C, U}), method="post", ok=302,
             own=lambda w: {"kind": "unit", "pk": w.coop_u1.pk},
             foreign=lambda w: {"kind": "unit", "pk": w.coop_u3.pk},
             target=lambda w, side: w.coop_u1 if side == "own" else w.coop_u3),
    ],
    "orgs:filing_list": [Case(frozenset({P, C}))],
    "orgs:filing_unit_create": [Case(frozenset({C}))],
    "orgs:filing_agency_create": [Case(frozenset({C}))],
    "orgs:filing_detail": [Case(frozenset({P, C}), own=lambda w: {"pk": w.filing_ty.pk},
                                foreign=lambda w: {"pk": w.filing_dt.pk})],
    "orgs:filing_decide": [Case(frozenset({P}), method="post", ok=302,
                                own=lambda w: {"pk": w.filing_ty.pk},
                                # The 大同 filing is already decided: a second decision is refused.
                                foreign=lambda w: {"pk": w.filing_dt.pk}, foreign_ok=400,
                                data=lambda w: {"decision": "approved", "note": ""},
                                target=lambda w, side: w.filing_ty if side == "own"
                                else w.filing_dt)],
    "projects:project_list": [Case(ALL)],
    "projects:project_detail": [
        Case(ALL, own=lambda w: {"pk": w.project_a1.pk},
             foreign=lambda w: {"pk": w.project_draft.pk}),
    ],
    "projects:project_create": [Case(frozenset({A}))],
    # The 大同 agency's draft: invisible to the 太原 agency, the province reviews it.
    "projects:project_edit": [Case(frozenset({A}), own=lambda w: {"pk": w.project_a1_draft.pk},
                                   foreign=lambda w: {"pk": w.project_draft.pk})],
    "projects:project_submit": [Case(frozenset({A}), method="post", ok=302,
                                     own=lambda w: {"pk": w.project_a1_draft.pk},
                                     foreign=lambda w: {"pk": w.project_draft.pk},
                                     target=lambda w, side: w.project_a1_draft if side == "own"
                                     else w.project_draft)],
    "projects:project_review": [Case(frozenset({P}), own=lambda w: {"pk": w.project_a1.pk},
                                     foreign=lambda w: {"pk": w.project_draft.pk})],
    "projects:project_close": [Case(frozenset({P, A}), method="post", ok=302,
                                    own=lambda w: {"pk": w.project_a1.pk},
                                    foreign=lambda w: {"pk": w.project_draft.pk},
                                    target=lambda w, side: w.project_a1 if side == "own"
                                    else w.project_draft)],
    "projects:project_dock": [Case(frozenset({C, U}), own=lambda w: {"pk": w.project_a1.pk},
                                   foreign=lambda w: {"pk": w.project_draft.pk})],
    # The review form: the province and the project's own agency only.
    "projects:review_form_download": [Case(ALL, own=lambda w: {"pk": w.project_a1.pk},
                                           foreign=lambda w: {"pk": w.project_draft.pk},
                                           hidden_own={C, U, O}, foreign_ok=404)],
    "projects:docking_agreement": [Case(ALL,
                                        own=lambda w: {"pk": w.docking_u1.pk},
                                        foreign=lambda w: {"pk": w.docking_u3.pk},
                                        hidden_own={O})],
    "registry:person_list": [Case(PEOPLE)],
    "registry:person_register": [Case(frozenset({C, U}))],
    "registry:person_detail": [Case(PEOPLE, own=lambda w: {"pk": w.person_ty.pk},
                                    foreign=lambda w: {"pk": w.person_dt.pk})],
    "registry:person_edit": [Case(frozenset({P, C, U}), own=lambda w: {"pk": w.person_ty.pk},
                                  foreign=lambda w: {"pk": w.person_dt.pk})],
    "registry:person_reveal": [Case(PEOPLE, method="post", own=lambda w: {"pk": w.person_ty.pk},
                                    foreign=lambda w: {"pk": w.person_dt.pk},
                                    data=lambda w: {"field": "phone"},
                                    target=lambda w, side: w.person_ty if side == "own"
                                    else w.person_dt)],
    # The province's tool: every other role gets 403 and the person stays where it was.
    "registry:person_transfer": [
        Case(frozenset({P}), own=lambda w: {"pk": w.person_ty.pk},
             foreign=lambda w: {"pk": w.person_dt.pk}),
        Case(frozenset({P}), method="post", ok=302, own=lambda w: {"pk": w.person_ty.pk},
             foreign=lambda w: {"pk": w.person_dt.pk},
             data=lambda w: {"to_unit": w.u2.pk, "reason": "本人申请"},
             target=lambda w, side: w.person_ty if side == "own" else w.person_dt)],
    # 核实脱贫状态: the city and the province (the unit claims the money that follows it).
    "registry:person_poverty": [
        Case(frozenset({P, C}), own=lambda w: {"pk": w.person_ty.pk},
             foreign=lambda w: {"pk": w.person_dt.pk}),
        Case(frozenset({P, C}), method="post", ok=302, own=lambda w: {"pk": w.person_ty.pk},
             foreign=lambda w: {"pk": w.person_dt.pk},
             data=lambda w: {"status": "脱贫劳动力", "source": "national",
                             "verified_on": "2026-03-02"},
             target=lambda w, side: w.person_ty if side == "own" else w.person_dt)],
    "registry:reserve_pool": [Case(PEOPLE)],
    "registry:reserve_export": [Case(PEOPLE)],
    "abroad:register": [Case(PEOPLE)],
    "abroad:register_export": [Case(PEOPLE)],
    "abroad:figures": [Case(PEOPLE)],
    "pipeline:candidacy_list": [Case(PEOPLE)],
    "pipeline:candidacy_export": [Case(PEOPLE)],
    "pipeline:candidacy_open": [Case(frozenset({C, U}), own=lambda w: {"person_pk": w.person_ty.pk},
                                     foreign=lambda w: {"person_pk": w.person_dt.pk})],
    "pipeline:candidacy_record": [Case(frozenset({C, U, A}), own=lambda w: {"pk": w.cand_ty.pk},
                                       foreign=lambda w: {"pk": w.cand_dt.pk})],
    "pipeline:candidacy_withdraw": [
        Case(frozenset({C, U, A}), own=lambda w: {"pk": w.cand_ty.pk},
             foreign=lambda w: {"pk": w.cand_dt.pk}),
        Case(frozenset({C, U, A}), method="post", own=lambda w: {"pk": w.cand_ty.pk},
             foreign=lambda w: {"pk": w.cand_dt.pk}, ok=302,
             data=lambda w: {"happened_on": "2026-03-05", "reason": "个人原因"},
             target=lambda w, side: w.cand_ty if side == "own" else w.cand_dt),
    ],
    "pipeline:session_list": [Case(PEOPLE)],
    "pipeline:session_create": [Case(frozenset({C, U, A}))],
    "pipeline:session_detail": [Case(PEOPLE, own=lambda w: {"pk": w.session_ty.pk},
                                     foreign=lambda w: {"pk": w.session_dt.pk})],
    "pipeline:roster": [Case(PEOPLE)],
    # Read by everyone who records stages; a POST by anyone but the province is refused.
    "pipeline:gap_limits": [Case(PEOPLE),
                            Case(PEOPLE, method="post", ok=302, denied_own={C, U, A},
                                 data=lambda w: {"months_departure": "24"})],
    "evidence:evidence_upload": [Case(frozenset({C, U, A}),
                                      own=lambda w: {"person_pk": w.person_ty.pk},
                                      foreign=lambda w: {"person_pk": w.person_dt.pk})],
    "evidence:evidence_download": [Case(PEOPLE, own=lambda w: {"pk": w.evidence_ty.pk},
                                        foreign=lambda w: {"pk": w.evidence_dt.pk})],
    "rosters:upload_list": [Case(frozenset({P, C, U}))],
    "rosters:upload_detail": [Case(frozenset({P, C, U}), own=lambda w: {"pk": w.upload_ty.pk},
                                   foreign=lambda w: {"pk": w.upload_dt.pk})],
    # Only the uploader commits: the city sees the unit's upload but gets 403 confirming it.
    "rosters:upload_commit": [Case(frozenset({C, U}), method="post", ok=302, denied_own={C},
                                   own=lambda w: {"pk": w.upload_ty.pk},
                                   foreign=lambda w: {"pk": w.upload_dt.pk},
                                   target=lambda w, side: w.upload_ty if side == "own"
                                   else w.upload_dt)],
    "rosters:template_download": [Case(frozenset({P, C, U}),
                                       own=lambda w: {"kind": "registration"})],
    "rosters:export_form1": [Case(frozenset({P, C, U, O}), own=lambda w: {"year": 2020})],
    "rosters:export_form2": [Case(frozenset({P, C, O}), own=lambda w: {"year": 2020})],
    "rosters:export_form3": [Case(frozenset({P, C}))],
    "rosters:export_form4": [Case(ALL)],
    "rosters:export_form5": [Case(PEOPLE, own=lambda w: {"person_pk": w.person_ty.pk},
                                  foreign=lambda w: {"person_pk": w.person_dt.pk})],
    "rosters:print_form5": [Case(PEOPLE, own=lambda w: {"person_pk": w.person_ty.pk},
                                 foreign=lambda w: {"person_pk": w.person_dt.pk})],
    "rosters:export_form6": [Case(PEOPLE)],
    "rosters:print_form6": [Case(PEOPLE)],
    "training:class_list": [Case(PEOPLE)],
    "training:class_create": [Case(frozenset({U}))],
    # An agency sees the class it trains jointly, not the unit's 非建制班.
    "training:class_detail": [
        Case(PEOPLE, own=lambda w: {"pk": w.class_ty.pk}, foreign=lambda w: {"pk": w.class_dt.pk}),
        Case(PEOPLE, own=lambda w: {"pk": w.standing_ty.pk}, hidden_own={A},
             foreign=lambda w: {"pk": w.standing_dt.pk}),
    ],
    "training:class_edit": [Case(frozenset({U}), own=lambda w: {"pk": w.class_ty.pk},
                                 foreign=lambda w: {"pk": w.class_dt.pk})],
    "training:class_plan": [
        Case(frozenset({U}), own=lambda w: {"pk": w.class_ty.pk},
             foreign=lambda w: {"pk": w.class_dt.pk}),
        # A forged plan move on the other side's class: 404, and the class is unchanged.
        Case(frozenset({U}), method="post", ok=302, own=lambda w: {"pk": w.class_ty.pk},
             foreign=lambda w: {"pk": w.class_dt.pk},
             data=lambda w: {"opens_on": "2026-04-08", "course_starts_on": "2026-04-08",
                             "ends_on": "2026-05-29", "reason": "推迟一周"},
             target=lambda w, side: w.class_ty if side == "own" else w.class_dt)],
    "training:class_enrol": [Case(frozenset({U}), own=lambda w: {"pk": w.class_ty.pk},
                                  foreign=lambda w: {"pk": w.class_dt.pk})],
    "training:class_results": [Case(frozenset({U}), own=lambda w: {"pk": w.class_ty.pk},
                                    foreign=lambda w: {"pk": w.class_dt.pk})],
    "training:class_hours": [Case(frozenset({U}), method="post", ok=302,
                                  own=lambda w: {"pk": w.standing_ty.pk},
                                  foreign=lambda w: {"pk": w.standing_dt.pk},
                                  data=lambda w: {"week_of": "2026-03-02", "hours": "4"},
                                  target=lambda w, side: w.standing_ty if side == "own"
                                  else w.standing_dt)],
    "training:class_action": [Case(frozenset({U}), method="post", ok=302,
                                   own=lambda w: {"pk": w.class_ty.pk, "action": "file-roster"},
                                   foreign=lambda w: {"pk": w.class_dt.pk,
                                                      "action": "file-roster"},
                                   target=lambda w, side: w.class_ty if side == "own"
                                   else w.class_dt)],
    "training:spot_check_create": [Case(frozenset({P}), own=lambda w: {"pk": w.standing_ty.pk},
                                        foreign=lambda w: {"pk": w.standing_dt.pk})],
    "training:export_form7": [Case(PEOPLE, own=lambda w: {"pk": w.class_ty.pk},
                                   foreign=lambda w: {"pk": w.class_dt.pk})],
    "training:print_form7": [Case(PEOPLE, own=lambda w: {"pk": w.class_ty.pk},
                                  foreign=lambda w: {"pk": w.class_dt.pk})],
    "training:export_form9": [Case(PEOPLE, own=lambda w: {"pk": w.standing_ty.pk}, hidden_own={A},
                                   foreign=lambda w: {"pk": w.standing_dt.pk})],
    "training:print_form9": [Case(PEOPLE, own=lambda w: {"pk": w.standing_ty.pk}, hidden_own={A},
                                  foreign=lambda w: {"pk": w.standing_dt.pk})],
    "training:enrolment_remove": [Case(frozenset({U}), method="post", ok=302,
                                       own=lambda w: {"pk": w.enrolment_ty.pk},
                                       foreign=lambda w: {"pk": w.enrolment_dt.pk},
                                       target=lambda w, side: w.enrolment_ty if side == "own"
                                       else w.enrolment_dt)],
    "training:member_remove": [Case(frozenset({U}), method="post", ok=302,
                                    own=lambda w: {"pk": w.member_ty.pk},
                                    foreign=lambda w: {"pk": w.member_dt.pk},
                                    target=lambda w, side: w.member_ty if side == "own"
                                    else w.member_dt)],
    # An agency's claims are its own evaluation rewards: it sees neither side's unit claims.
    "subsidies:claim_list": [Case(PEOPLE)],
    "subsidies:claim_create": [Case(frozenset({U}))],
    # The rewarded organisation asks for its approved reward (A1's: no unit sees it).
    "subsidies:claim_create_reward": [
        Case(frozenset({U, A}), own=lambda w: {"consequence_pk": evaluation_reward(w)["reward"].pk},
             hidden_own={U}),
        Case(frozenset({U, A}), method="post", ok=302, hidden_own={U},
             own=lambda w: {"consequence_pk": evaluation_reward(w)["reward"].pk},
             data=lambda w: {"bank_name": "中国银行", "account_name": w.a1.name,
                             "account_no": "62166100"})],
    "subsidies:claim_detail": [Case(PEOPLE, own=lambda w: {"pk": w.claim_ty.pk},
                                    foreign=lambda w: {"pk": w.claim_dt.pk}, hidden_own={A})],
    # The unit submits its draft; the world's draft names a person not yet departed, so the
    # claim is refused with a message (302), and a foreign one is never found.
    "subsidies:claim_action": [
        Case(frozenset({U, A}), method="post", ok=302, hidden_own={A},
             own=lambda w: {"pk": w.claim_ty.pk, "action": "submit"},
             foreign=lambda w: {"pk": w.claim_dt.pk, "action": "submit"},
             target=lambda w, side: w.claim_ty if side == "own" else w.claim_dt),
        # A draft cannot be reviewed yet: the city is told so (302); 大同's is not found.
        Case(frozenset({C}), method="post", ok=302,
             own=lambda w: {"pk": w.claim_ty.pk, "action": "review"},
             foreign=lambda w: {"pk": w.claim_dt.pk, "action": "review"},
             target=lambda w, side: w.claim_ty if side == "own" else w.claim_dt),
        Case(frozenset({P}), method="post", ok=302,
             own=lambda w: {"pk": w.claim_ty.pk, "action": "approve"},
             foreign=lambda w: {"pk": w.claim_dt.pk, "action": "approve"},
             target=lambda w, side: w.claim_ty if side == "own" else w.claim_dt),
    ],
    "subsidies:export_form8": [Case(PEOPLE, own=lambda w: {"pk": w.claim_ty.pk},
                                    foreign=lambda w: {"pk": w.claim_dt.pk}, hidden_own={A})],
    "subsidies:print_form8": [Case(PEOPLE, own=lambda w: {"pk": w.claim_ty.pk},
                                   foreign=lambda w: {"pk": w.claim_dt.pk}, hidden_own={A})],
    "subsidies:standard_list": [Case(ALL)],
    "subsidies:budget_list": [Case(frozenset({P, C, U}))],
    "workdays:calendar_index": [Case(ALL)],
    "workdays:calendar_enter": [Case(frozenset({P}))],
    "workdays:calendar_year": [Case(ALL, own=lambda w: {"year": 2026})],
    "workdays:special_day_delete": [Case(frozenset({P}), method="post", ok=302,
                                         own=lambda w: {"pk": w.holiday.pk},
                                         target=lambda w, side: w.holiday)],
    "deadlines:my_items": [Case(PEOPLE)],
    "deadlines:rule_list": [Case(ALL)],
    "deadlines:timeliness": [Case(frozenset({P, C}))],
    "deadlines:rule_edit": [Case(frozenset({P}), own=lambda w: {"pk": w.stage_rule.pk})],
    "quotas:task_index": [Case(frozenset({P, C, U, O}), ok=302)],
    "quotas:task_overview": [Case(frozenset({P, C, U, O}), own=lambda w: {"year": 2020})],
    # Planning a year is the province's alone (tests/quotas/test_year_planning.py).
    "quotas:task_plan_open": [Case(frozenset({P}), method="post", ok=302,
                                   own=lambda w: {"year": 2027}, data=lambda w: {"copy_from": ""})],
    "quotas:task_plan_edit": [Case(frozenset({P}), own=lambda w: {"year": 2020})],
    "quotas:task_plan_publish": [Case(frozenset({P}), method="post", ok=302,
                                      own=lambda w: {"year": 2020})],
    "quotas:task_edit": [Case(frozenset({P}), own=lambda w: {"pk": w.task_u1.pk},
                              foreign=lambda w: {"pk": w.task_u3.pk})],
    "quotas:poverty_targets": [
        Case(frozenset({P, C, U, O})),
        Case(frozenset({P}), method="post", ok=302,
             data=lambda w: {"year": 2026, "share": "30", "note": "晋人社厅函〔2020〕127号"}),
    ],
    "dashboards:dashboard_index": [Case(ALL, ok=302)],
    "dashboards:dashboard": [Case(ALL, own=lambda w: {"year": 2026})],
    "dashboards:dashboard_export": [
        Case(ALL, own=lambda w: {"year": 2026, "table": "funnel"}),
        Case(frozenset({P, C, O}), own=lambda w: {"year": 2026, "table": "city"}),
    ],
    # Full numbers out of the system (docs/DISCLOSURE.md). A request is its requester's; the
    # province sees all of them and decides the pending ones; only the requester downloads.
    "disclosures:request_list": [Case(PEOPLE)],
    "disclosures:review_list": [Case(frozenset({P}))],
    "disclosures:request_form5": [
        Case(PEOPLE, own=lambda w: {"person_pk": w.person_ty.pk},
             foreign=lambda w: {"person_pk": w.person_dt.pk}),
        Case(PEOPLE, method="post", ok=302, own=lambda w: {"person_pk": w.person_ty.pk},
             foreign=lambda w: {"person_pk": w.person_dt.pk},
             data=lambda w: {"purpose": "medical", "purpose_text": "出境体检",
                             "people": [w.person_ty.pk]},
             # On the 大同 person the posted 太原 person is not in the form: refused.
             foreign_ok=400),
    ],
    "disclosures:request_form6": [Case(PEOPLE)],
    "disclosures:request_form9": [Case(frozenset({P, C, U}),
                                       own=lambda w: {"pk": w.standing_ty.pk},
                                       foreign=lambda w: {"pk": w.standing_dt.pk})],
    "disclosures:request_detail": [Case(PEOPLE, own=lambda w: {"pk": disclosure(w, "own").pk},
                                        foreign=lambda w: {"pk": disclosure(w, "foreign").pk},
                                        hidden_own={C, A})],
    "disclosures:request_decide": [Case(
        frozenset({P}), method="post", ok=302,
        own=lambda w: {"pk": disclosure(w, "own", "pending").pk},
        foreign=lambda w: {"pk": disclosure(w, "foreign", "pending").pk},
        data=lambda w: {"decision": "refuse", "reason": "用途不明确"},
        target=lambda w, side: disclosure(w, side, "pending"))],
    "disclosures:download": [Case(PEOPLE, method="post", own=lambda w: {"pk": disclosure(w, "own").pk},
                                  foreign=lambda w: {"pk": disclosure(w, "foreign").pk},
                                  hidden_own={P, C, A}, sees_foreign=frozenset(),
                                  target=lambda w, side: disclosure(w, side))],
    # 投诉纠纷: seen by its organisations; acted on by the level handling it (the unit, its
    # city, the province): the worker's agency sees the case but only replies once transferred.
    "complaints:complaint_list": [Case(PEOPLE)],
    "complaints:complaint_export": [Case(PEOPLE)],
    "complaints:complaint_create": [Case(PEOPLE)],
    "complaints:complaint_detail": [Case(PEOPLE, own=_complaint_kwargs("own"),
                                         foreign=_complaint_kwargs("foreign"))],
    "complaints:complaint_edit": [Case(PEOPLE, own=_complaint_kwargs("own"),
                                       foreign=_complaint_kwargs("foreign"), denied_own={A})],
    "complaints:complaint_officers": [Case(PEOPLE, own=_complaint_kwargs("own"),
                                           foreign=_complaint_kwargs("foreign"), denied_own={A})],
    "complaints:evidence_upload": [Case(PEOPLE, own=_complaint_kwargs("own"),
                                        foreign=_complaint_kwargs("foreign"), denied_own={A})],
    "complaints:complaint_action": [
        Case(PEOPLE, own=_complaint_kwargs("own", action="accept"),
             foreign=_complaint_kwargs("foreign", action="accept"), denied_own={A}),
        Case(PEOPLE, method="post", ok=302, own=_complaint_kwargs("own", action="accept"),
             foreign=_complaint_kwargs("foreign", action="accept"), denied_own={A},
             data=lambda w: {"on": "2026-09-02", "note": ""},
             target=lambda w, side: complaint(w, side)),
        # Only the agency the case was transferred to replies: nobody, while it is received.
        Case(frozenset({A}), own=_complaint_kwargs("own", action="reply"),
             foreign=_complaint_kwargs("foreign", action="reply"), denied_own={A}),
    ],
    "complaints:evidence_download": [
        Case(PEOPLE, own=lambda w: {"pk": complaint(w, "own").evidence_one.pk},
             foreign=lambda w: {"pk": complaint(w, "foreign").evidence_one.pk})],
    # 境外突发事件: the reporter (A1) files the reports; the leading city and the province
    # also grade, add people and end the response; the unit of a person concerned only reads.
    "incidents:incident_list": [Case(PEOPLE)],
    "incidents:incident_export": [Case(PEOPLE)],
    "incidents:incident_create": [Case(PEOPLE)],
    "incidents:rule_list": [Case(PEOPLE)],
    "incidents:rule_edit": [
        Case(frozenset({P}), own=lambda w: {"pk": _report_rule(w).pk}),
        Case(frozenset({P}), method="post", ok=302, own=lambda w: {"pk": _report_rule(w).pk},
             data=lambda w: {"amount": "12"}, target=lambda w, side: _report_rule(w))],
    "incidents:incident_detail": [Case(PEOPLE, own=_incident_pk("own"),
                                       foreign=_incident_pk("foreign"))],
    "incidents:workers_add": [Case(PEOPLE, own=_incident_pk("own"),
                                   foreign=_incident_pk("foreign"), denied_own={U})],
    "incidents:grade_change": [
        Case(PEOPLE, own=_incident_pk("own"), foreign=_incident_pk("foreign"), denied_own={U}),
        Case(PEOPLE, method="post", ok=302, own=_incident_pk("own"),
             foreign=_incident_pk("foreign"), denied_own={U},
             data=lambda w: {"grade": "2", "reason": "事态扩大"},
             target=lambda w, side: incident(w, side))],
    # Ending needs the first report filed: refused with the form (400), never found abroad.
    "incidents:response_end": [
        Case(PEOPLE, own=_incident_pk("own"), foreign=_incident_pk("foreign"), denied_own={U}),
        Case(PEOPLE, method="post", ok=400, own=_incident_pk("own"),
             foreign=_incident_pk("foreign"), denied_own={U},
             data=lambda w: {"ended_at": "2026-01-01T08:00"},
             target=lambda w, side: incident(w, side))],
    "incidents:report_file": [
        Case(PEOPLE, own=_report("own"), foreign=_report("foreign"), denied_own={P, C, U},
             foreign_ok=403),
        Case(PEOPLE, method="post", ok=302, own=_report("own"), foreign=_report("foreign"),
             denied_own={P, C, U}, foreign_ok=403, data=lambda w: _report_data(),
             target=lambda w, side: incident(w, side))],
    # 跟踪随访: the province and the project's agency act; cities and units whose people went
    # abroad on the project read.
    "followups:plan_list": [Case(PEOPLE)],
    "followups:plans_ensure": [Case(frozenset({P}), method="post", ok=302)],
    "followups:settings": [Case(PEOPLE),
                           Case(PEOPLE, method="post", ok=302, denied_own={C, U, A},
                                data=lambda w: {"plan_at": "100", "officer_at": "150",
                                                "interval_days": "20"})],
    "followups:plan_detail": [Case(PEOPLE, own=lambda w: {"pk": followup_plan(w, "own").pk},
                                   foreign=lambda w: {"pk": followup_plan(w, "foreign").pk})],
    # On the 大同 plan the province is told a1's staff cannot be named there (302 + message).
    "followups:plan_officer": [Case(frozenset({P, A}), method="post", ok=302,
                                    own=lambda w: {"pk": followup_plan(w, "own").pk},
                                    foreign=lambda w: {"pk": followup_plan(w, "foreign").pk},
                                    data=lambda w: {"officer": w.agency_a1.pk},
                                    target=lambda w, side: followup_plan(w, side))],
    "followups:visit_create": [
        Case(frozenset({P, A}), own=lambda w: {"pk": followup_plan(w, "own").pk},
             foreign=lambda w: {"pk": followup_plan(w, "foreign").pk}),
        # On the 大同 plan the posted 太原 worker is not one of its people abroad: refused.
        Case(frozenset({P, A}), method="post", ok=302, foreign_ok=400,
             own=lambda w: {"pk": followup_plan(w, "own").pk},
             foreign=lambda w: {"pk": followup_plan(w, "foreign").pk},
             data=followup_visit_data, target=lambda w, side: followup_plan(w, side))],
    # 年度评估: schemes are the province's (a locked one is read by everybody); a card is its
    # organisation's once shown to it, and its city's; only the province moves it.
    "evaluations:scheme_list": [
        Case(PEOPLE),
        Case(frozenset({P}), method="post", ok=302,
             data=lambda w: {"year": "2031", "kind": "unit", "copy_from": ""})],
    "evaluations:scheme_detail": [Case(PEOPLE, own=lambda w: {"pk": evaluation(w)["scheme"].pk})],
    "evaluations:scheme_edit": [Case(frozenset({P}),
                                     own=lambda w: {"pk": evaluation(w)["scheme"].pk})],
    "evaluations:criterion_create": [Case(frozenset({P}),
                                          own=lambda w: {"pk": evaluation(w)["scheme"].pk})],
    "evaluations:criterion_edit": [Case(frozenset({P}), own=lambda w: {
        "pk": evaluation(w)["scheme"].pk,
        "criterion_pk": evaluation(w)["scheme"].criteria.first().pk})],
    "evaluations:scheme_action": [Case(frozenset({P}), method="post", ok=302, own=lambda w: {
        "pk": evaluation(w)["scheme"].pk, "action": "lock"})],
    "evaluations:scorecard_list": [Case(PEOPLE)],
    "evaluations:scorecard_export": [Case(PEOPLE)],
    "evaluations:scorecard_detail": [Case(PEOPLE, own=_card("own"), foreign=_card("foreign"),
                                          hidden_own={A})],
    "evaluations:scorecard_print": [Case(PEOPLE, own=_card("own"), foreign=_card("foreign"),
                                         hidden_own={A})],
    "evaluations:objection_create": [Case(frozenset({U, A}), own=_card("own"),
                                          foreign=_card("foreign"), hidden_own={A})],
    "evaluations:scorecard_action": [Case(
        PEOPLE, method="post", ok=302, own=_card("own", action="recompute"),
        foreign=_card("foreign", action="recompute"), hidden_own={A}, denied_own={C, U},
        target=lambda w, side: evaluation(w)[side]["card"])],
    "evaluations:score_records": [Case(PEOPLE, own=_card("own", "computed"),
                                       foreign=_card("foreign", "computed"), hidden_own={A})],
    "evaluations:score_enter": [Case(frozenset({P, C}), own=_card("own", "entered"),
                                     foreign=_card("foreign", "entered"))],
    "evaluations:score_evidence": [Case(PEOPLE, own=_card("own", "entered"),
                                        foreign=_card("foreign", "entered"), hidden_own={A})],
    "evaluations:score_correct": [Case(frozenset({P}), own=_card("own", "entered"),
                                       foreign=_card("foreign", "entered"))],
    "evaluations:objection_answer": [Case(frozenset({P}), own=_card("own", "objection"),
                                          foreign=_card("foreign", "objection"))],
    "evaluations:consequence_decide": [Case(frozenset({P}), own=lambda w: {
        "pk": evaluation(w)["published"].consequences.first().pk})],
    # A consequence is its card's: A1's agency card is no city's nor unit's.
    "evaluations:consequence_detail": [Case(PEOPLE, hidden_own={C, U}, own=lambda w: {
        "pk": evaluation(w)["published"].consequences.first().pk})],
    "evaluations:consequence_review": [Case(frozenset({P}), own=lambda w: {
        "pk": evaluation_reward(w)["flagged"].pk})],
    # 归国人员 (issue 19): served by their unit and city; the agency they came back from reads
    # the profile; the certificate is printed by whoever sees the return.
    "returnees:profile_list": [Case(PEOPLE)],
    "returnees:profile": [Case(PEOPLE, own=lambda w: {"person_pk": returnee(w, "own")[0].person_id},
                               foreign=lambda w: {"person_pk": returnee(w, "foreign")[0].person_id})],
    "returnees:profile_edit": [
        Case(frozenset({C, U}), own=lambda w: {"person_pk": returnee(w, "own")[0].person_id},
             foreign=lambda w: {"person_pk": returnee(w, "foreign")[0].person_id}),
        Case(frozenset({C, U}), method="post", ok=302,
             own=lambda w: {"person_pk": returnee(w, "own")[0].person_id},
             foreign=lambda w: {"person_pk": returnee(w, "foreign")[0].person_id},
             data=lambda w: {"occupation_abroad": "介护", "go_again": "no",
                             "support_wanted": ["training"]},
             target=lambda w, side: returnee(w, side)[1])],
    "returnees:referral_create": [
        Case(frozenset({C, U}), own=lambda w: {"person_pk": returnee(w, "own")[0].person_id},
             foreign=lambda w: {"person_pk": returnee(w, "foreign")[0].person_id}),
        Case(frozenset({C, U}), method="post", ok=302,
             own=lambda w: {"person_pk": returnee(w, "own")[0].person_id},
             foreign=lambda w: {"person_pk": returnee(w, "foreign")[0].person_id},
             data=lambda w: {"service": "training", "provider": "市技工学校",
                             "referred_on": _today()},
             target=lambda w, side: returnee(w, side)[1])],
    "returnees:referral_move": [
        Case(frozenset({C, U}), own=lambda w: {"pk": returnee(w, "own")[2].pk},
             foreign=lambda w: {"pk": returnee(w, "foreign")[2].pk}),
        Case(frozenset({C, U}), method="post", ok=302,
             own=lambda w: {"pk": returnee(w, "own")[2].pk},
             foreign=lambda w: {"pk": returnee(w, "foreign")[2].pk},
             data=_referral_move_data,
             target=lambda w, side: returnee(w, side)[2])],
    "returnees:certificate": [Case(PEOPLE, own=lambda w: {"pk": returnee(w, "own")[0].pk},
                                   foreign=lambda w: {"pk": returnee(w, "foreign")[0].pk})],
    "pipeline:candidacy_rejoin": [
        Case(frozenset({A}), own=lambda w: {"pk": rejoining(w, "own").pk},
             foreign=lambda w: {"pk": rejoining(w, "foreign").pk}),
        Case(frozenset({A}), method="post", ok=302, own=lambda w: {"pk": rejoining(w, "own").pk},
             foreign=lambda w: {"pk": rejoining(w, "foreign").pk},
             data=lambda w: {"decision": "accept", "note": "已核实，同意再次报名"},
             target=lambda w, side: rejoining(w, side))],
    "abroad:return_prep": [
        Case(frozenset({A}), method="post", ok=302,
             own=lambda w: {"pk": prep(w, "own").pk, "step": "2w"},
             foreign=lambda w: {"pk": prep(w, "foreign").pk, "step": "2w"},
             target=lambda w, side: prep(w, side))],
    # 停机停工期间 and 补录记录 (issue 22): the province's alone; the organisations stopped learn
    # of a period by notice and on their items.
    "outages:period_list": [Case(frozenset({P}))],
    "outages:period_create": [Case(frozenset({P}))],
    "outages:period_edit": [Case(frozenset({P}), own=lambda w: {"pk": outage(w).pk}),
                            Case(frozenset({P}), method="post", ok=302,
                                 own=lambda w: {"pk": outage(w).pk},
                                 data=lambda w: {"kind": "lockdown", "reason": "疫情封控（更正）",
                                                 "starts_on": "2026-11-16",
                                                 "ends_on": "2026-11-18", "scope": "cities",
                                                 "cities": [w.ty.pk]},
                                 target=lambda w, side: outage(w))],
    "outages:period_close": [Case(frozenset({P}), own=lambda w: {"pk": outage(w).pk})],
    "outages:late_entry_list": [Case(frozenset({P}))],
    "publicity:notice_list": [Case(frozenset({P}))],
    "publicity:notice_create": [Case(frozenset({P}))],
    "publicity:notice_edit": [Case(frozenset({P}), own=lambda w: {"pk": w.notice.pk})],
    # The REST API's pages (issue 23); the API's own endpoints are walked per client in
    # tests/api/registry.py (a key, not a session).
    "api:docs": [Case(PEOPLE)],
    "api_clients:client_list": [Case(frozenset({SA, SE}))],
    "api_clients:client_create": [Case(frozenset({SA}))],
    "api_clients:client_detail": [Case(frozenset({SA, SE}), own=lambda w: {"pk": api_client(w).pk})],
    "api_clients:client_authorise": [Case(frozenset({SE}), own=lambda w: {"pk": api_client(w).pk},
                                          method="post", ok=302)],
    "api_clients:client_revoke": [Case(frozenset({SA, SE}), own=lambda w: {"pk": api_client(w).pk},
                                       method="post", ok=302, data=lambda w: {"reason": "停用"})],
}
