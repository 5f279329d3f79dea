"""Money follows the event (docs/TIME-RULES.md): a phase's claim only after its event, the
standards year from the event's date (never typed), a late claim's working days shown to the
reviewer, and each claimed person linked to the records and evidence behind the name."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.evidence.services import evidence_attach
from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_record
from apps.subsidies import services
from apps.subsidies.forms import ClaimForm
from apps.subsidies.models import Claim, ClaimStep, Standard
from apps.training import services as training
from apps.training.models import TrainingClass
from tests.conftest import pdf
from tests.subsidies.conftest import set_standards
from tests.subsidies.test_claims import BANK, file_departure
from tests.training.test_classes import INTENSIVE, passed_second_interview, people


def _examined_not_trained(world, n=800):
    """Someone who failed the medical: claimable for 初试 and 体检 in an 开班 claim."""
    from apps.pipeline.services import candidacy_open
    (p,) = people(world.unit_u1, 1, n)
    c = candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 2))
    candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=date(2026, 3, 3),
                     actor=world.unit_u1)
    candidacy_record(c, stage=Stage.MEDICAL, result=Result.FAIL, on=date(2026, 3, 4),
                     actor=world.unit_u1)


def test_an_opening_claim_waits_for_the_recorded_opening(world, standards):
    """The issue: a class planned for 21 December, "opened" on 2 December without a date, and
    an 开班 claim at once. The opening is refused, and so is the claim."""
    _examined_not_trained(world)
    today = timezone.localdate()
    cls = training.class_create(actor=world.unit_u1, **{
        **INTENSIVE, "opens_on": today + timedelta(days=19),
        "course_starts_on": today + timedelta(days=19), "ends_on": today + timedelta(days=40)})
    c = passed_second_interview(world, people(world.unit_u1, 1, 810)[0])
    training.enrol(cls, actor=world.unit_u1, candidacies=[c])
    training.roster_file(cls, actor=world.unit_u1)
    with pytest.raises(ValidationError):
        training.class_open(cls, actor=world.unit_u1, on=today)
    with pytest.raises(ValidationError, match="还不能申请"):
        services.claim_create(actor=world.unit_u1, phase="opening", training_class=cls, **BANK)
    # Forced to "open" around the service, with no recorded date: still no money.
    TrainingClass.objects.filter(pk=cls.pk).update(status="open")
    with pytest.raises(ValidationError, match="尚未记录开班日期"):
        services.claim_create(actor=world.unit_u1, phase="opening", training_class=cls, **BANK)
    # ... or with a recorded date that lies ahead.
    TrainingClass.objects.filter(pk=cls.pk).update(opened_on=today + timedelta(days=19))
    with pytest.raises(ValidationError, match="晚于今天"):
        services.claim_create(actor=world.unit_u1, phase="opening", training_class=cls, **BANK)
    assert not Claim.objects.filter(training_class=cls).exists()


def test_the_standards_year_is_the_opening_year_never_typed(world, client):
    """The issue: 2020 standards taken for a 2026 class. The form has no year; a forged one is
    ignored; with no standards for the opening's year the claim is refused, saying why."""
    set_standards(world, 2020)
    Standard.objects.filter(year=2026).delete()
    _examined_not_trained(world)
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    c = passed_second_interview(world, people(world.unit_u1, 1, 820)[0])
    training.enrol(cls, actor=world.unit_u1, candidacies=[c])
    training.roster_file(cls, actor=world.unit_u1)
    training.class_open(cls, actor=world.unit_u1, on=date(2026, 4, 1))
    assert "year" not in ClaimForm(classes=TrainingClass.objects.none()).fields
    client.force_login(world.unit_u1)
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "opening", "training_class": cls.pk, "year": "2020", **BANK})
    assert "尚未设置2026年“初试”的补助标准（标准年度按开班日期2026-04-01确定）" in \
        response.content.decode()
    assert not Claim.objects.filter(training_class=cls).exists()
    set_standards(world, 2026, scale=2)
    response = client.post(reverse("subsidies:claim_create"), {
        "phase": "opening", "training_class": cls.pk, "year": "2020", **BANK}, follow=True)
    claim = response.context["claim"]
    assert (claim.year, claim.event_on) == (2026, date(2026, 4, 1))
    standards = dict(claim.lines.values_list("item", "standard"))
    assert (standards["first_interview"], standards["medical"]) == (Decimal("100.00"),
                                                                   Decimal("600.00"))
    assert "标准年度 2026 年按开班日期确定" in response.content.decode()


def _submitted_on(claim, day):
    ClaimStep.objects.filter(claim=claim, action="submit").update(
        at=timezone.make_aware(datetime.combine(day, time(10))))


def test_a_late_claim_shows_the_reviewer_how_late_in_working_days(world, departed, client):
    cls, group = departed  # departed Monday 1 June 2026: due 10 working days later, 15 June
    claim = file_departure(world, cls)
    assert claim.event_on == date(2026, 6, 1) and claim.year == 2026
    services.claim_submit(claim, actor=world.unit_u1)
    client.force_login(world.city_ty)
    url = reverse("subsidies:claim_detail", args=[claim.pk])
    _submitted_on(claim, date(2026, 6, 15))
    body = client.get(url).content.decode()
    assert "2026-06-15前" in body and "未逾期" in body
    _submitted_on(claim, date(2026, 6, 18))  # Tue 16, Wed 17, Thu 18
    body = client.get(url).content.decode()
    assert "于 2026-06-18 提交" in body and "逾期 3 个工作日" in body
    # A weekend does not count: submitted on Saturday 13 June is on time.
    _submitted_on(claim, date(2026, 6, 13))
    assert "未逾期" in client.get(url).content.decode()


def test_each_claimed_person_links_to_the_event_and_evidence_behind_the_name(
        world, departed, client):
    cls, group = departed
    claim = file_departure(world, cls)
    client.force_login(world.city_ty)
    url = reverse("subsidies:claim_detail", args=[claim.pk])
    client.get(url)  # the login's first request loads the session and the second factor
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for c in group[:2]:
        evidence_attach(person=c.person, kind="residence_card", uploaded=pdf("在留卡.pdf"),
                        actor=world.agency_a1, candidacy=c)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    b = [q["sql"][:200] for q in before.captured_queries]
    assert len(after) == len(before), "\n".join(
        q["sql"][:200] for q in after.captured_queries if q["sql"][:200] not in b)
    body = response.content.decode()
    for c in group[:2]:
        event = c.events.get(stage=Stage.DEPARTURE)
        doc = c.person.evidence.get(kind="residence_card")
        assert f'/registry/persons/{c.person_id}/#event-{event.pk}' in body or \
            f'{reverse("registry:person_detail", args=[c.person_id])}#event-{event.pk}' in body
        assert reverse("evidence:evidence_download", args=[doc.pk]) in body
        assert c.person.id_masked in body and c.person.id_number not in body
    # The link leads to the event on the person's page.
    page = client.get(reverse("registry:person_detail", args=[group[0].person_id])).content.decode()
    assert f'id="event-{group[0].events.get(stage=Stage.DEPARTURE).pk}"' in page
    # Another city's reviewer reaches neither the claim nor its documents.
    client.force_login(world.city_dt)
    assert client.get(url).status_code == 404
    doc = group[0].person.evidence.get(kind="residence_card")
    assert client.get(reverse("evidence:evidence_download", args=[doc.pk])).status_code == 404
