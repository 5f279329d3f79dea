"""People abroad for the incident tests: two of the 太原 side (unit 山西大学, agency A1) and
大同's sentinel, all in 日本; 太原's world candidacy (张三) is not abroad."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.incidents import services
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id
from tests.conftest import register


def send_abroad(candidacy, *, departed_on=date(2025, 7, 1), country="日本"):
    Candidacy.objects.filter(pk=candidacy.pk).update(
        status=CandidacyStatus.ABROAD, departed_on=departed_on, contract_term="3年",
        country=country, employer="株式会社さくら")
    candidacy.refresh_from_db()
    return candidacy


def abroad_person(w, name, seq):
    person = register(w.unit_u1, name=name, sex="男", phone=f"1390001{seq:04d}",
                      id_number=make_id(region="140105", birth=date(1995, 1, 1),
                                        seq=f"{2 * seq + 301:03d}"))
    return send_abroad(candidacy_open(person=person, project=w.project_a1, actor=w.unit_u1,
                                      on=date(2025, 3, 2)))


@pytest.fixture
def abroad(world):
    world.w1 = abroad_person(world, "王一", 1)
    world.w2 = abroad_person(world, "王二", 2)
    world.w_dt = send_abroad(world.cand_dt)
    return world


def hours_ago(n):
    return timezone.now() - timedelta(hours=n)


def record(w, actor=None, *, grade=3, learned=30, occurred=31, workers=None, **extra):
    """An incident recorded by ``actor`` (A1 unless told) for 王一 and 王二."""
    fields = {"category": "injury", "grade": grade, "occurred_at": hours_ago(occurred),
              "learned_at": hours_ago(learned), "country": "日本", "place": "大阪府堺市",
              "summary": "工厂叉车事故，两人受伤送医", **extra}
    return services.incident_record(actor=actor or w.agency_a1,
                                    candidacies=workers or [w.w1, w.w2], **fields)


REPORT = {"place": "大阪府堺市", "nature": "安全生产事故", "people_affected": 2, "dead": 0,
          "injured": 2, "missing": 0, "losses": "12000.00", "measures": "已送医救治，派员赴现场",
          "requests": "请协调驻大阪总领馆", "signed_by": "李总经理"}


def report_post(event_time=None, **changes):
    """The report form's POST data."""
    moment = timezone.localtime(event_time or hours_ago(31))
    return {**REPORT, "event_time": moment.strftime("%Y-%m-%dT%H:%M"), **changes}


def file(incident, kind, actor, **changes):
    data = {**REPORT, "event_time": hours_ago(31), **changes}
    return services.report_file(incident, actor=actor, kind=kind, **data)
