"""The evaluation pages as each role uses them: scoped lists without N+1, drill-down to the
records, export, print, objection and entry through the pages."""
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.models import AuditEvent
from apps.evaluations import services
from apps.evaluations.models import CardStatus, Kind, Objection, Scorecard
from tests.conftest import SENTINEL_UNIT, pdf
from tests.evaluations.conftest import YEAR, enter_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(year):
    """2025 unit cards computed; 山西大学's and the sentinel's entered and shown (objection)."""
    w = year.w
    scheme = services.scheme_create(actor=w.province, year=YEAR, kind=Kind.UNIT)
    services.scheme_lock(scheme, actor=w.province)
    services.scorecards_compute(scheme, actor=w.province)
    out = {}
    for unit in (w.u1, w.u3):
        card = Scorecard.objects.get(scheme=scheme, unit=unit)
        enter_all(card, w.province)
        out[unit.pk] = services.scorecard_open(card, actor=w.province)
    return out


def _names(client, url):
    return client.get(url).content.decode()


def _table(client, url):
    """The list's table only (the header names the user's own organisation)."""
    body = _names(client, url)
    return body[body.index("<table"):body.index("</table>")]


def test_each_role_sees_its_own_cards_only(world, cards, client):
    url = reverse("evaluations:scorecard_list")
    client.force_login(world.city_ty)
    body = _table(client, url)
    assert "山西大学" in body and "太原学院" in body and SENTINEL_UNIT not in body
    client.force_login(world.unit_u1)
    body = _table(client, url)
    assert "山西大学" in body and "太原学院" not in body and SENTINEL_UNIT not in body
    # 太原学院's card is still a draft: its own unit does not see it yet.
    client.force_login(world.unit_u2)
    assert "太原学院" not in _table(client, url)
    client.force_login(world.agency_a1)
    assert "山西大学" not in _table(client, url)
    client.force_login(world.province)
    assert SENTINEL_UNIT in _table(client, url)


def test_the_list_does_not_grow_queries_with_its_cards(world, cards, client):
    client.force_login(world.province)
    url = reverse("evaluations:scorecard_list")
    client.get(url)  # the first request after login also touches the session and devices
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for y in (2023, 2024):
        for kind in (Kind.UNIT, Kind.AGENCY):
            scheme = services.scheme_create(actor=world.province, year=y, kind=kind)
            services.scheme_lock(scheme, actor=world.province)
            services.scorecards_compute(scheme, actor=world.province)
    assert Scorecard.objects.count() >= 13
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_figure_drills_down_to_its_records_in_scope(world, year, cards, client):
    card = cards[world.u1.pk]
    task = card.scores.get(criterion__code="task")
    url = reverse("evaluations:score_records", args=[task.pk])
    client.force_login(world.city_ty)
    body = _names(client, url)
    assert "输出 4 人 / 任务 5 人" in body
    for c in (year.kept, year.back_early, year.back_late, year.december):
        assert c.person.name in body
    assert year.last_year.person.name not in body and year.sentinel.person.name not in body
    for outsider in (world.city_dt, world.unit_u3, world.unit_u2, world.agency_a1):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    # The complaints behind the complaints figure: the case numbers, for the unit itself.
    complaints = card.scores.get(criterion__code="complaints")
    client.force_login(world.unit_u1)
    body = _names(client, reverse("evaluations:score_records", args=[complaints.pk]))
    assert body.count("TS2025-") == 2


def test_export_and_print_are_scoped_and_audited(world, cards, client):
    client.force_login(world.city_ty)
    response = client.get(reverse("evaluations:scorecard_export"))
    wb = load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert "山西大学" in text and SENTINEL_UNIT not in text
    card = cards[world.u1.pk]
    body = _names(client, reverse("evaluations:scorecard_print", args=[card.pk]))
    assert "2025年度组织单位评估表" in body and "任务完成率" in body and str(card.total) in body
    assert AuditEvent.objects.filter(action="export", detail__startswith="打印").exists()
    client.force_login(world.city_dt)
    assert client.get(reverse("evaluations:scorecard_print", args=[card.pk])).status_code == 404


def test_the_unit_objects_through_the_page_once(world, cards, client):
    card = cards[world.u1.pk]
    url = reverse("evaluations:objection_create", args=[card.pk])
    client.force_login(world.unit_u1)
    data = {"criterion": card.scheme.criteria.get(code="satisfaction").pk,
            "text": "满意度问卷样本过少"}
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data)
    assert replay.status_code == 400 and "相同的异议已提出" in replay.content.decode()
    assert Objection.objects.filter(scorecard=card).count() == 1
    client.force_login(world.unit_u2)
    assert client.post(url, data).status_code == 404
    client.force_login(world.unit_u1)
    assert client.post(url, {"text": "长" * 5000}).status_code == 400
    assert Objection.objects.filter(scorecard=card).count() == 1


def test_the_city_enters_its_units_score_with_evidence_through_the_page(world, year, client):
    w = year.w
    scheme = services.scheme_create(actor=w.province, year=YEAR, kind=Kind.UNIT)
    services.scheme_lock(scheme, actor=w.province)
    services.scorecards_compute(scheme, actor=w.province)
    card = Scorecard.objects.get(scheme=scheme, unit=w.u1)
    score = card.scores.get(criterion__code="satisfaction")
    url = reverse("evaluations:score_enter", args=[score.pk])
    client.force_login(w.city_ty)
    assert client.post(url, {"points": "11", "reason": "好", "evidence": pdf()}).status_code == 400
    assert client.post(url, {"points": "8", "reason": "问卷满意率80%",
                             "evidence": pdf()}).status_code == 302
    score.refresh_from_db()
    assert score.points == Decimal(8) and score.entered_by == w.city_ty
    download = client.get(reverse("evaluations:score_evidence", args=[score.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.force_login(w.city_dt)
    assert client.post(url, {"points": "1", "reason": "改", "evidence": pdf()}).status_code == 404
    score.refresh_from_db()
    assert score.points == Decimal(8)
    assert card.status == CardStatus.DRAFT


def test_the_public_page_shows_published_grades_only(world, cards, client):
    card = cards[world.u1.pk]
    client.logout()
    assert "年度评估结果公示" not in client.get(reverse("publicity:public_home")).content.decode()
    services.scorecard_accept(card, actor=world.unit_u1)
    services.scorecard_conclude(card, actor=world.province)
    services.scorecard_publish(card, actor=world.province)
    body = client.get(reverse("publicity:public_home")).content.decode()
    assert "年度评估结果公示" in body and "山西大学" in body and "不合格" in body
    assert SENTINEL_UNIT not in body   # its card is still in its objection window


def test_the_province_edits_a_draft_scheme_through_its_pages(world, client):
    scheme = services.scheme_create(actor=world.province, year=2025, kind=Kind.UNIT)
    c = scheme.criteria.get(code="docking")
    url = reverse("evaluations:criterion_edit", args=[scheme.pk, c.pk])
    # A draft scheme is the province's alone.
    client.force_login(world.city_ty)
    assert client.get(reverse("evaluations:scheme_detail", args=[scheme.pk])).status_code == 404
    client.force_login(world.province)
    form = client.get(url).content.decode()
    assert "≥1=3" in form and "≥2=5" in form
    data = {"seq": c.seq, "category": c.category, "code": c.code, "label": c.label,
            "standard": c.standard, "points": "5", "method": "computed", "key": "docking",
            "rule": "≥1=2\n>1=5", "veto_at": ""}
    assert client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert c.rule == {"bands": [{"min": 1, "points": 2}, {"over": 1, "points": 5}]}
    bad = client.post(url, {**data, "rule": "一场5分"})
    assert bad.status_code == 400 and "第1行" in bad.content.decode()
    too_many = client.post(url, {**data, "rule": "≥1=9"})
    assert too_many.status_code == 400 and "须在 0 到该指标分值" in too_many.content.decode()
    edit = reverse("evaluations:scheme_edit", args=[scheme.pk])
    assert client.post(edit, {"pass_mark": "65", "reward_bands": "65：45000\n80:60000",
                              "years": "2", "min_score": "85", "min_departures": "300",
                              "min_retention": "60"}).status_code == 302
    scheme.refresh_from_db()
    assert scheme.pass_mark == 65 and scheme.reward_bands[0] == {"min": 65.0, "amount": 45000.0}
    assert client.post(edit, {"pass_mark": "65", "reward_bands": "六十:四万", "years": "2",
                              "min_score": "85", "min_departures": "300",
                              "min_retention": "60"}).status_code == 400
