"""Issue 21, items 2 and 4: priority shown where candidates are chosen (a project's page and
docking page, a screening session), the province's target share per year, and the figures of
脱贫劳动力 by city and unit."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.dashboards import selectors
from apps.pipeline.services import candidacy_open
from apps.quotas.models import PovertyTarget
from apps.quotas.services import poverty_target_set
from apps.registry.services import person_poverty_verify, person_update
from tests.conftest import register
from tests.rosters.files import person_row


def _candidates(world, n=3):
    """Three more candidates of 山西大学 on the 太原 project: one verified 脱贫劳动力, one
    declared 监测对象, one neither."""
    out = []
    for i in range(n):
        person = register(world.unit_u1, name=f"候选{i}", sex="男", phone=f"1350000{i:04d}",
                          id_number=person_row(500 + i)[3])
        out.append(candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                                  on=date(2026, 3, 2)))
    person_poverty_verify(out[0].person, actor=world.city_ty, status="脱贫劳动力",
                          source="national", verified_on=date(2026, 3, 2))
    person_update(out[1].person, actor=world.unit_u1, poverty_status="监测对象")
    return out


def test_the_province_sets_the_target_share_per_year_on_its_page(world, client):
    client.force_login(world.province)
    url = reverse("quotas:poverty_targets")
    assert client.post(url, {"year": 2026, "share": "30", "note": "晋人社厅函〔2020〕127号"}
                       ).status_code == 302
    assert client.post(url, {"year": 2026, "share": "35.5"}).status_code == 302
    assert PovertyTarget.objects.get(year=2026).share == Decimal("35.5")
    event = AuditEvent.objects.filter(action="poverty_target").order_by("-pk").first()
    assert "30.0% → 35.5%" in event.detail and event.actor == world.province
    for data, words in (({"year": 2026, "share": "0"}, "目标占比应大于0且不超过100"),
                        ({"year": 2026, "share": "100.1"}, "目标占比应大于0且不超过100"),
                        ({"year": 2207, "share": "30"}, "年度应在2020年至"),
                        ({"year": 2026, "share": "三成"}, "目标占比应为数字")):
        response = client.post(url, data)
        assert response.status_code == 400 and words in response.content.decode()
    assert PovertyTarget.objects.get(year=2026).share == Decimal("35.5")
    # Everyone else reads it; nobody else sets it.
    for user in (world.city_ty, world.unit_u1, world.observer):
        client.force_login(user)
        assert "35.5" in client.get(url).content.decode()
        assert client.post(url, {"year": 2026, "share": "90"}).status_code == 403
    with pytest.raises(PermissionDenied):
        poverty_target_set(year=2026, share=Decimal("90"), actor=world.city_ty)
    with pytest.raises(ValidationError):
        poverty_target_set(year=2026, share=Decimal("30"), note="长" * 201, actor=world.province)
    assert PovertyTarget.objects.get(year=2026).share == Decimal("35.5")


def test_docking_and_screening_pages_count_the_priority_candidates(world, client):
    _candidates(world)
    poverty_target_set(year=2026, share=Decimal("30"), actor=world.province)
    client.force_login(world.unit_u1)
    detail = client.get(reverse("projects:project_detail", args=[world.project_a1.pk]))
    assert detail.context["priority"] == {"total": 4, "priority": 2, "verified": 1,
                                          "share": 50.0, "year": 2026,
                                          "target": Decimal("30.0")}
    assert "2 / 4 人（50.0%，2026年目标 30.0%），其中已核实且在有效期内 1 人" in detail.content.decode()
    dock = client.get(reverse("projects:project_dock", args=[world.project_a1.pk])).content.decode()
    assert "其中脱贫劳动力和监测对象 2 人（已核实且在有效期内 1 人）" in dock
    # The screening session lists them first, the verified one before the declared one.
    session = client.get(reverse("pipeline:session_detail", args=[world.session_ty.pk]))
    names = [c.person.name for c in session.context["candidates"]]
    assert names[:2] == ["候选0", "候选1"] and session.context["priority_count"] == 2
    # 大同's agency sees none of 太原's people in its count; the observer gets no count.
    client.force_login(world.observer)
    assert client.get(reverse("projects:project_detail", args=[world.project_a1.pk])
                      ).context["priority"] is None
    # The candidate list filters by them.
    client.force_login(world.unit_u1)
    listed = client.get(reverse("pipeline:candidacy_list"), {"poverty_status": "priority"})
    assert {c.person.name for c in listed.context["page"].object_list} == {"候选0", "候选1"}


def test_the_figures_by_city_and_unit_count_the_groups_against_the_target(world, client):
    candidates = _candidates(world)
    poverty_target_set(year=2026, share=Decimal("30"), actor=world.province)
    table = selectors.dashboard_table(world.province, 2026, "poverty_city")
    rows = {r[0]: r for r in table.rows}
    col = table.headers.index
    assert rows["太原"][col("脱贫劳动力报名")] == 1 and rows["太原"][col("监测对象报名")] == 1
    assert rows["大同"][col("脱贫劳动力报名")] == 0
    assert rows["太原"][col("目标占比%")] == Decimal("30.0")
    # A change of status moves the person's figures (the verification goes through the same
    # figures as every other write).
    person_poverty_verify(candidates[2].person, actor=world.city_ty, status="脱贫劳动力",
                          source="monitoring", verified_on=date(2026, 3, 3))
    table = selectors.dashboard_table(world.province, 2026, "poverty_city")
    assert {r[0]: r for r in table.rows}["太原"][col("脱贫劳动力报名")] == 2
    # 太原's city sees its own row only; the unit its own unit; the observer keeps
    # the suppressed 脱贫劳动力占比 table only.
    city = selectors.dashboard_table(world.city_ty, 2026, "poverty_city")
    assert [r[0] for r in city.rows] == ["太原"]
    unit = selectors.dashboard_table(world.unit_u1, 2026, "poverty_unit")
    assert [r[0] for r in unit.rows] == ["山西大学"]
    assert "poverty_city" not in selectors.shown_tables(world.observer.role, {})
    # The page and the export carry the table.
    client.force_login(world.city_ty)
    page = client.get(reverse("dashboards:dashboard", args=[2026])).content.decode()
    assert "脱贫劳动力（按地市）" in page and "越权哨兵" not in page
    export = client.get(reverse("dashboards:dashboard_export", args=[2026, "poverty_city"]))
    assert export.status_code == 200
