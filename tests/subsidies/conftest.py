from datetime import date
from decimal import Decimal

import pytest

from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.subsidies.models import StandardYear
from apps.subsidies.services import standard_set, standards_publish
from apps.training import services as training
from tests.training.test_classes import INTENSIVE, passed_second_interview, people

STANDARDS = {"first_interview": ("50", "employment"), "medical": ("300", "employment"),
             "second_interview": ("50", "employment"), "training_advance": ("1000", "skills"),
             "interview_award": ("200", "employment"), "training_fee": ("2000", "skills"),
             "training_award": ("500", "employment"), "training_balance": ("1000", "skills"),
             "departure_fee": ("3000", "employment"), "employment_award": ("2000", "employment"),
             "standing_class": ("600", "skills")}


def set_standards(world, year, scale=1, items=None):
    """The province sets (and, for a new year, publishes) a year's standards, as on the page."""
    for item, (amount, fund) in STANDARDS.items():
        if items is None or item in items:
            standard_set(actor=world.province, year=year, item=item,
                         amount=Decimal(amount) * scale, fund=fund)
    if StandardYear.objects.filter(year=year, status="draft").exists():
        standards_publish(actor=world.province, year=year)


@pytest.fixture
def standards(world):
    set_standards(world, 2026)


@pytest.fixture
def departed(world, standards):
    """A class of three trained at 山西大学: two departed, one did not pass training."""
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    group = [passed_second_interview(world, p) for p in people(world.unit_u1, 3, 100)]
    for c in group:
        candidacy_record(c, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    enrolments = training.enrol(cls, actor=world.unit_u1, candidacies=group)
    training.roster_file(cls, actor=world.unit_u1)
    training.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    training.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30), rows=[
        (enrolments[0], Decimal(160), "pass", "SX-1"), (enrolments[1], Decimal(160), "pass", "SX-2"),
        (enrolments[2], Decimal(100), "fail", "")])
    for i, c in enumerate(group[:2]):
        c.refresh_from_db()
        candidacy_record(c, stage=Stage.DEPARTURE, result=Result.DEPARTED, on=date(2026, 6, 1),
                         actor=world.agency_a1, passport_no=f"E1234567{i}",
                         residence_status_no=f"R{i}", country="日本", departure_trade="介护",
                         employer="株式会社さくら")
    cls.refresh_from_db()
    return cls, group
