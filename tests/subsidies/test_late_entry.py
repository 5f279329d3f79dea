"""Issue 22: a departure claim handed in on paper during a declared lockdown is entered
afterwards (补录) with its paper date and form number, and counts on time against the window
the lockdown extended."""
from datetime import date

from django.urls import reverse

from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.outages.models import LateEntry
from apps.outages.services import outage_declare
from apps.subsidies.models import ClaimStatus
from tests.subsidies.test_claims import file_departure


def test_a_claim_handed_in_on_paper_during_a_lockdown_counts_on_time(world, departed, client):
    cls, group = departed  # departed Mon 1 June 2026: the claim is due 10 working days after
    claim = file_departure(world, cls)
    # 太原 locked down Tue 2 – Wed 3 June: two working days do not count, due Wed 17 June.
    outage_declare(actor=world.province, kind="lockdown", reason="太原市疫情封控",
                   starts_on=date(2026, 6, 2), ends_on=date(2026, 6, 3), scope="cities",
                   cities=[world.ty])
    owed = DeadlineItem.objects.filter(rule__code="claim", candidacy__in=group[:2])
    assert {(i.due_on, i.outage_days) for i in owed} == {(date(2026, 6, 17), 2)}
    client.force_login(world.unit_u1)
    submit = reverse("subsidies:claim_action", args=[claim.pk, "submit"])
    detail = reverse("subsidies:claim_detail", args=[claim.pk])
    # A paper date outside the lockdown, a number without a date, an oversized number: refused.
    for posted, message in [
            ({"paper_on": "2026-06-05", "paper_form_no": "纸-8"}, "不在已登记的"),
            ({"paper_form_no": "纸-8"}, "补录须填写纸质提交日期"),
            ({"paper_on": "2026-06-03", "paper_form_no": "纸" * 51}, "不能超过50个字符")]:
        response = client.post(submit, posted, follow=True)
        assert message in response.content.decode(), posted
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.DRAFT
    assert not LateEntry.objects.exists()

    client.post(submit, {"paper_on": "2026-06-03", "paper_form_no": "附件8纸质-003"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    step = claim.steps.get(action="submit")
    assert (step.paper_on, step.paper_form_no, step.actor) == (date(2026, 6, 3), "附件8纸质-003",
                                                               world.unit_u1)
    assert {i.status for i in owed.all()} == {ItemStatus.DONE}
    entry = LateEntry.objects.get()
    assert (entry.subject, entry.on_time, entry.due_on, entry.unit) == (
        step, True, date(2026, 6, 17), world.u1)
    # The reviewer sees the extended due day, why, and that it was entered late from paper.
    client.force_login(world.city_ty)
    body = client.get(detail).content.decode()
    assert "2026-06-17前" in body and "于 2026-06-03 提交" in body and "未逾期" in body
    assert "太原市疫情封控" in body and "附件8纸质-003" in body
