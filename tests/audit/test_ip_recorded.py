"""Issue 15: "the IP is blank for uploads, approvals, form exports, project and notice
events". Each kind is done here through its real page from 203.0.113.7; every audit row the
request leaves (including those written by services deep below the view) names that address."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from tests.conftest import pdf
from tests.rosters.files import person_row, xlsx

IP = "203.0.113.7"


@pytest.fixture
def page_as():
    """A test client logged in as ``user`` whose requests come from IP (log in before the
    ``rows_of`` block: force_login's own LOGIN row is written outside any request)."""
    def login(user):
        client = Client(REMOTE_ADDR=IP)
        client.force_login(user)
        return client
    return login


class rows_of:
    """``with rows_of(AuditAction.X) as rows:`` the rows the block left (rows.all, rows.of)."""

    def __init__(self, action):
        self.action = action

    def __enter__(self):
        self.before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return self

    def __exit__(self, *exc):
        self.all = list(AuditEvent.objects.filter(pk__gt=self.before).order_by("pk"))
        self.of = [r for r in self.all if r.action == self.action]

    def assert_from_ip(self):
        assert self.of, f"no {self.action} row among {[(r.action, r.detail) for r in self.all]}"
        assert {r.ip for r in self.all} == {IP}, [(r.action, r.ip) for r in self.all]


def test_an_upload_and_its_commit_keep_the_address(world, page_as):
    page = page_as(world.unit_u1)
    with rows_of(AuditAction.UPLOAD) as received:
        response = page.post(reverse("rosters:upload_list"), {
            "kind": "registration", "stage_date": "2026-03-02",
            "file": SimpleUploadedFile("名册.xlsx", xlsx([person_row(31)]))})
    assert response.status_code == 302
    received.assert_from_ip()
    upload_id = received.of[-1].object_id
    with rows_of(AuditAction.UPLOAD) as committed:
        page.post(reverse("rosters:upload_commit", args=[upload_id]))
    committed.assert_from_ip()
    assert all(r.upload_id == int(upload_id) for r in committed.all)  # the person's rows too


def test_an_id_copy_upload_keeps_the_address(world, page_as):
    page = page_as(world.unit_u1)
    with rows_of(AuditAction.UPLOAD) as rows:
        response = page.post(
            reverse("evidence:evidence_upload", args=[world.person_ty.pk]),
            {"kind": "id_copy", "candidacy": "", "file": pdf()})
    assert response.status_code == 302
    rows.assert_from_ip()


def test_a_filing_approval_keeps_the_address(world, page_as):
    page = page_as(world.province)
    with rows_of(AuditAction.APPROVE) as rows:
        page.post(reverse("orgs:filing_decide", args=[world.filing_ty.pk]),
                                     {"decision": "approved", "note": ""})
    rows.assert_from_ip()
    assert rows.of[-1].object_id == str(world.filing_ty.pk)


def test_each_step_of_a_claims_approval_keeps_the_address(world, departed, page_as):
    from apps.subsidies.services import claim_create
    claim = claim_create(actor=world.unit_u1, phase="departure",
                         training_class=departed[0], bank_name="中国银行太原分行",
                         account_name="山西大学", account_no="6216 6000 0000 1234")
    steps = [(world.unit_u1, "submit", {}, AuditAction.CLAIM),
             (world.city_ty, "review", {"reason": ""}, AuditAction.APPROVE),
             (world.province, "approve", {"reason": ""}, AuditAction.APPROVE),
             (world.province, "pay", {"paid_on": f"{timezone.localdate()}", "voucher_no": "晋财2026-002"},
              AuditAction.APPROVE)]
    for user, action, data, audit_action in steps:
        page = page_as(user)
        with rows_of(audit_action) as rows:
            page.post(reverse("subsidies:claim_action", args=[claim.pk, action]), data)
        rows.assert_from_ip()
        assert rows.of[-1].actor == user, action
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_a_project_approval_and_a_return_keep_the_address(world, page_as):
    from apps.projects.services import project_submit
    project_submit(world.project_a1_draft, actor=world.agency_a1)
    review = reverse("projects:project_review", args=[world.project_a1_draft.pk])
    province = page_as(world.province)
    with rows_of(AuditAction.APPROVE) as returned:
        province.post(review, {"return": "1", "r-reason": "薪资描述不清"})
    returned.assert_from_ip()
    project_submit(world.project_a1_draft, actor=world.agency_a1)
    with rows_of(AuditAction.APPROVE) as approved:
        province.post(review, {"a-review_no": "晋商审〔2026〕9号",
                                              "a-review_form": pdf("审查表.pdf")})
    approved.assert_from_ip()
    assert "晋商审〔2026〕9号" in approved.of[-1].detail


def test_a_disclosure_decision_keeps_the_address(world, page_as):
    from apps.disclosures.models import Disclosure, DisclosureForm
    d = Disclosure.objects.create(form=DisclosureForm.FORM5, purpose="medical",
                                  purpose_text="出境体检", people_count=1, org_name="山西大学",
                                  requested_by=world.unit_u1)
    d.people.set([world.person_ty])
    page = page_as(world.province)
    with rows_of(AuditAction.DISCLOSURE) as rows:
        page.post(reverse("disclosures:request_decide", args=[d.pk]),
                                     {"decision": "approve", "reason": ""})
    rows.assert_from_ip()
    d.refresh_from_db()
    assert d.status == "granted"


@pytest.mark.parametrize("who, url", [
    ("city_ty", lambda w: "/rosters/forms/1/2020.xlsx"),
    ("unit_u1", lambda w: f"/rosters/forms/5/{w.person_ty.pk}.xlsx"),
    ("unit_u1", lambda w: reverse("subsidies:export_form8", args=[w.claim_ty.pk])),
])
def test_a_form_export_keeps_the_address(world, page_as, who, url):
    page = page_as(getattr(world, who))
    with rows_of(AuditAction.EXPORT) as rows:
        response = page.get(url(world))
    assert response.status_code == 200
    rows.assert_from_ip()


PROJECT = {"name": "日本建筑项目", "country": "日本", "employer": "株式会社やまと", "trade": "建筑",
           "headcount": 20, "requirements": "", "pay": "", "hours": "", "contract_term": "",
           "service_fee": ""}


def test_each_project_event_keeps_the_address(world, page_as):
    from apps.projects.models import JobProject
    agency = page_as(world.agency_a1)
    with rows_of(AuditAction.PROJECT) as drafted:
        agency.post(reverse("projects:project_create"), PROJECT)
    drafted.assert_from_ip()
    project = JobProject.objects.get(name="日本建筑项目")
    for name in ("project_edit", "project_submit"):
        with rows_of(AuditAction.PROJECT) as rows:
            agency.post(reverse(f"projects:{name}", args=[project.pk]),
                        {**PROJECT, "headcount": 25})
        rows.assert_from_ip()
    unit = page_as(world.unit_u2)
    with rows_of(AuditAction.PROJECT) as docked:
        unit.post(reverse("projects:project_dock", args=[world.project_a1.pk]),
                                    {"planned": 5, "signed_on": "", "agreement": ""})
    docked.assert_from_ip()
    with rows_of(AuditAction.PROJECT) as closed:
        agency.post(reverse("projects:project_close", args=[world.project_a1.pk]))
    closed.assert_from_ip()
    project.refresh_from_db()
    world.project_a1.refresh_from_db()
    assert (project.status, project.headcount, world.project_a1.status) == (
        "submitted", 25, "closed")


def test_a_notice_created_and_edited_keeps_the_address(world, page_as):
    from apps.publicity.models import Notice
    page = page_as(world.province)
    fields = {"title": "2026年补助标准", "source": "晋人社厅函〔2026〕1号", "body": "标准如下",
              "published": "on"}
    with rows_of(AuditAction.NOTICE) as created:
        page.post(reverse("publicity:notice_create"), fields)
    created.assert_from_ip()
    notice = Notice.objects.get(title="2026年补助标准")
    with rows_of(AuditAction.NOTICE) as edited:
        page.post(reverse("publicity:notice_edit", args=[notice.pk]),
                  {**fields, "body": "标准如下（修订）"})
    edited.assert_from_ip()
    assert {r.object_id for r in created.of + edited.of} == {str(notice.pk)}
    notice.refresh_from_db()
    assert notice.body == "标准如下（修订）" and notice.published_on is not None


def test_the_address_is_the_clients_not_a_spoofed_header(world):
    """A client cannot write another address into the log with a forwarded-for header
    (no proxy is trusted here): the row keeps the address the connection came from."""
    client = Client(REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR="198.51.100.66")
    client.force_login(world.city_ty)
    with rows_of(AuditAction.EXPORT) as rows:
        client.get("/rosters/forms/1/2020.xlsx")
    rows.assert_from_ip()
