"""Issue 22: the agency's offices lost power for three days; its written reply, made on paper
on one of them, is entered afterwards (补录) with its date and number, and counts on time."""
from datetime import date

from apps.complaints import services
from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.outages.models import LateEntry, LateEntryKind
from apps.outages.services import outage_declare
from tests.complaints.conftest import act, file_case


def test_a_reply_made_on_paper_during_the_agencys_outage_counts_on_time(abroad, client):
    w = abroad
    c = file_case(w)
    services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1))
    services.complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 2))
    outage_declare(actor=w.province, kind="power", reason="机构办公楼停电", scope="orgs",
                   starts_on=date(2026, 9, 7), ends_on=date(2026, 9, 9), agencies=[w.a1])
    # The reply was due 9 Sep; three of its working days were lost: due Mon 14 Sep. The
    # resolution, owed by the unit, is not the agency's: not moved.
    reply = DeadlineItem.objects.get(subject_id=c.pk, rule__code="complaint_reply")
    resolve = DeadlineItem.objects.get(subject_id=c.pk, rule__code="complaint_resolve")
    assert (reply.due_on, reply.outage_days) == (date(2026, 9, 14), 3)
    assert resolve.outage_days == 0
    client.force_login(w.agency_a1)
    refused = act(client, c, "reply", on=date(2026, 9, 10), text="已联系雇主",
                  paper_form_no="复函-2026-01")
    assert "不在已登记的" in refused.content.decode()
    assert not c.steps.filter(action="reply").exists()
    done = act(client, c, "reply", on=date(2026, 9, 8), text="已联系雇主，同意补发工资。",
               paper_form_no="复函-2026-01")
    assert done.status_code == 302
    reply.refresh_from_db()
    assert reply.status == ItemStatus.DONE
    step = c.steps.get(action="reply")
    assert (step.on, step.paper_form_no, step.by) == (date(2026, 9, 8), "复函-2026-01",
                                                      w.agency_a1)
    entry = LateEntry.objects.get()
    assert (entry.kind, entry.subject, entry.on_time, entry.due_on, entry.agency) == (
        LateEntryKind.COMPLAINT, step, True, date(2026, 9, 14), w.a1)
    page = client.get(c.get_absolute_url()).content.decode()
    assert "补录" in page and "复函-2026-01" in page
