"""Issue 9 §2: every kind of event the issue lists reaches the audit log, done the way a user
does it (through the pages), with who did it. One test per kind, so a kind that stops being
audited fails by name."""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.audit.models import AuditAction, AuditEvent
from tests.conftest import OWN_ID, PASSWORD
from tests.rosters.files import person_row, xlsx


def events(action, actor=None):
    found = AuditEvent.objects.filter(action=action)
    return found.filter(actor=actor) if actor is not None else found


def test_a_login_is_audited(world):
    Client().post("/login/", {"username": "unit_u1", "password": PASSWORD})
    assert events(AuditAction.LOGIN, world.unit_u1).count() == 1


def test_a_failed_login_is_audited_without_the_password(world):
    Client().post("/login/", {"username": "unit_u1", "password": "Wrong-guess-1"})
    event = events(AuditAction.LOGIN_FAILED).get()
    assert event.detail == "用户名：unit_u1" and "Wrong" not in event.detail


def test_a_reveal_is_audited(world, client):
    client.force_login(world.unit_u1)
    response = client.post(f"/registry/persons/{world.person_ty.pk}/reveal/", {"field": "id_number"})
    assert response.status_code == 200 and OWN_ID in response.content.decode()
    event = events(AuditAction.REVEAL, world.unit_u1).get()
    assert event.object_id == str(world.person_ty.pk) and event.detail == "查看完整身份证号"


def test_a_search_by_id_is_audited_without_the_number(world, client):
    client.force_login(world.city_ty)
    client.get("/registry/persons/", {"q": OWN_ID})
    event = events(AuditAction.SEARCH_ID, world.city_ty).get()
    assert OWN_ID not in event.detail and OWN_ID[-4:] not in event.detail


def test_an_export_is_audited(world, client):
    client.force_login(world.city_ty)
    assert client.get("/rosters/forms/1/2020.xlsx").status_code == 200
    assert events(AuditAction.EXPORT, world.city_ty).count() == 1


def test_an_upload_and_its_commit_are_audited(world, client):
    client.force_login(world.unit_u1)
    response = client.post("/rosters/", {
        "kind": "registration", "stage_date": "2026-03-02",
        "file": SimpleUploadedFile("名册.xlsx", xlsx([person_row(7)]))})
    assert response.status_code == 302
    received = events(AuditAction.UPLOAD, world.unit_u1).latest("pk")
    assert "名册.xlsx" in received.detail
    assert client.post(f"/rosters/{received.object_id}/commit/").status_code == 302
    committed = events(AuditAction.UPLOAD, world.unit_u1).latest("pk")
    assert committed.pk != received.pk and "新增1人" in committed.detail


def test_an_evidence_upload_and_download_are_audited(world, client):
    from tests.conftest import pdf
    client.force_login(world.unit_u1)
    response = client.post(f"/evidence/persons/{world.person_ty.pk}/upload/",
                           {"kind": "id_copy", "candidacy": "", "file": pdf()})
    assert response.status_code == 302
    assert events(AuditAction.UPLOAD, world.unit_u1).filter(
        object_id=str(world.person_ty.pk), detail="证明材料").exists()
    assert client.get(f"/evidence/{world.evidence_ty.pk}/").status_code == 200
    assert events(AuditAction.DOWNLOAD, world.unit_u1).exists()


def test_a_filing_approval_is_audited(world, client):
    client.force_login(world.province)
    response = client.post(f"/orgs/filings/{world.filing_ty.pk}/decide/",
                           {"decision": "approved", "note": ""})
    assert response.status_code == 302
    event = events(AuditAction.APPROVE, world.province).get()
    assert event.object_id == str(world.filing_ty.pk)
    assert "太原某人力资源公司" in event.detail and "已备案" in event.detail


def test_an_agency_status_decision_is_audited(world, client):
    client.force_login(world.province)
    client.post(f"/orgs/agencies/{world.a1.pk}/status/", {"status": "suspended"})
    event = events(AuditAction.APPROVE, world.province).get()
    assert event.object_id == str(world.a1.pk) and "暂停" in event.detail


def test_a_lockout_is_audited(world, settings):
    anonymous = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anonymous.post("/login/", {"username": "unit_u1", "password": "Wrong-guess-1"})
    assert events(AuditAction.LOCKOUT).get().detail == "用户名：unit_u1"


def test_every_audit_call_names_a_known_action():
    """A free-text action would be unfilterable on the audit page: every call uses AuditAction."""
    import re
    from pathlib import Path
    apps = Path(__file__).resolve().parents[2] / "apps"
    literal = re.compile(r"audit_log\([^,()]+,\s*[\"']")
    found = [f"{p.relative_to(apps)}:{n}" for p in apps.rglob("*.py")
             for n, line in enumerate(p.read_text().splitlines(), 1) if literal.search(line)]
    assert not found, found


def test_every_row_written_while_serving_a_page_keeps_the_clients_address(world, client):
    """Services below the views (an upload's commit, an export) write audit rows without being
    handed the request; each still names the address it came from."""
    before = AuditEvent.objects.order_by("pk").last().pk
    client.force_login(world.unit_u1)
    assert client.get(f"/rosters/forms/5/{world.person_ty.pk}.xlsx").status_code == 200
    client.post("/rosters/", {"kind": "registration", "stage_date": "2026-03-02",
                              "file": SimpleUploadedFile("名册.xlsx", xlsx([person_row(8)]))},
                REMOTE_ADDR="10.1.2.3")
    received = events(AuditAction.UPLOAD, world.unit_u1).latest("pk")
    client.post(f"/rosters/{received.object_id}/commit/", REMOTE_ADDR="10.1.2.4")
    rows = AuditEvent.objects.filter(pk__gt=before).exclude(action=AuditAction.LOGIN)
    assert rows.count() >= 3
    assert not rows.filter(ip__isnull=True).exists(), list(rows.values("action", "ip"))
    assert set(rows.filter(action=AuditAction.UPLOAD).values_list("ip", flat=True)) == {
        "10.1.2.3", "10.1.2.4"}


def test_a_row_written_outside_any_request_has_no_address(world):
    from apps.audit.services import audit_log
    assert audit_log(None, AuditAction.PURGE, detail="x").ip is None
