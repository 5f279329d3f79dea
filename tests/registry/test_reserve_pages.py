"""The reserve pool (储备库) at a million people (issue 17): pages by keyset, never counted,
its 脱贫劳动力优先 order read group by group, and its trade and language searches exact."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.registry.models import Person, poverty_current_since
from apps.registry.selectors import priority_rank, reserve_pool
from tests.common.test_keyset_lists import _walk, one_per_page  # noqa: F401 - a fixture
from tests.conftest import register
from tests.rosters.files import person_row

pytestmark = pytest.mark.django_db


def _people(world, n, **fields):
    start = Person.objects.count()
    people = []
    for i in range(n):
        p = register(world.unit_u1, name=f"储备{start + i}", sex="男",
                     phone=f"1370000{start + i:04d}", id_number=person_row(700 + start + i)[3])
        if fields:
            Person.objects.filter(pk=p.pk).update(**fields)
        people.append(p)
    return people


@pytest.fixture
def groups(world):
    since = poverty_current_since(timezone.localdate())
    return {
        "verified": _people(world, 2, poverty_status="脱贫劳动力", poverty_verified_on=since),
        "lapsed": _people(world, 1, poverty_status="监测对象",
                          poverty_verified_on=since - timedelta(days=1)),
        "unverified": _people(world, 2, poverty_status="脱贫劳动力"),
        "others": _people(world, 2),
    }


def test_priority_order_walks_each_group_once_in_rank_order(world, client, one_per_page,
                                                            groups):
    client.force_login(world.unit_u1)
    seen, queries = _walk(client, reverse("registry:reserve_pool"), "?order=priority")
    expected = list(reserve_pool(world.unit_u1).order_by(priority_rank(), "-created_at", "-id")
                    .values_list("pk", flat=True))
    assert seen == expected
    ranks = [p.pk for p in groups["verified"][::-1]]
    assert seen[:2] == ranks  # verified and current first, newest first
    # the lapsed verification and the never verified ones come next, before everyone else
    assert set(seen[2:5]) == {p.pk for p in groups["lapsed"] + groups["unverified"]}
    assert not [sql for sql in queries if '"__count"' in sql]


def test_default_order_walks_newest_first(world, client, one_per_page, groups):
    client.force_login(world.unit_u1)
    seen, _ = _walk(client, reverse("registry:reserve_pool"))
    assert seen == list(reserve_pool(world.unit_u1).order_by("-created_at", "-id")
                        .values_list("pk", flat=True))


@pytest.mark.parametrize("bad", ["9:2026-01-01T00:00:00+00:00.1", "1:not-a-time.1", "x:.",
                                 "2026-01-01T00:00:00+00:00.1", "1:" + "9" * 5000])
def test_a_forged_group_cursor_reads_as_the_first_page(world, client, groups, bad):
    client.force_login(world.unit_u1)
    url = reverse("registry:reserve_pool")
    first = [p.pk for p in client.get(url, {"order": "priority"}).context["page"]]
    response = client.get(url, {"order": "priority", "after": bad})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == first


def test_the_page_says_what_it_shows_without_counting(world, client, groups):
    client.force_login(world.unit_u1)
    response = client.get(reverse("registry:reserve_pool"))
    shown = len(response.context["page"])
    assert f"共 {shown} 人（已登记、当前无进行中报名）" in response.content.decode()


@pytest.mark.parametrize("field", ["intended_trade", "languages"])
def test_trade_and_language_search_is_exactly_a_substring_match(world, field):
    values = ["电焊工", "焊接工", "工焊工", "日语N2", "英语", ""]
    people = _people(world, len(values))
    for p, value in zip(people, values):
        Person.objects.filter(pk=p.pk).update(**{field: value})
    param = "trade" if field == "intended_trade" else "language"
    for text in ["焊", "焊工", "焊工焊", "n2", "N2", "语", "日语N", "英语", "俄语", "%", "_"]:
        found = set(reserve_pool(world.unit_u1, **{param: text}).values_list("pk", flat=True))
        expected = {p.pk for p, value in zip(people, values) if text.upper() in value.upper()}
        assert found == expected, text
    # 工焊工 holds every piece of 焊工焊 (焊, 工, 焊工, 工焊) but not the text itself.
    assert not reserve_pool(world.unit_u1, **{param: "焊工焊"}).exists()


def test_searching_a_trade_through_the_page(world, client):
    welder, cook = _people(world, 2)
    Person.objects.filter(pk=welder.pk).update(intended_trade="电焊工")
    Person.objects.filter(pk=cook.pk).update(intended_trade="厨师")
    client.force_login(world.unit_u1)
    response = client.get(reverse("registry:reserve_pool"), {"trade": "焊工"})
    assert [p.pk for p in response.context["page"]] == [welder.pk]
    assert "电焊工" in response.content.decode() and "厨师" not in response.content.decode()
