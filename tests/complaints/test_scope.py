"""Who sees a case: its organisations; a sensitive one only its named officers and its filer,
the province included; anything else is 404. Lists are scoped, paginated, masked, and their
query count does not grow with the rows."""
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.scoping import visible
from apps.complaints import services
from apps.complaints.models import Complaint, ComplaintStep
from apps.registry.idnumber import mask_id
from tests.complaints.conftest import act, file_case
from tests.conftest import OWN_ID, SENTINEL_PERSON, make_user, pdf


def detail(client, user, c):
    client.force_login(user)
    return client.get(reverse("complaints:complaint_detail", args=[c.pk])).status_code


def test_each_organisation_sees_its_own_cases_and_gets_404_for_the_other_citys(abroad, client):
    w = abroad
    own = file_case(w)
    foreign = file_case(w, actor=w.unit_u3, candidacy=w.cand_dt, respondent_agency=w.a2)
    for user in (w.province, w.city_ty, w.unit_u1, w.agency_a1):
        assert detail(client, user, own) == 200, user.username
    for user in (w.city_ty, w.unit_u1, w.unit_u2, w.agency_a1):
        assert detail(client, user, foreign) == 404, user.username
        assert act(client, foreign, "accept", on=date(2026, 9, 2)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.state == "received"
    for user in (w.unit_u2, w.unit_u3, w.city_dt, w.agency_a2):
        assert detail(client, user, own) == 404, user.username
    for user in (w.observer, w.sysadmin, w.auditor):
        client.force_login(user)
        assert client.get(reverse("complaints:complaint_detail", args=[own.pk])).status_code == 403
        assert not visible(Complaint.objects.all(), user).exists()


def test_the_respondent_agency_sees_the_case_it_must_answer(abroad, client):
    """A2 is not the worker's agency, but the case names it: it sees it and replies."""
    w = abroad
    c = file_case(w, respondent_agency=w.a2)
    assert detail(client, w.agency_a2, c) == 200
    services.complaint_accept(c, actor=w.unit_u1, on=date(2026, 9, 1))
    services.complaint_transfer(c, actor=w.unit_u1, on=date(2026, 9, 2))
    c.refresh_from_db()
    assert c.transferred_to == w.a2
    client.force_login(w.agency_a1)  # the worker's agency sees it but is not the one to reply
    assert act(client, c, "reply", on=date(2026, 9, 3), text="答复").status_code == 403
    client.force_login(w.agency_a2)
    assert act(client, c, "reply", on=date(2026, 9, 3), text="已核实").status_code == 302


def test_a_sensitive_case_is_seen_only_by_its_named_officers_and_its_filer(abroad, client):
    w = abroad
    second_officer = make_user("city_ty_2", "city", city=w.ty)
    c = file_case(w, actor=w.city_ty)
    client.force_login(w.city_ty)
    response = client.post(reverse("complaints:complaint_officers", args=[c.pk]),
                           {"sensitive": "on", "officers": [second_officer.pk]})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.sensitive and set(c.officers.all()) == {second_officer, w.city_ty}
    assert str(c) == f"TS2026-{c.pk:06d}（敏感案件）"
    for user in (second_officer, w.city_ty):
        assert detail(client, user, c) == 200
    # An unnamed officer of the same unit, the province, the agency: 404, and not in lists.
    for user in (w.unit_u1, w.province, w.agency_a1):
        assert detail(client, user, c) == 404, user.username
        client.force_login(user)
        body = client.get(reverse("complaints:complaint_list")).content.decode()
        assert c.number not in body
        assert not visible(ComplaintStep.objects.filter(complaint=c), user).exists()
        evidence_url = reverse("complaints:evidence_upload", args=[c.pk])
        assert client.get(evidence_url).status_code == 404


def test_an_officer_must_be_someone_who_could_see_the_case(abroad):
    from django.core.exceptions import ValidationError
    w = abroad
    c = file_case(w)
    with pytest.raises(ValidationError, match="无权查看该案件"):
        services.officers_set(c, actor=w.unit_u1, sensitive=True, officers=[w.city_dt])


def test_a_forged_worker_of_another_city_is_refused(abroad, client):
    w = abroad
    client.force_login(w.unit_u1)
    response = client.post(reverse("complaints:complaint_create"), {
        "candidacy": w.cand_dt.pk, "channel": "phone", "received_on": "2026-09-01",
        "kind": "complaint", "category": "wages", "respondent_kind": "employer",
        "respondent_employer": "X", "summary": "x"})
    assert response.status_code == 200 and "candidacy" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_the_list_and_export_are_scoped_masked_and_filtered(abroad, client):
    w = abroad
    own = file_case(w)
    file_case(w, actor=w.unit_u3, candidacy=w.cand_dt, respondent_agency=w.a2)
    services.complaint_accept(own, actor=w.unit_u1, on=date(2026, 9, 1))
    client.force_login(w.city_ty)
    body = client.get(reverse("complaints:complaint_list")).content.decode()
    assert own.number in body and SENTINEL_PERSON not in body
    assert "已逾期" in body  # due 29 Sep 2026
    response = client.get(reverse("complaints:complaint_export"), {"overdue": "1"})
    cells = [str(v) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(
        values_only=True) for v in row if v is not None]
    assert mask_id(OWN_ID) in cells and OWN_ID not in cells and SENTINEL_PERSON not in cells
    assert "筛选条件：逾期：仅逾期" in cells
    empty = client.get(reverse("complaints:complaint_list"), {"state": "closed"})
    assert own.number not in empty.content.decode()


def test_list_queries_do_not_grow_with_rows(abroad, client, django_assert_max_num_queries):
    w = abroad
    client.force_login(w.unit_u1)
    url = reverse("complaints:complaint_list")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    file_case(w)
    one = count()
    for _ in range(6):
        services.complaint_accept(file_case(w), actor=w.unit_u1, on=date(2026, 9, 1))
    with django_assert_max_num_queries(one):
        client.get(url)


def test_evidence_is_checked_by_content_and_served_only_in_scope(abroad, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    w = abroad
    c = file_case(w)
    client.force_login(w.unit_u1)
    url = reverse("complaints:evidence_upload", args=[c.pk])
    fake = SimpleUploadedFile("工资条.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"description": "工资条", "file": fake})
    assert response.status_code == 200 and "文件类型不受支持" in response.content.decode()
    assert client.post(url, {"description": "工资条", "file": pdf()}).status_code == 302
    evidence = c.evidence.get()
    download = reverse("complaints:evidence_download", args=[evidence.pk])
    assert client.get(download).status_code == 200
    client.force_login(w.unit_u3)
    assert client.get(download).status_code == 404


def test_the_nav_shows_complaints_to_the_four_organisations_only(abroad, client):
    w = abroad
    url = reverse("complaints:complaint_list")
    for user in (w.province, w.city_ty, w.unit_u1, w.agency_a1):
        client.force_login(user)
        assert f'href="{url}"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(w.observer)
    assert f'href="{url}"' not in client.get(reverse("accounts:home")).content.decode()


def test_an_agency_files_for_its_worker_and_the_unit_handles_it(abroad, client):
    w = abroad
    client.force_login(w.agency_a1)
    response = client.post(reverse("complaints:complaint_create"), {
        "candidacy": w.cand_ty.pk, "channel": "online", "received_on": "2026-09-01",
        "kind": "complaint", "category": "safety", "respondent_kind": "employer",
        "respondent_employer": "株式会社さくら", "summary": "雇主扣押护照。"})
    assert response.status_code == 302
    c = Complaint.objects.get()
    assert (c.filed_role, c.filed_agency, c.level, c.respondent_employer) == (
        "agency", w.a1, "unit", "株式会社さくら")
    assert act(client, c, "accept", on=date(2026, 9, 2)).status_code == 403
    client.force_login(w.unit_u1)
    assert act(client, c, "accept", on=date(2026, 9, 2)).status_code == 302
