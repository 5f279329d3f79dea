"""Working lists as xlsx (报名与筛选, 在外就业, 储备库): the rows the page shows with the same
filters, masked, formula-safe, audited."""
import io
from datetime import date

from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.registry.idnumber import mask_id, mask_phone
from apps.registry.services import person_update
from tests.conftest import OWN_ID, SENTINEL_PERSON, register
from apps.registry.idnumber import make_id


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return ws, [[c.value for c in row] for row in ws.iter_rows()]


def _names(table, header_row):
    col = table[header_row].index("姓名")
    return [r[col] for r in table[header_row + 1:]]


def test_candidacy_export_is_masked_formula_safe_and_audited(world, client):
    person_update(world.person_ty, actor=world.unit_u1, name="=1+1")
    client.force_login(world.unit_u1)
    ws, table = rows(client.get(reverse("pipeline:candidacy_export")))
    assert table[0][0] == "报名与筛选名单"
    header = table[2]
    assert header[:4] == ["序号", "姓名", "身份证号", "联系方式"]
    assert table[3][1:4] == ["=1+1", mask_id(OWN_ID), mask_phone("13800001234")]
    cell = ws.cell(row=4, column=2)
    assert cell.data_type == "s"  # text, never a formula
    assert OWN_ID not in str(table)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.unit_u1 and "报名与筛选名单" in event.detail


def test_candidacy_export_takes_the_page_filters(world, client):
    client.force_login(world.province)
    everyone = _names(rows(client.get(reverse("pipeline:candidacy_export")))[1], 2)
    assert {"张三", SENTINEL_PERSON} <= set(everyone)
    _, table = rows(client.get(reverse("pipeline:candidacy_export"), {"city": world.dt.pk}))
    assert _names(table, 2) == [SENTINEL_PERSON]
    assert "地市：大同市" in table[1][0]
    # The page's export link carries the same query (without the page number).
    page = client.get(reverse("pipeline:candidacy_list"), {"city": world.dt.pk, "page": 1})
    assert f'{reverse("pipeline:candidacy_export")}?city={world.dt.pk}"' in page.content.decode()


def test_abroad_filter_gives_the_list_of_people_abroad(world, client):
    Candidacy.objects.filter(pk=world.cand_ty.pk).update(
        status=CandidacyStatus.ABROAD, departed_on=date(2026, 6, 1), employer="=HYPERLINK(1)")
    client.force_login(world.city_ty)
    ws, table = rows(client.get(reverse("pipeline:candidacy_export"), {"status": "abroad"}))
    assert table[0][0] == "在外就业人员名单"
    assert _names(table, 2) == ["张三"]
    header = table[2]
    assert table[3][header.index("输出时间")] == "2026-06-01"
    assert table[3][header.index("外方用工企业")] == "=HYPERLINK(1)"
    assert ws.cell(row=4, column=header.index("外方用工企业") + 1).data_type == "s"


def test_a_unit_exports_only_its_own_candidacies_even_when_filtering_for_others(world, client):
    client.force_login(world.unit_u1)
    # A forged filter for a foreign unit is not a way around the scope.
    _, table = rows(client.get(reverse("pipeline:candidacy_export"), {"unit": world.u3.pk}))
    assert SENTINEL_PERSON not in str(table)


def test_candidacy_export_queries_do_not_grow_with_rows(world, client, django_assert_max_num_queries):
    for n in range(20):
        person = register(world.unit_u1, name=f"批量{n}", sex="男", phone=f"1380000{n:04d}",
                          id_number=make_id(region="140105", birth=date(1990, 1, 1),
                                            seq=f"{2 * n + 301:03d}"))
        from apps.pipeline.services import candidacy_open
        candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 2))
    client.force_login(world.unit_u1)
    with django_assert_max_num_queries(12):
        _, table = rows(client.get(reverse("pipeline:candidacy_export")))
    assert len(table) == 3 + 21


def test_reserve_export_is_masked_filtered_and_audited(world, client):
    from apps.pipeline.services import candidacy_withdraw
    candidacy_withdraw(world.cand_ty, actor=world.unit_u1, on=date(2026, 3, 3), reason="个人原因")
    person_update(world.person_ty, actor=world.unit_u1, intended_trade="@SUM(1)")
    client.force_login(world.unit_u1)
    ws, table = rows(client.get(reverse("registry:reserve_export")))
    assert table[0][0] == "储备库人员名单"
    header = table[2]
    first = table[3]
    assert first[header.index("姓名")] == "张三"
    assert first[header.index("身份证号")] == mask_id(OWN_ID)
    assert first[header.index("拟就业工种")] == "@SUM(1)"
    assert ws.cell(row=4, column=header.index("拟就业工种") + 1).data_type == "s"
    _, none = rows(client.get(reverse("registry:reserve_export"), {"trade": "焊工"}))
    assert _names(none, 2) == [] and "拟就业工种：焊工" in none[1][0]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.unit_u1,
                                     detail__contains="储备库").count() == 2
    page = client.get(reverse("registry:reserve_pool")).content.decode()
    assert reverse("registry:reserve_export") in page and "导出Excel" in page
