"""Claims paid in stages against verified records: amounts from standards, a person once per
item, a count that cannot disagree with the records, returns and resubmission."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.deadlines.models import DeadlineItem
from apps.subsidies import services
from apps.subsidies.models import ClaimedPerson, ClaimStep
from apps.training.services import spot_check_record
from tests.subsidies.conftest import set_standards

BANK = dict(bank_name="中国银行太原分行", account_name="山西大学", account_no="6216 6000 0000 1234")


def file_departure(world, cls=None):
    return services.claim_create(actor=world.unit_u1, phase="departure",
                                 training_class=cls, **BANK)


def test_a_departure_claim_is_counted_from_the_records(world, departed):
    cls, group = departed
    claim = file_departure(world, cls)
    lines = {line.item: line for line in claim.lines.all()}
    assert {k: (v.count, v.standard, v.amount) for k, v in lines.items()} == {
        "training_balance": (2, Decimal("1000"), Decimal("2000")),
        "departure_fee": (2, Decimal("3000"), Decimal("6000")),
        "employment_award": (2, Decimal("2000"), Decimal("4000")),
    }
    assert (claim.employment_total, claim.skills_total, claim.total) == (
        Decimal("10000"), Decimal("2000"), Decimal("12000"))
    names = set(ClaimedPerson.objects.filter(line__claim=claim)
                .values_list("person__name", flat=True))
    assert names == {group[0].person.name, group[1].person.name}  # not the one who failed


def test_the_same_people_cannot_be_claimed_twice(world, departed):
    cls, _ = departed
    file_departure(world, cls)
    with pytest.raises(ValidationError, match="没有可以申请"):
        file_departure(world, cls)
    # Not only a check: the database refuses a second row for a person and an item.
    first = ClaimedPerson.objects.filter(item="departure_fee").first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO subsidies_claimedperson (line_id, item, person_id) "
                       "VALUES (%s, %s, %s)", [first.line_id, "departure_fee", first.person_id])


def test_an_amount_that_is_not_count_times_standard_is_impossible(world, departed):
    claim = file_departure(world, departed[0])
    line = claim.lines.get(item="departure_fee")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(amount=Decimal("9999"))


def test_a_count_that_does_not_match_its_people_stops_the_claim(world, departed):
    claim = file_departure(world, departed[0])
    line = claim.lines.get(item="departure_fee")
    # Someone edits the count and the amount together in the database: the check holds,
    # but the names behind the count do not.
    type(line).objects.filter(pk=line.pk).update(count=3, amount=Decimal("9000"))
    with pytest.raises(ValidationError, match="人数为3，但名单上有2人"):
        services.claim_submit(claim, actor=world.unit_u1)


def test_the_flow_with_a_return_and_a_resubmission(world, departed):
    claim = file_departure(world, departed[0])
    services.claim_submit(claim, actor=world.unit_u1)
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim, actor=world.city_ty)  # the city reviews, not approves
    with pytest.raises(PermissionDenied):
        services.claim_review(claim, actor=world.city_dt)  # not 大同's jurisdiction
    with pytest.raises(ValidationError, match="退回原因"):
        services.claim_return(claim, actor=world.city_ty, reason=" ")
    services.claim_return(claim, actor=world.city_ty, reason="账户名称与公章不一致")
    claim.refresh_from_db()
    assert (claim.status, claim.return_reason) == ("returned", "账户名称与公章不一致")
    services.claim_submit(claim, actor=world.unit_u1)
    services.claim_review(claim, actor=world.city_ty)
    services.claim_approve(claim, actor=world.province)
    payment = services.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(),
                                 voucher_no="晋财2026-001")
    assert payment.amount == Decimal("12000")
    steps = list(ClaimStep.objects.filter(claim=claim).values_list("round", "action"))
    assert steps == [(1, "submit"), (1, "return"), (2, "submit"), (2, "review"),
                     (2, "approve"), (2, "pay")]
    with pytest.raises(ValidationError, match="已拨付"):
        services.claim_pay(claim, actor=world.province, paid_on=timezone.localdate(), voucher_no="x")


def test_withdrawing_frees_the_people(world, departed):
    claim = file_departure(world, departed[0])
    services.claim_withdraw(claim, actor=world.unit_u1)
    assert not ClaimedPerson.objects.filter(line__claim=claim).exists()
    assert file_departure(world, departed[0]).total == Decimal("12000")


def test_a_record_changed_after_filing_stops_the_review(world, departed):
    cls, group = departed
    claim = file_departure(world, cls)
    services.claim_submit(claim, actor=world.unit_u1)
    # The departure turns out never to have happened (corrected in the records).
    type(group[0]).objects.filter(pk=group[0].pk).update(departed_on=None)
    with pytest.raises(ValidationError, match="已不符合申请条件"):
        services.claim_review(claim, actor=world.city_ty)


def test_nothing_departed_nothing_to_claim(world):
    with pytest.raises(ValidationError, match="没有已出国且尚未申请的人员"):
        services.claim_create(actor=world.unit_u1, phase="departure", **BANK)


def test_opening_claims_need_an_opened_class_and_count_the_not_trained(world, standards):
    from tests.training.test_classes import INTENSIVE, people
    from apps.pipeline.models import Result, Stage
    from apps.pipeline.services import candidacy_open, candidacy_record
    from apps.training import services as training
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    with pytest.raises(ValidationError, match="还不能申请"):
        services.claim_create(actor=world.unit_u1, phase="opening",
                              training_class=cls, **BANK)
    # Two examined and not trained: one failed the medical, one passed 初试 then was absent.
    a, b = people(world.unit_u1, 2, 200)
    ca = candidacy_open(person=a, project=world.project_a1, actor=world.unit_u1, on=date(2026, 3, 2))
    candidacy_record(ca, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=date(2026, 3, 3),
                     actor=world.unit_u1)
    candidacy_record(ca, stage=Stage.MEDICAL, result=Result.FAIL, on=date(2026, 3, 4),
                     actor=world.unit_u1)
    cb = candidacy_open(person=b, project=world.project_a1, actor=world.unit_u1, on=date(2026, 3, 2))
    candidacy_record(cb, stage=Stage.FIRST_INTERVIEW, result=Result.PASS, on=date(2026, 3, 3),
                     actor=world.unit_u1)
    candidacy_record(cb, stage=Stage.MEDICAL, result=Result.ABSENT, on=date(2026, 3, 4),
                     actor=world.unit_u1)
    type(cls).objects.filter(pk=cls.pk).update(status="open", opened_on=cls.opens_on)
    cls.refresh_from_db()
    claim = services.claim_create(actor=world.unit_u1, phase="opening",
                                  training_class=cls, **BANK)
    counts = dict(claim.lines.values_list("item", "count"))
    assert counts == {"first_interview": 2, "medical": 1}  # the absent one had no medical


def test_a_standing_class_is_paid_half_and_not_after_a_failed_spot_check(world, standards):
    from apps.training.models import StandingMember
    from tests.training.test_classes import people
    cls = world.standing_ty
    StandingMember.objects.bulk_create([StandingMember(training_class=cls, person=p)
                                        for p in people(world.unit_u1, 29, 300)])
    type(cls).objects.filter(pk=cls.pk).update(status="open", opened_on=cls.opens_on)
    cls.refresh_from_db()
    from django.utils import timezone
    from apps.training.models import WeeklyHours
    from apps.training.rules import teaching_weeks
    WeeklyHours.objects.bulk_create([  # every week taught so far, 4 hours each
        WeeklyHours(training_class=cls, week_of=w, hours=4, recorded_by=world.unit_u1)
        for w in teaching_weeks(cls, timezone.localdate())])
    claim = services.claim_create(actor=world.unit_u1, phase="standing_opening",
                                  training_class=cls, **BANK)
    line = claim.lines.get()
    assert (line.item, line.count, line.standard, line.amount) == (
        "standing_first", 30, Decimal("300.00"), Decimal("9000.00"))
    assert claim.skills_total == Decimal("9000.00")
    services.claim_submit(claim, actor=world.unit_u1)
    spot_check_record(cls, actor=world.province, checked_on=date(2026, 5, 6), inspector="李明",
                      findings="签到表代签", outcome="falsified")
    with pytest.raises(ValidationError, match="停止拨付"):
        services.claim_review(claim, actor=world.city_ty)
    type(cls).objects.filter(pk=cls.pk).update(status="ended", opened_on=cls.opens_on)
    cls.refresh_from_db()
    with pytest.raises(ValidationError, match="停止拨付"):
        services.claim_create(actor=world.unit_u1, phase="standing_after",
                              training_class=cls, **BANK)


def test_a_departure_owes_a_claim_and_submitting_it_closes_the_item(world, departed):
    cls, group = departed
    items = DeadlineItem.objects.filter(rule__code="claim", candidacy__in=group[:2])
    assert items.count() == 2 and {i.owner_role for i in items} == {"unit"}
    claim = file_departure(world, cls)
    services.claim_submit(claim, actor=world.unit_u1)
    assert set(items.values_list("status", flat=True)) <= {"done", "done_late"}


def test_budgets_are_filed_for_next_year_and_close_their_item(world):
    from django.utils import timezone
    from apps.deadlines.services import budget_items_open
    year = timezone.localdate().year + 1
    assert budget_items_open(year) == 2 + 3  # two cities and three units of the world
    assert budget_items_open(year) == 0
    with pytest.raises(ValidationError, match="只能报送下一年度"):
        services.budget_submit(actor=world.unit_u1, year=year + 1, planned_people=1,
                               amount=Decimal(1))
    services.budget_submit(actor=world.city_ty, year=year, planned_people=160,
                           amount=Decimal("1600000"))
    services.budget_submit(actor=world.city_ty, year=year, planned_people=170,
                           amount=Decimal("1700000"))  # corrected, still one
    item = DeadlineItem.objects.get(rule__code="budget", city=world.ty, owner_role="city")
    assert item.status in ("done", "done_late")
    from apps.subsidies.models import Budget
    assert Budget.objects.filter(year=year, city=world.ty, unit=None).get().amount == Decimal("1700000")


def test_a_standing_class_through_its_period_is_paid_in_two_halves(world, standards):
    from django.utils import timezone
    from apps.training import services as training
    from apps.training.models import WeeklyHours
    from apps.training.rules import teaching_weeks
    from tests.training.test_classes import STANDING, people
    # Opened in 2025, ended in 2026: each half is paid at its own event's year's standard.
    set_standards(world, 2025, items={"standing_class"})
    cls = training.class_create(actor=world.unit_u1, **{
        **STANDING, "opens_on": date(2025, 3, 3), "course_starts_on": date(2025, 3, 3),
        "first_term_ends_on": date(2025, 7, 11), "second_term_starts_on": date(2025, 9, 1),
        "ends_on": date(2026, 1, 16)})
    training.standing_members_add(cls, actor=world.unit_u1, persons=people(world.unit_u1, 30, 400))
    training.roster_file(cls, actor=world.unit_u1)
    cls = training.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    WeeklyHours.objects.bulk_create([
        WeeklyHours(training_class=cls, week_of=w, hours=2, recorded_by=world.unit_u1)
        for w in teaching_weeks(cls, timezone.localdate())])
    first = services.claim_create(actor=world.unit_u1, phase="standing_opening",
                                  training_class=cls, **BANK)
    with pytest.raises(ValidationError, match="还不能申请"):
        services.claim_create(actor=world.unit_u1, phase="standing_after",
                              training_class=cls, **BANK)
    cls = training.class_end(cls, actor=world.unit_u1, on=date(2026, 1, 16))
    training.info_file(cls, actor=world.unit_u1)
    item = cls.deadline_items.get(rule__code="standing_info")
    assert item.status in ("done", "done_late")
    second = services.claim_create(actor=world.unit_u1, phase="standing_after",
                                   training_class=cls, **BANK)
    assert first.total == second.total == Decimal("9000.00")  # 30 × 600 × 50%, twice
    assert (first.year, first.event_on, second.year, second.event_on) == (
        2025, date(2025, 3, 3), 2026, date(2026, 1, 16))


def test_someone_examined_twice_is_counted_once(world, standards):
    from apps.pipeline.models import Result, Stage
    from apps.pipeline.services import candidacy_open, candidacy_record
    from apps.training import services as training
    from tests.training.test_classes import INTENSIVE, people
    (p,) = people(world.unit_u1, 1, 500)
    for day in (3, 10):  # failed 初试 in March, tried again and failed again
        c = candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1,
                           on=date(2026, 3, day))
        candidacy_record(c, stage=Stage.FIRST_INTERVIEW, result=Result.FAIL,
                         on=date(2026, 3, day + 1), actor=world.unit_u1)
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    type(cls).objects.filter(pk=cls.pk).update(status="open", opened_on=cls.opens_on)
    cls.refresh_from_db()
    claim = services.claim_create(actor=world.unit_u1, phase="opening",
                                  training_class=cls, **BANK)
    assert dict(claim.lines.values_list("item", "count")) == {"first_interview": 1}
    services.claim_submit(claim, actor=world.unit_u1)  # and it verifies
