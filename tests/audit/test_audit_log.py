"""The audit administrator's log: filters, pages, export (formula-safe, itself audited), and
retention: kept at least 180 days, at the database."""
import io
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from openpyxl import load_workbook

from apps.audit.models import AuditAction, AuditEvent
from apps.audit.services import audit_log, audit_purge

ROOT = Path(__file__).resolve().parent.parent.parent


def aged(days, actor, action, detail="", obj=None):
    """A row written ``days`` ago. Only the test can: ``at`` is set on insert by the app, and
    the app's role cannot UPDATE audit rows, so the test inserts it with its time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_id, action, object_type, object_id, detail)"
            " VALUES (now() - make_interval(days => %s), %s, %s, %s, %s, %s) RETURNING id",
            [days, getattr(actor, "pk", None), action, obj._meta.label if obj else "",
             str(obj.pk) if obj else "", detail])
        return AuditEvent.objects.get(pk=cursor.fetchone()[0])


@pytest.fixture
def log(world):
    w = world
    audit_log(w.unit_u1, AuditAction.REVEAL, w.person_ty, detail="查看完整身份证号")
    audit_log(w.city_ty, AuditAction.SEARCH_ID, detail="按身份证号查询")
    audit_log(None, AuditAction.LOGIN_FAILED, detail="用户名：city_ty")
    audit_log(w.city_ty, AuditAction.EXPORT, detail="=1+1")
    aged(10, w.province, AuditAction.APPROVE, "组织单位备案：已备案", w.filing_ty)
    return w


def listed(client, **query):
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return response.context["page"].object_list


def test_filters_by_kind_user_date_and_text(log, client):
    client.force_login(log.auditor)
    assert {e.action for e in listed(client, action="reveal")} == {"reveal"}
    by_city = listed(client, username="city_ty")
    # A failed login has no actor; it is found by the username it tried.
    assert {e.action for e in by_city} == {"search_id", "export", "login_failed"}
    today = timezone.localdate()
    recent = listed(client, since=str(today - timedelta(days=1)), until=str(today))
    assert "approve" not in {e.action for e in recent}
    old = listed(client, until=str(today - timedelta(days=5)))
    assert [e.action for e in old] == ["approve"]
    assert [e.detail for e in listed(client, text="身份证号")] == ["按身份证号查询", "查看完整身份证号"]
    wrong_range = client.get("/audit/", {"since": str(today), "until": str(today - timedelta(1))})
    assert "结束日期不能早于开始日期" in wrong_range.content.decode()


def test_a_date_range_is_whole_local_days_read_through_the_index(log, client):
    """自/至 are the office's dates: a row at 23:59 on the last day is in, one just after
    midnight is the next day's, whatever UTC says; the bound is on ``at`` itself (its index)."""
    from datetime import datetime, time

    from apps.audit.selectors import audit_event_list
    day = timezone.localdate() - timedelta(days=3)
    local = [("早", datetime.combine(day, time(0, 0, 30))),
             ("晚", datetime.combine(day, time(23, 59, 30))),
             ("次日", datetime.combine(day + timedelta(days=1), time(0, 0, 1)))]
    with connection.cursor() as cursor:
        for label, moment in local:
            cursor.execute("INSERT INTO audit_auditevent (at, action, object_type, object_id, "
                           "detail) VALUES (%s, 'approve', '', '', %s)",
                           [timezone.make_aware(moment), f"边界{label}"])
    client.force_login(log.auditor)

    def on(d):
        return {e.detail for e in listed(client, since=str(d), until=str(d))
                if e.detail.startswith("边界")}
    assert on(day) == {"边界早", "边界晚"}
    assert on(day + timedelta(days=1)) == {"边界次日"}
    sql = str(audit_event_list(log.auditor, since=day, until=day).query)
    assert '"audit_auditevent"."at" >=' in sql and "::date" not in sql


def test_the_list_is_paged_and_its_query_count_does_not_grow(log, client,
                                                             django_assert_max_num_queries):
    client.force_login(log.auditor)
    client.get("/audit/")
    with django_assert_max_num_queries(10):
        client.get("/audit/")
    for i in range(120):
        audit_log(log.unit_u1 if i % 2 else log.city_ty, AuditAction.EXPORT, detail=f"导出{i}")
    with django_assert_max_num_queries(10):
        response = client.get("/audit/")
    assert len(response.context["page"].object_list) == 50
    html = response.content.decode()
    assert "本页 50 条，更多见下一页" in html and "第 1 / 3 页" not in html
    # 下一页 as the browser follows it (its time cursor encoded): every row once, in order.
    import html as entities
    import re
    seen, link = [], "/audit/"
    for _ in range(10):
        with django_assert_max_num_queries(10):
            response = client.get(link)
        seen += [e.pk for e in response.context["page"]]
        found = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', response.content.decode())
        if not found:
            break
        link = "/audit/" + entities.unescape(found.group(1))
    from apps.audit.models import AuditEvent
    assert seen == list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))


def test_export_is_formula_safe_and_is_itself_audited(log, client):
    client.force_login(log.auditor)
    response = client.get("/audit/export/", {"username": "city_ty"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    details = {row[7].value: row[7].data_type for row in rows}
    assert details["=1+1"] == "s"  # text, not a formula
    assert set(details) == {"=1+1", "按身份证号查询", "用户名：city_ty"}
    own = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=log.auditor).get()
    assert own.detail.startswith("审计日志导出3条") and "city_ty" in own.detail


def test_province_and_the_other_administrators_cannot_read_the_log(log, client):
    for user in (log.province, log.sysadmin, log.secadmin, log.city_ty):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export/").status_code == 403


# --- Retention -------------------------------------------------------------------------------

def test_no_row_can_be_changed_however_old(world):
    old = aged(400, world.unit_u1, AuditAction.REVEAL, "x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).update(detail="tampered")


def test_a_row_younger_than_180_days_cannot_be_deleted_at_the_database(world):
    young = aged(179, world.unit_u1, AuditAction.REVEAL, "x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young.pk])
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_purge_removes_only_rows_past_the_retention_and_says_so(world):
    old = aged(181, world.unit_u1, AuditAction.REVEAL, "old")
    young = aged(179, world.unit_u1, AuditAction.REVEAL, "young")
    assert audit_purge() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=young.pk).exists()
    purge = AuditEvent.objects.get(action=AuditAction.PURGE)
    assert "1条" in purge.detail and "180天" in purge.detail
    assert audit_purge() == 0  # a second run finds nothing


def test_a_longer_retention_keeps_more(world, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    kept = aged(200, world.unit_u1, AuditAction.REVEAL, "x")
    assert audit_purge() == 0 and AuditEvent.objects.filter(pk=kept.pk).exists()


def test_even_the_purge_cannot_delete_young_rows_with_a_wrong_clock(world):
    young = aged(30, world.unit_u1, AuditAction.REVEAL, "x")
    with pytest.raises(DatabaseError):
        audit_purge(now=timezone.now() + timedelta(days=400))
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_the_purge_runs_daily_on_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-purge"]
    assert entry["task"] == "apps.audit.tasks.audit_purge" and entry["schedule"] == 86400


def test_settings_refuse_a_retention_under_180_days():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "90", "SECRET_KEY": secrets.token_urlsafe(32)}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "AUDIT_RETENTION_DAYS" in result.stderr


def test_an_export_too_big_is_refused_with_a_message_and_not_audited(log, client, monkeypatch):
    from apps.audit import views
    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    client.force_login(log.auditor)
    response = client.get("/audit/export/", {"username": "city_ty"}, follow=True)
    assert response.redirect_chain[-1][0] == "/audit/?username=city_ty"
    assert "一次最多导出2条" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=log.auditor).exists()


def test_no_session_setting_switches_the_protection_off(world):
    """pgtrigger's own triggers skip themselves when a session sets pgtrigger.ignore; the
    audit triggers have no such switch."""
    event = audit_log(world.unit_u1, AuditAction.REVEAL, detail="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass"
                       " AND NOT tgisinternal")
        names = sorted(row[0] for row in cursor.fetchall())
    assert names == ["audit_keep_retention", "audit_no_update"]
    for statement in ("UPDATE audit_auditevent SET detail = 'tampered' WHERE id = %s",
                      "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="审计日志"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute("SET LOCAL pgtrigger.ignore = '{%s}'" % ",".join(names))
            cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.detail == "x"
