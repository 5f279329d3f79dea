"""Issue 22: while the system was down, the agency reported an incident by fax; entered
afterwards (补录) with the fax's time and number, the report counts as filed then, on time."""
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.incidents.models import IncidentReport
from apps.incidents.rules import FIRST_RULE, FOLLOWUP_RULE
from apps.outages.models import LateEntry, LateEntryKind
from apps.outages.services import outage_declare
from tests.incidents.conftest import hours_ago, record, report_post


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_report_faxed_during_a_system_outage_and_entered_later_counts_on_time(abroad, client):
    w = abroad
    incident = record(w)  # grade Ⅲ learned of 30 hours ago: the first report was due 6 hours ago
    first = DeadlineItem.objects.get(subject_id=incident.pk, rule__code=FIRST_RULE)
    faxed = hours_ago(10).replace(second=0, microsecond=0)
    url = reverse("incidents:report_file", args=[incident.pk, "first"])
    client.force_login(w.agency_a1)

    def post(**changes):
        return client.post(url, report_post(expected="first", **changes))

    # No period declared yet: a paper time is refused, nothing filed.
    response = post(paper_at=_local(faxed), paper_form_no="传真-0017")
    assert "不在已登记的" in response.content.decode()
    outage_declare(actor=w.province, kind="system", reason="系统机房故障停机",
                   starts_on=timezone.localdate(hours_ago(30)), ends_on=timezone.localdate(),
                   scope="all")
    # Before the incident was learned of, in the future, or without a number: refused.
    for changes, message in [
            ({"paper_at": _local(hours_ago(31)), "paper_form_no": "传真-0017"}, "不能早于获知时间"),
            ({"paper_at": _local(timezone.now() + timedelta(hours=2)),
              "paper_form_no": "传真-0017"}, "不能晚于现在"),
            ({"paper_at": _local(faxed)}, "补录须填写纸质表单编号")]:
        assert message in post(**changes).content.decode(), changes
    assert not IncidentReport.objects.exists()

    assert post(paper_at=_local(faxed), paper_form_no="传真-0017").status_code == 302
    report = IncidentReport.objects.get()
    assert (report.filed_at, report.late, report.paper_form_no, report.filed_by) == (
        faxed, False, "传真-0017", w.agency_a1)
    first.refresh_from_db()
    assert (first.status, first.done_at) == (ItemStatus.DONE, faxed)
    # The next 续报 is counted from the fax, 24 hours on.
    follow = DeadlineItem.objects.get(subject_id=incident.pk, rule__code=FOLLOWUP_RULE)
    assert follow.due_at == faxed + timedelta(hours=24)
    entry = LateEntry.objects.get()
    assert (entry.kind, entry.subject, entry.on_time, entry.form_no, entry.agency) == (
        LateEntryKind.INCIDENT, report, True, "传真-0017", w.a1)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "补录" in page and "传真-0017" in page
