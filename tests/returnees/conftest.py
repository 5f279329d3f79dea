"""People abroad and back for the return tests (issue 19). ``abroad`` puts a person abroad
through the records directly (the stages up to departure are tested in tests/pipeline) and
opens their return items as the departure does; ``come_back`` records the return through
the one service every path uses."""
from datetime import date, timedelta

from django.utils import timezone

from apps.abroad.terms import contract_ends_on
from apps.deadlines.services import return_items_open
from apps.pipeline.models import Candidacy, CandidacyStatus, Result, Stage
from apps.pipeline.services import candidacy_record
from apps.registry.idnumber import make_id
from tests.conftest import as_step, register


def abroad(w, name, seq, *, side="own", departed_on=date(2024, 3, 1), term="3年",
           country="日本", employer="株式会社さくら"):
    """A person of 山西大学 on A1's project (own) or of the sentinel unit on A2's (foreign),
    abroad since ``departed_on`` on a contract of ``term``."""
    unit_user, project = (w.unit_u1, w.project_a1) if side == "own" else (w.unit_u3, w.project_a2)
    person = register(unit_user, name=name, sex="男", phone=f"1370002{seq:04d}",
                      id_number=make_id(region="140105" if side == "own" else "140202",
                                        birth=date(1996, 2, 2), seq=f"{2 * seq + 501:03d}"))
    c = Candidacy.objects.create(
        person=person, project=project, unit=person.unit, city_id=person.city_id,
        agency_id=project.agency_id, stage=Stage.DEPARTURE, result=Result.DEPARTED,
        stage_on=departed_on, status=CandidacyStatus.ABROAD, departed_on=departed_on,
        contract_term=term, contract_ends_on=contract_ends_on(departed_on, term),
        country=country, employer=employer, departure_trade=project.trade,
        certificate_no="SX-C-0001", created_by=unit_user)
    as_step(return_items_open, c)
    return c


RETURN = {"return_kind": "completed", "return_reported_by": "agency",
          "return_verified_by": "passport"}


def come_back(c, actor, on=None, **details):
    """The return, through pipeline.services.candidacy_record (a completed contract unless
    told otherwise)."""
    return candidacy_record(c, stage=Stage.RETURN, result=Result.RETURNED,
                            on=on or timezone.localdate(), actor=actor, **{**RETURN, **details})


def unpaid(c, actor, on=None, wages="30000", deposit=""):
    """An early return for unpaid wages, with the money owed."""
    return come_back(c, actor, on, return_kind="early", return_cause="employer_breach",
                     owed_wages=wages, owed_deposit=deposit,
                     return_reason="雇主拖欠三个月工资", return_reported_by="worker",
                     return_verified_by="in_person")


def returned(w, name, seq, *, side="own", days_ago=30, **details):
    """A person back ``days_ago`` days ago."""
    c = abroad(w, name, seq, side=side)
    actor = w.agency_a1 if side == "own" else w.agency_a2
    return come_back(c, actor, timezone.localdate() - timedelta(days=days_ago), **details)


def profile_fields(**changes):
    return {"occupation_abroad": "介护", "countries": "日本", "years_abroad": "2.5",
            "certificates": "日语N3", "skills": "护理、日语", "language": "日语 N3",
            "go_again": "yes", "go_again_country": "日本", "support_wanted": ["employment"],
            "consent_contact": True, "consent_on": timezone.localdate(), "note": "", **changes}
