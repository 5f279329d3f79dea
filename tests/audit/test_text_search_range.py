"""A search of the audit log by text reads every row of its range (a substring has no
index), so it covers at most 31 days (issue 17: a month of a five-year log, ~40 ms): the last
31 days unless dates are chosen; a longer range is refused, on the page, the export and the
selector alike."""
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from apps.audit.models import AuditAction
from apps.audit.selectors import audit_event_list, text_search_range
from apps.audit.services import audit_log
from tests.audit.test_audit_log import aged, listed


@pytest.fixture
def events(world):
    audit_log(world.city_ty, AuditAction.EXPORT, detail="新事件：导出名册")
    aged(40, world.city_ty, AuditAction.EXPORT, "旧事件：导出名册")
    return world


def test_without_dates_the_last_31_days_are_searched_and_said(events, client):
    client.force_login(events.auditor)
    assert [e.detail for e in listed(client, text="事件")] == ["新事件：导出名册"]
    today = timezone.localdate()
    html = client.get("/audit/", {"text": "事件"}).content.decode()
    assert (f"查找的日期范围：{today - timedelta(days=30):%Y-%m-%d} 至 {today:%Y-%m-%d}"
            "（最长31天）") in html


def test_an_older_event_is_found_within_a_chosen_month(events, client):
    client.force_login(events.auditor)
    today = timezone.localdate()
    found = listed(client, text="事件", since=str(today - timedelta(days=45)),
                   until=str(today - timedelta(days=15)))
    assert [e.detail for e in found] == ["旧事件：导出名册"]
    # One end chosen: 31 days from it.
    found = listed(client, text="事件", since=str(today - timedelta(days=41)))
    assert [e.detail for e in found] == ["旧事件：导出名册"]


def test_a_longer_range_is_refused_naming_the_bound(events, client):
    client.force_login(events.auditor)
    today = timezone.localdate()
    response = client.get("/audit/", {"text": "事件", "since": str(today - timedelta(days=60)),
                                      "until": str(today)})
    assert "自：按内容查找时，日期范围最长31天（所选为61天），请缩小范围。" in response.content.decode()
    # Without a text the same range is fine: it walks the index.
    assert "最长31天" not in client.get("/audit/", {
        "since": str(today - timedelta(days=60)), "until": str(today)}).content.decode()


def test_the_export_searches_the_same_range(events, client):
    client.force_login(events.auditor)
    response = client.get("/audit/export/", {"text": "事件"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[7].value for row in sheet.iter_rows(min_row=2)] == ["新事件：导出名册"]


def test_the_selector_itself_bounds_the_range(events):
    """Another path (a task, a shell, a future API) cannot search years by text."""
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="最长31天"):
        list(audit_event_list(events.auditor, text="事件", since=today - timedelta(days=400),
                              until=today))
    assert [e.detail for e in audit_event_list(events.auditor, text="事件")] == ["新事件：导出名册"]
    assert text_search_range(None, None, today) == (today - timedelta(days=30), today)
    assert text_search_range(today - timedelta(days=30), today, today) == (
        today - timedelta(days=30), today)


@pytest.mark.parametrize("text, found", [
    ("导出名册", True), ("新事件", True), ("EXPORT", False), ("city", False),
    ("registry.PERSON", True), ("Registry.Person", True), ("导出名单", False)])
def test_a_text_matches_as_a_substring_whatever_its_case(world, text, found):
    audit_log(world.city_ty, AuditAction.EXPORT, world.person_ty, detail="新事件：导出名册")
    hits = audit_event_list(world.auditor, text=text).filter(actor=world.city_ty,
                                                             action=AuditAction.EXPORT)
    assert hits.exists() is found, text
