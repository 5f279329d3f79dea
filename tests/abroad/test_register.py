"""在外人员 (issue 18 item 1): everyone departed and not returned, with the date each contract
ends, flagged once it has passed without a return; scoped, filtered, exported masked."""
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.abroad.selectors import abroad_register, register_rows
from apps.abroad.terms import contract_ends_on, contract_months
from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id, mask_id
from tests.conftest import SENTINEL_ID, SENTINEL_PERSON, register


@pytest.mark.parametrize("term, months", [
    ("3年", 36), ("三年", 36), ("两年", 24), ("36个月", 36), ("2年6个月", 30), ("1.5年", 18),
    ("一年半", 18), ("十八个月", 18), ("二十四个月", 24), ("3 年", 36), ("３年", 36),
    ("12月", 12), ("三年期", 36),
    ("", None), ("若干", None), ("2.5个月", None), ("0年", None), ("3年以上", None),
    ("长期", None),
])
def test_contract_terms_as_people_write_them(term, months):
    assert contract_months(term) == months


def test_the_expected_return_date_is_departure_plus_the_term():
    assert contract_ends_on(date(2020, 7, 1), "3年") == date(2023, 7, 1)
    assert contract_ends_on(date(2021, 1, 31), "1个月") == date(2021, 2, 28)
    assert contract_ends_on(date(2020, 7, 1), "长期") is None
    assert contract_ends_on(None, "3年") is None


def abroad(w, name, *, departed_on, term, unit=None, seq, status=CandidacyStatus.ABROAD,
           project=None, actor=None):
    """A person of the 太原 side (unit 山西大学, agency a1 unless told) abroad on ``term``."""
    actor = actor or w.unit_u1
    person = register(actor, name=name, sex="男", phone=f"1390000{seq:04d}",
                      id_number=make_id(region="140105", birth=date(1990, 1, 1),
                                        seq=f"{2 * seq + 101:03d}"))
    c = candidacy_open(person=person, project=project or w.project_a1, actor=actor,
                       on=date(2020, 3, 2))
    Candidacy.objects.filter(pk=c.pk).update(status=status, departed_on=departed_on,
                                             contract_term=term, country="日本",
                                             contract_ends_on=contract_ends_on(departed_on, term))
    return c


@pytest.fixture
def people(world):
    today = timezone.localdate()
    world.today = today
    abroad(world, "王一", departed_on=date(2020, 7, 1), term="3年", seq=1)
    abroad(world, "王二", departed_on=date(2020, 7, 1), term="三年", seq=2)
    # Ends in 30 days; departed three years less 30 days ago.
    abroad(world, "李四", departed_on=date(today.year - 3, today.month, 1), term="36个月",
           seq=3)
    li_departed = today + timedelta(days=30) - timedelta(days=3 * 365)
    Candidacy.objects.filter(person__name="李四").update(
        departed_on=li_departed, contract_ends_on=contract_ends_on(li_departed, "36个月"))
    abroad(world, "赵五", departed_on=today - timedelta(days=10), term="2年", seq=4)
    abroad(world, "钱六", departed_on=today - timedelta(days=10), term="看情况", seq=5)
    abroad(world, "孙七", departed_on=date(2019, 1, 1), term="1年", seq=6,
           status=CandidacyStatus.RETURNED)
    # 大同's person abroad, long overdue, with another agency.
    Candidacy.objects.filter(pk=world.cand_dt.pk).update(
        status=CandidacyStatus.ABROAD, departed_on=date(2019, 1, 1), contract_term="1年",
        contract_ends_on=date(2020, 1, 1))
    return world


def names(response):
    assert response.status_code == 200
    return [row.candidacy.person.name for row in response.context["rows"]]


def test_two_people_with_three_year_contracts_from_july_2020_are_overdue(people):
    today = date(2026, 12, 2)
    rows = list(register_rows(abroad_register(people.agency_a1, {"state": "overdue"}, today),
                              today))
    assert [r.candidacy.person.name for r in rows] == ["王一", "王二"]
    for row in rows:
        assert row.ends_on == date(2023, 7, 1)
        assert row.state_label == "已超期未归国"
        assert row.days_abroad == (today - date(2020, 7, 1)).days == 2345


def test_the_register_page_most_overdue_first_returned_absent_unknown_terms_said(people,
                                                                                 client):
    client.force_login(people.province)
    response = client.get(reverse("abroad:register"))
    assert names(response) == [SENTINEL_PERSON, "王一", "王二", "李四", "赵五", "钱六"]
    html = response.content.decode()
    assert "孙七" not in html                       # returned: not abroad any more
    assert "2023-07-01" in html and "已超期未归国" in html and "90天内到期" in html
    assert "合同期限未知" in html                   # 钱六's "看情况"
    assert SENTINEL_ID not in html and mask_id(SENTINEL_ID) in html
    rows = {r.candidacy.person.name: r for r in response.context["rows"]}
    assert rows["王一"].days_abroad == (people.today - date(2020, 7, 1)).days
    assert str(rows["王一"].days_abroad) in html
    assert rows["李四"].state == "ending" and rows["赵五"].state == "abroad"
    assert rows["钱六"].ends_on is None and rows["钱六"].state == "abroad"


def test_filters_state_country_agency(people, client):
    client.force_login(people.province)
    url = reverse("abroad:register")
    assert names(client.get(url, {"state": "ending"})) == ["李四"]
    assert names(client.get(url, {"state": "overdue", "agency": people.a1.pk})) == ["王一", "王二"]
    assert names(client.get(url, {"city": people.dt.pk})) == [SENTINEL_PERSON]
    assert names(client.get(url, {"country": "新加坡"})) == [SENTINEL_PERSON]


@pytest.mark.parametrize("username, sees", [
    ("agency_a1", ["王一", "王二", "李四", "赵五", "钱六"]),
    ("city_ty", ["王一", "王二", "李四", "赵五", "钱六"]),
    ("unit_u1", ["王一", "王二", "李四", "赵五", "钱六"]),
    ("unit_u2", []),
    ("agency_a2", [SENTINEL_PERSON]),
    ("city_dt", [SENTINEL_PERSON]),
])
def test_each_sees_only_its_own(people, client, username, sees):
    client.force_login(getattr(people, username))
    assert names(client.get(reverse("abroad:register"))) == sees
    if SENTINEL_PERSON not in sees:
        # A forged filter for 大同's agency is no way around the scope.
        response = client.get(reverse("abroad:register"), {"agency": people.a2.pk})
        assert SENTINEL_PERSON not in response.content.decode()


def sheet(response):
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    return ws, [[c.value for c in row] for row in ws.iter_rows()]


def test_the_export_is_filtered_masked_formula_safe_and_audited(people, client):
    Candidacy.objects.filter(person__name="王一").update(employer="=HYPERLINK(1)")
    client.force_login(people.agency_a1)
    ws, table = sheet(client.get(reverse("abroad:register_export"), {"state": "overdue"}))
    assert table[0][0] == "在外人员名册"
    assert "状态：已超期未归国" in table[1][0]
    header = table[2]
    assert header[:3] == ["序号", "姓名", "身份证号"]
    body = table[3:]
    assert [r[1] for r in body] == ["王一", "王二"]
    first = dict(zip(header, body[0]))
    assert first["预计回国日期"] == "2023-07-01" and first["出境日期"] == "2020-07-01"
    assert first["状态"] == "已超期未归国" and first["合同期限"] == "3年"
    assert first["在外天数"] == (people.today - date(2020, 7, 1)).days
    person = Candidacy.objects.get(person__name="王一").person
    assert first["身份证号"] == mask_id(person.id_number) != person.id_number
    assert person.id_number not in str(table)
    assert first["外方用工企业"] == "=HYPERLINK(1)"
    assert ws.cell(row=4, column=header.index("外方用工企业") + 1).data_type == "s"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == people.agency_a1 and "在外人员名册" in event.detail
    # Unknown terms are said in the file too.
    _, table = sheet(client.get(reverse("abroad:register_export")))
    row = next(r for r in table[3:] if r[1] == "钱六")
    assert row[header.index("预计回国日期")] == "合同期限未知"


@pytest.mark.parametrize("username", ["agency_a1", "unit_u1"])
def test_the_home_queue_counts_are_the_rows_of_the_linked_list(people, client, username):
    client.force_login(getattr(people, username))
    queue = {e.label: e for e in client.get(reverse("accounts:home")).context["queue"]}
    overdue, ending = queue["合同期满未登记归国"], queue["90天内合同到期"]
    assert overdue.url == reverse("abroad:register") + "?state=overdue"
    assert ending.url == reverse("abroad:register") + "?state=ending"
    assert overdue.count == len(names(client.get(overdue.url))) == 2
    assert overdue.urgent
    assert ending.count == len(names(client.get(ending.url))) == 1
    home = client.get(reverse("accounts:home")).content.decode()
    assert "合同期满未登记归国" in home and "?state=overdue" in home


def test_the_nav_shows_the_register_under_projects_and_departures(people, client):
    client.force_login(people.agency_a1)
    html = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{reverse("abroad:register")}"' in html and "在外人员" in html


def test_queries_do_not_grow_with_rows(world, client, django_assert_max_num_queries):
    abroad(world, "单人", departed_on=date(2020, 7, 1), term="3年", seq=40)
    client.force_login(world.agency_a1)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("abroad:register")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(29):
        abroad(world, f"批量{n}", departed_on=date(2020, 7, 1) + timedelta(days=n),
               term=["3年", "36个月", "2年6个月"][n % 3], seq=41 + n)
    assert len(names(client.get(reverse("abroad:register")))) == 30
    with django_assert_max_num_queries(one):
        response = client.get(reverse("abroad:register"))
    assert len(response.context["rows"]) == 30


def test_the_departure_service_stores_the_expected_return_date(world):
    """Recorded the way users record it (contract with its term, then the departure), the
    candidacy keeps departure + term: the register reads and filters on that stored date."""
    from tests.pipeline_walk import walk
    c = walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1,
             start=date(2026, 3, 2), step_days=10)
    c.refresh_from_db()
    assert c.departed_on == date(2026, 5, 1) and c.contract_term == "3年"
    assert c.contract_ends_on == date(2029, 5, 1)
    row = next(register_rows(abroad_register(world.agency_a1), date(2026, 12, 2)))
    assert (row.candidacy.pk, row.ends_on, row.state) == (c.pk, date(2029, 5, 1), "abroad")
    # Near the end it turns 90天内到期, and overdue after, with no write in between.
    assert abroad_register(world.agency_a1, {"state": "ending"}, date(2029, 3, 1)).get() == c
    assert abroad_register(world.agency_a1, {"state": "overdue"}, date(2029, 5, 2)).get() == c


def test_the_register_is_read_through_its_partial_index(people):
    """The order and the state filters are on the stored column (unknown ends as the farthest
    date, the index's own expression), which the register's partial index (status = abroad)
    serves: no per-row computation of the end date."""
    from django.db import connection
    qs = abroad_register(people.city_ty, {"state": "overdue"}, date(2026, 12, 2))
    sql, params = qs.query.sql_with_params()
    assert 'COALESCE("pipeline_candidacy"."contract_ends_on", %s) <' in sql
    assert "make_interval" not in sql and "CASE WHEN" not in sql.split("ORDER BY")[1]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    # On a tiny table the planner may take the register's unscoped index: either serves.
    assert "candidacy_abroad_city" in plan or "candidacy_abroad_order" in plan, plan


def test_following_the_pages_shows_everyone_once_in_the_register_order(people, client,
                                                                       monkeypatch):
    """Two a page (keyset, never counted): the walk crosses the tie of 王一 and 王二 (same end,
    same departure: the id decides) and the unknown end of 钱六, last."""
    import html
    import re

    from apps.common import paginator
    original = paginator.KeysetPage.__init__
    monkeypatch.setattr(paginator.KeysetPage, "__init__",
                        lambda self, qs, **kw: original(self, qs, **{**kw, "per_page": 2}))
    client.force_login(people.province)
    url, link, seen = reverse("abroad:register"), reverse("abroad:register"), []
    for _ in range(10):
        response = client.get(link)
        seen += names(response)
        found = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', response.content.decode())
        if not found:
            break
        link = url + html.unescape(found.group(1))
    assert seen == [SENTINEL_PERSON, "王一", "王二", "李四", "赵五", "钱六"]
    # A forged cursor is the first page, never an error.
    for bad in ("9999-12-31.x", "2020-01-01,2019-01-01", "a,b.1", "2020-01-01.5"):
        assert names(client.get(url, {"after": bad}))[:2] == [SENTINEL_PERSON, "王一"], bad
