"""The REST API's controls, each attacked (issue 23): the key, the two persons, the IP
allow-list, expiry and revocation; masking; the audit of every request; writes through the
pages' services with Chinese errors naming the field; cursor pages without counts."""
import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import AccountActionRefused, user_password_reset
from apps.api.models import ApiClient, Grant
from apps.api.services import apiclient_authorise, apiclient_create, apiclient_revoke
from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Candidacy, StageEvent
from apps.registry.idnumber import make_id, mask_id, mask_phone
from apps.registry.models import Person
from tests.api.clients import all_grants, call, make_client
from tests.conftest import OWN_ID, SENTINEL_PERSON

PERSONS = "/api/v1/persons/"


def _api_rows(client):
    return AuditEvent.objects.filter(action=AuditAction.API_REQUEST, object_type="api.ApiClient",
                                     object_id=str(client.pk)).order_by("pk")


# --- clients: two persons, the key, the account --------------------------------------------

def test_the_key_is_kept_only_as_its_hash_and_shown_once(world, client):
    client.force_login(world.sysadmin)
    response = client.post(reverse("api_clients:client_create"), {
        "name": "商务厅外派劳务系统", "purpose": "同步输出人员", "role": "agency", "agency": world.a1.pk,
        "grants": ["pipeline_read"], "ip_allowlist": "10.1.2.0/24",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(), "rate_limit": 60})
    assert response.status_code == 200
    api_client = ApiClient.objects.get(name="商务厅外派劳务系统")
    key = response.context["key"]
    assert key.startswith(f"lx_{api_client.prefix}_") and len(key) > 40
    assert "只显示这一次" in response.content.decode()
    assert api_client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apiclient WHERE id = %s", [api_client.pk])
        assert key not in str(cursor.fetchone())
    detail = client.get(reverse("api_clients:client_detail", args=[api_client.pk]))
    assert key not in detail.content.decode() and "待安全管理员授权" in detail.content.decode()
    # Pending: the key does not work yet.
    client.logout()
    assert call(client, "get", "/api/v1/cities/", key, ip="10.1.2.7").status_code == 401


def test_two_persons_create_and_authorise(world, client):
    api_client = make_client(world, Role.AGENCY, world.a1, authorise=False)
    with pytest.raises(PermissionDenied):
        apiclient_authorise(api_client, actor=world.sysadmin)  # its creator's role
    with pytest.raises(PermissionDenied):
        apiclient_create(actor=world.secadmin, name="x", purpose="x", role=Role.PROVINCE,
                         grants=["reference"], ip_allowlist="10.0.0.1",
                         expires_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(PermissionDenied):
        apiclient_authorise(api_client, actor=world.province)
    # The database keeps the two persons apart whatever the code says.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiClient.objects.filter(pk=api_client.pk).update(authorised_by=world.sysadmin,
                                                          authorised_at=timezone.now())
    response = call(client, "get", "/api/v1/cities/", api_client.key)
    assert response.status_code == 401 and "尚未经安全管理员授权" in response.json()["detail"]
    client.force_login(world.secadmin)
    assert client.post(reverse("api_clients:client_authorise", args=[api_client.pk])).status_code == 302
    client.logout()
    assert call(client, "get", "/api/v1/cities/", api_client.key).status_code == 200
    # A replayed authorisation changes nothing and says so.
    with pytest.raises(ValidationError, match="已授权"):
        apiclient_authorise(api_client, actor=world.secadmin)


def test_revoked_expired_wrong_and_malformed_keys_are_refused(world, client):
    api_client = make_client(world, Role.UNIT, world.u1)
    ok = call(client, "get", "/api/v1/cities/", api_client.key)
    assert ok.status_code == 200
    wrong = api_client.key[:-4] + ("AAAA" if not api_client.key.endswith("AAAA") else "BBBB")
    for key in (wrong, "lx_zz", "nonsense", api_client.key.replace("lx_", "xx_")):
        response = call(client, "get", "/api/v1/cities/", key)
        assert response.status_code == 401, key
        assert response.json()["detail"] == "接口密钥无效。"
    response = client.get("/api/v1/cities/", HTTP_AUTHORIZATION=f"Token {api_client.key}")
    assert response.status_code == 401
    ApiClient.objects.filter(pk=api_client.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = call(client, "get", "/api/v1/cities/", api_client.key)
    assert response.status_code == 401 and "过期" in response.json()["detail"]
    ApiClient.objects.filter(pk=api_client.pk).update(expires_on=timezone.localdate())
    assert call(client, "get", "/api/v1/cities/", api_client.key).status_code == 200  # the last day
    apiclient_revoke(api_client, actor=world.secadmin, reason="对方系统停用")
    response = call(client, "get", "/api/v1/cities/", api_client.key)
    assert response.status_code == 401 and "吊销" in response.json()["detail"]
    with pytest.raises(ValidationError, match="已吊销"):
        apiclient_revoke(api_client, actor=world.sysadmin, reason="再次")


def test_only_the_allowed_addresses_may_use_the_key(world, client):
    api_client = make_client(world, Role.CITY, world.ty, ips="10.1.2.0/24\n192.0.2.5")
    assert call(client, "get", "/api/v1/cities/", api_client.key, ip="10.1.2.200").status_code == 200
    assert call(client, "get", "/api/v1/cities/", api_client.key, ip="192.0.2.5").status_code == 200
    for ip in ("10.1.3.1", "192.0.2.6", "127.0.0.1"):
        response = call(client, "get", "/api/v1/cities/", api_client.key, ip=ip)
        assert response.status_code == 401, ip
        assert "来源地址" in response.json()["detail"]


@pytest.mark.parametrize("change,field", [
    ({"expires_on": date(2026, 1, 1)}, "expires_on"),                       # in the past
    ({"expires_on": "today"}, "expires_on"),                                 # not after today
    ({"expires_on": "two years"}, "expires_on"),                             # over a year
    ({"ip_allowlist": "0.0.0.0/0"}, "ip_allowlist"),                         # everyone
    ({"ip_allowlist": "10.0.0.1\n不是地址"}, "ip_allowlist"),
    ({"ip_allowlist": ""}, "ip_allowlist"),
    ({"grants": []}, "grants"),
    ({"grants": ["people_write"]}, "grants"),                                # an agency registering
    ({"grants": ["superuser"]}, "grants"),
    ({"role": Role.OBSERVER, "agency": None}, "role"),                       # unsuppressed figures
    ({"role": Role.SYSTEM_ADMIN, "agency": None}, "role"),
    ({"role": Role.UNIT}, "unit"),                                           # org of another role
    ({"rate_limit": 0}, "rate_limit"),
    ({"name": "  "}, "name"),
])
def test_a_client_is_refused_with_the_field_named(world, change, field):
    today = timezone.localdate()
    fields = dict(actor=world.sysadmin, name="机构后台", purpose="同步", role=Role.AGENCY,
                  agency=world.a1, grants=["pipeline_read"], ip_allowlist="10.0.0.1",
                  expires_on=today + timedelta(days=30))
    fields.update(change)
    if fields["expires_on"] == "today":
        fields["expires_on"] = today
    elif fields["expires_on"] == "two years":
        fields["expires_on"] = today + timedelta(days=730)
    before = ApiClient.objects.count()
    with pytest.raises(ValidationError) as error:
        apiclient_create(**fields)
    assert field in error.value.message_dict
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in error.value.message_dict[field])
    assert ApiClient.objects.count() == before


def test_a_clients_account_cannot_log_in_nor_be_reset_by_one_administrator(world, client):
    api_client = make_client(world, Role.UNIT, world.u1)
    account = api_client.user
    assert not account.has_usable_password()
    with pytest.raises(AccountActionRefused, match="接口客户端"):
        user_password_reset(account, password="Abcdefgh12!x", actor=world.sysadmin)
    response = client.post(reverse("accounts:login"), {"username": account.username,
                                                       "password": api_client.key})
    assert "_auth_user_id" not in client.session


# --- scope and masking ---------------------------------------------------------------------

def test_a_clients_rows_are_its_accounts_scope(world, client):
    unit = make_client(world, Role.UNIT, world.u1)
    body = call(client, "get", PERSONS, unit.key).json()
    names = {row["name"] for row in body["results"]}
    assert "张三" in names and SENTINEL_PERSON not in names
    assert call(client, "get", f"{PERSONS}{world.person_dt.pk}/", unit.key).status_code == 404
    assert call(client, "get", f"{PERSONS}999999/", unit.key).json() == \
        call(client, "get", f"{PERSONS}{world.person_dt.pk}/", unit.key).json()
    province = make_client(world, Role.PROVINCE)
    names = {row["name"] for row in call(client, "get", PERSONS, province.key).json()["results"]}
    assert {"张三", SENTINEL_PERSON} <= names


def test_numbers_are_masked_unless_granted(world, client):
    masked = make_client(world, Role.UNIT, world.u1,
                         grants=[g for g in all_grants(Role.UNIT) if g != Grant.FULL_NUMBERS])
    row = call(client, "get", f"{PERSONS}{world.person_ty.pk}/", masked.key).json()
    assert row["id_number"] == mask_id(OWN_ID) and row["phone"] == mask_phone("13800001234")
    listed = call(client, "get", PERSONS, masked.key).content.decode()
    assert OWN_ID not in listed and "13800001234" not in listed and mask_id(OWN_ID) in listed
    full = make_client(world, Role.UNIT, world.u1)
    row = call(client, "get", f"{PERSONS}{world.person_ty.pk}/", full.key).json()
    assert row["id_number"] == OWN_ID and row["phone"] == "13800001234"
    assert "含完整号码1人" in _api_rows(full).last().detail


def test_an_agency_gets_full_numbers_only_of_its_own_projects_people(world, client):
    """Like the pages' reveal (scoping.full_numbers_visible): a person of a partner unit with no
    candidacy on the agency's projects stays masked even with the grant."""
    from tests.audit.walk import new_person
    other = new_person(world)
    agency = make_client(world, Role.AGENCY, world.a1)
    rows = {r["id"]: r for r in call(client, "get", PERSONS, agency.key).json()["results"]}
    assert rows[world.person_ty.pk]["id_number"] == OWN_ID
    assert rows[other.pk]["id_number"] == mask_id(other.id_number)


# --- audit -----------------------------------------------------------------------------------

def test_every_request_reads_included_is_audited_with_the_client(world, client):
    api_client = make_client(world, Role.UNIT, world.u1)
    call(client, "get", PERSONS, api_client.key, ip="127.0.0.1")
    call(client, "get", f"{PERSONS}{world.person_ty.pk}/", api_client.key)
    call(client, "get", f"{PERSONS}{world.person_dt.pk}/", api_client.key)
    call(client, "get", PERSONS, api_client.key[:-2] + "zz")  # a wrong key naming the client
    rows = list(_api_rows(api_client))
    assert [r.detail.split(" → ")[1][:3] for r in rows] == ["200", "200", "404", "401"]
    assert rows[0].actor_id == api_client.user_id and rows[0].ip == "127.0.0.1"
    assert rows[0].detail.startswith(f"GET {PERSONS} → 200（1条）")
    assert f"/persons/{world.person_ty.pk}/" in rows[1].detail
    assert rows[3].actor_id is None  # refused: the client is named, nobody acted


def test_a_write_is_audited_by_its_service_and_names_the_client(world, client):
    api_client = make_client(world, Role.UNIT, world.u1)
    response = call(client, "post", f"/api/v1/candidacies/{world.cand_ty.pk}/stages/",
                    api_client.key, {"stage": "first_interview", "result": "pass",
                                     "happened_on": "2026-03-10"})
    assert response.status_code == 201, response.content
    event = StageEvent.objects.get(candidacy=world.cand_ty, stage="first_interview")
    assert event.recorded_by_id == api_client.user_id
    stage_row = AuditEvent.objects.filter(action=AuditAction.STAGE).order_by("pk").last()
    assert stage_row.actor_id == api_client.user_id and stage_row.via == f"api:{api_client.prefix}"
    assert "→ 201（1条）" in _api_rows(api_client).last().detail


# --- writes: the pages' services, Chinese errors by field ----------------------------------------

def test_a_unit_registers_a_person_and_bad_input_names_the_field(world, client):
    unit = make_client(world, Role.UNIT, world.u1)
    body = {"name": "李四", "sex": "男", "category": "学生", "phone": "13600001111",
            "id_number": make_id(region="140105", birth=date(1999, 2, 3), seq="124"),
            "registered_on": timezone.localdate().isoformat()}
    response = call(client, "post", PERSONS, unit.key, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["sex"][0].startswith("性别")  # the ID number says 女
    body["sex"] = "女"
    future = dict(body, registered_on=(timezone.localdate() + timedelta(days=1)).isoformat())
    response = call(client, "post", PERSONS, unit.key, future)
    assert response.status_code == 400 and "报名日期" in str(response.json()["errors"])
    huge = dict(body, name="张" * 100_000)
    response = call(client, "post", PERSONS, unit.key, huge)
    assert response.status_code == 400 and response.json()["errors"]["name"][0].startswith("姓名：")
    bad_id = dict(body, id_number=body["id_number"][:-1] + ("0" if body["id_number"][-1] != "0" else "1"))
    response = call(client, "post", PERSONS, unit.key, bad_id)
    assert response.status_code == 400 and response.json()["errors"]["id_number"][0].startswith("身份证号")
    assert not Person.objects.filter(name="李四").exists()
    response = call(client, "post", PERSONS, unit.key, body)
    assert response.status_code == 201, response.content
    person = Person.objects.get(name="李四")
    assert person.unit == world.u1 and person.created_by == unit.user
    assert response.json()["id_number"] == body["id_number"]  # full: granted, its own person
    # The same ID again (a replay): refused by the registry's rule, nothing written.
    response = call(client, "post", PERSONS, unit.key, body)
    assert response.status_code == 400 and "已登记" in response.json()["errors"]["id_number"][0]
    assert Person.objects.filter(name="李四").count() == 1
    response = call(client, "post", PERSONS, unit.key, ["not", "an", "object"])
    assert response.status_code == 400
    response = client.post(PERSONS, "name=x", content_type="text/plain",
                           HTTP_AUTHORIZATION=f"Bearer {unit.key}")
    assert response.status_code == 415 and "JSON" in response.json()["detail"]


def test_a_city_cannot_register_for_another_citys_unit(world, client):
    city = make_client(world, Role.CITY, world.ty)
    body = {"name": "李四", "sex": "女", "category": "学生", "phone": "13600001111",
            "id_number": make_id(region="140105", birth=date(1999, 2, 3), seq="124"),
            "registered_on": timezone.localdate().isoformat(), "unit": world.u3.pk}
    response = call(client, "post", PERSONS, city.key, body)
    assert response.status_code == 400 and response.json()["errors"]["unit"][0].startswith("推荐单位：")
    assert not Person.objects.filter(name="李四").exists()


def test_stage_records_obey_the_pipelines_rules(world, client):
    unit = make_client(world, Role.UNIT, world.u1)
    agency = make_client(world, Role.AGENCY, world.a1)
    url = f"/api/v1/candidacies/{world.cand_ty.pk}/stages/"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for body, field, text in [
        ({"stage": "first_interview", "result": "pass", "happened_on": tomorrow}, "happened_on", "不能晚于今天"),
        ({"stage": "first_interview", "result": "pass", "happened_on": "2026-03-01"}, "happened_on", "不能早于上一环节"),
        ({"stage": "medical", "result": "pass", "happened_on": "2026-03-10"}, "non_field_errors", "下一环节应为"),
        ({"stage": "first_interview", "result": "signed", "happened_on": "2026-03-10"}, "result", "结果："),
        ({"stage": "launch", "result": "pass", "happened_on": "2026-03-10"}, "stage", "环节："),
        ({"stage": "first_interview", "result": "pass", "happened_on": "20260310x"}, "happened_on", "日期："),
    ]:
        response = call(client, "post", url, unit.key, body)
        assert response.status_code == 400, body
        assert text in "".join(response.json()["errors"][field]), response.json()
    assert not StageEvent.objects.filter(candidacy=world.cand_ty, stage="first_interview").exists()
    ok = {"stage": "first_interview", "result": "pass", "happened_on": "2026-03-10"}
    assert call(client, "post", url, agency.key, ok).status_code == 201
    again = call(client, "post", url, unit.key, ok)  # a double submit
    assert again.status_code == 400 and "下一环节应为" in str(again.json())
    assert StageEvent.objects.filter(candidacy=world.cand_ty, stage="first_interview").count() == 1
    medical = {"stage": "medical", "result": "pass", "happened_on": "2026-03-12"}
    response = call(client, "post", url, agency.key, medical)  # units and cities record it
    assert response.status_code == 403 and "体检" in response.json()["detail"]


# --- lists: cursor pages, changes since, no count -------------------------------------------------

def test_lists_page_by_cursor_without_counting_and_follow_changes(world, client):
    from tests.training.test_classes import people
    people(world.unit_u1, 5, 300)
    unit = make_client(world, Role.UNIT, world.u1)
    with CaptureQueriesContext(connection) as queries:
        page = call(client, "get", PERSONS, unit.key, {"page_size": 4}).json()
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(page["results"]) == 4 and page["next"]
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = call(client, "get", page["next"], unit.key).json()
        seen += [r["id"] for r in page["results"]]
    assert len(seen) == len(set(seen)) == Person.objects.filter(unit=world.u1).count() >= 6
    second = page
    # A person saved 30 s ago whose transaction commits only now (updated_at is the save's
    # time, before the newest row just read): the kept cursor stops two minutes before now,
    # so resuming reads it; the recent rows come again (a client upserts by id).
    from apps.api.pagination import SETTLE
    late = Person.objects.filter(unit=world.u1).exclude(pk=world.person_ty.pk).first()
    Person.objects.filter(pk=late.pk).update(updated_at=timezone.now() - timedelta(seconds=30))
    again = call(client, "get", PERSONS, unit.key, {"cursor": second["cursor"]}).json()
    assert late.pk in [r["id"] for r in again["results"]]
    # Rows older than the settling time are never read again: caught up, nothing new.
    Person.objects.filter(unit=world.u1).update(updated_at=timezone.now() - 2 * SETTLE)
    resumed = again["cursor"]
    while True:
        page = call(client, "get", PERSONS, unit.key, {"cursor": resumed}).json()
        if not page["results"]:
            break
        resumed = page["cursor"]
    assert call(client, "get", PERSONS, unit.key, {"cursor": resumed}).json()["results"] == []
    from apps.registry.services import person_update
    person_update(world.person_ty, actor=world.unit_u1, hukou="太原市小店区")
    changed = call(client, "get", PERSONS, unit.key, {"cursor": resumed}).json()
    assert [r["id"] for r in changed["results"]] == [world.person_ty.pk]
    since = call(client, "get", PERSONS, unit.key,
                 {"changed_since": (timezone.now() - timedelta(minutes=1)).isoformat()}).json()
    assert world.person_ty.pk in [r["id"] for r in since["results"]]
    for params, field in [({"cursor": "garbage"}, "cursor"), ({"changed_since": "yesterday"}, "changed_since"),
                          ({"page_size": "many"}, "page_size")]:
        response = call(client, "get", PERSONS, unit.key, params)
        assert response.status_code == 400 and field in response.json()["errors"]
    response = call(client, "get", "/api/v1/cities/", unit.key, {"changed_since": "2026-01-01T00:00:00"})
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/persons/", "/api/v1/candidacies/", "/api/v1/abroad/",
                                 "/api/v1/stage-events/", "/api/v1/deadline-items/"])
def test_list_query_count_does_not_grow_with_rows(world, client, url):
    from tests.training.test_classes import people
    agency = make_client(world, Role.PROVINCE)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert call(client, "get", url, agency.key).status_code == 200
        return len(queries.captured_queries)

    count()  # warm: what the first request of a process caches
    before = count()
    for p in people(world.unit_u1, 6, 500):
        from apps.pipeline.services import candidacy_open
        candidacy_open(person=p, project=world.project_a1, actor=world.unit_u1, on=date(2026, 3, 2))
    assert count() == before


def test_a_future_registration_date_is_refused_on_the_page_too(world, client):
    """The rule the API's registration met lives in person_register: the page gets it too."""
    client.force_login(world.unit_u1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("registry:person_register"), {
        "name": "李四", "sex": "女", "category": "学生", "phone": "13600001111",
        "id_number": make_id(region="140105", birth=date(1999, 2, 3), seq="124"),
        "registered_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert f"报名日期（{tomorrow.isoformat()}）不能晚于今天" in response.content.decode()
    assert not Person.objects.filter(name="李四").exists()


def test_the_consoles_list_does_not_grow_its_queries_and_pages_refuse_half_actions(world, client):
    for i in range(2):
        make_client(world, Role.UNIT, world.u1, authorise=False, name=f"单位系统{i}")
    client.force_login(world.secadmin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api_clients:client_list")).status_code == 200
        return len(queries.captured_queries)

    count()
    before = count()
    for i in range(3):
        make_client(world, Role.AGENCY, world.a1, name=f"机构系统{i}")
    assert count() == before
    pending = ApiClient.objects.filter(name="单位系统0").get()
    # Revoking needs a reason; without one nothing changes.
    response = client.post(reverse("api_clients:client_revoke", args=[pending.pk]), {}, follow=True)
    assert "请填写吊销原因" in response.content.decode()
    pending.refresh_from_db()
    assert pending.revoked_at is None
    client.post(reverse("api_clients:client_revoke", args=[pending.pk]), {"reason": "不再使用"})
    response = client.post(reverse("api_clients:client_authorise", args=[pending.pk]), follow=True)
    assert "已吊销，不能授权" in response.content.decode()
    pending.refresh_from_db()
    assert pending.authorised_at is None and not pending.user.is_active


def test_the_log_never_takes_a_number_a_client_appends(world, client):
    api_client = make_client(world, Role.UNIT, world.u1)
    call(client, "get", PERSONS, api_client.key, {"id_number": OWN_ID, "page_size": 5})
    row = _api_rows(api_client).last()
    assert OWN_ID not in row.detail and "page_size=5" in row.detail


def test_the_docs_page_lists_every_endpoint_with_its_grant(world, client):
    from django.urls import get_resolver
    client.force_login(world.agency_a1)
    body = client.get(reverse("api:docs")).content.decode()
    paths = {f"/api/v1/{p.pattern}".replace("<int:pk>", "{id}")
             for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/"
             for p in p.url_patterns if p.name not in ("schema", "docs")}
    assert paths and all(path in body for path in paths), paths
    assert "所需授权：登记人员" in body and "所需授权：取得完整" not in body
