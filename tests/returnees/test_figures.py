"""Issue 19 item 3: people abroad on any date from departures and returns, by city, unit,
agency, country and project; early returns per 100 departures by the same, and by cause."""
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from apps.abroad.figures import abroad_counts, early_returns
from tests.returnees.conftest import abroad, come_back, unpaid

TODAY = timezone.localdate


def _world(w):
    """Three of 太原 abroad since 2025 (one back early today for unpaid wages, one back at
    the end of a contract a week ago), and the 大同 side's one, abroad."""
    a = abroad(w, "统计甲", 101, departed_on=date(2025, 1, 6))
    b = abroad(w, "统计乙", 102, departed_on=date(2025, 1, 6), country="新加坡")
    c = abroad(w, "统计丙", 103, departed_on=date(2025, 1, 6))
    abroad(w, "统计丁", 104, side="foreign", departed_on=date(2025, 2, 3))
    unpaid(a, w.agency_a1, on=TODAY())
    come_back(c, w.agency_a1, on=TODAY() - timedelta(days=7))
    return a, b, c


def test_a_return_drops_the_count_abroad_on_its_date_by_project_too(world):
    _world(world)
    before = abroad_counts(world.city_ty, TODAY() - timedelta(days=1))
    now = abroad_counts(world.city_ty, TODAY())
    assert (before["total"], now["total"]) == (2, 1)
    assert dict(now["project"]) == {"日本介护项目": 1}
    assert dict(abroad_counts(world.city_ty, TODAY() - timedelta(days=8))["project"]) == {
        "日本介护项目": 3}
    assert dict(abroad_counts(world.province, TODAY())["project"]) == {
        "日本介护项目": 1, "新加坡建筑项目": 1}
    for key in ("city", "unit", "agency", "country", "project"):
        assert sum(n for _, n in now[key]) == now["total"], key


def test_early_returns_per_hundred_departures_by_each_grouping_and_cause(world):
    _world(world)
    figures = early_returns(world.city_ty, TODAY())
    assert (figures["departures"], figures["early"], figures["per_100"]) == (3, 1, 33.3)
    by = dict(figures["by"])
    assert by["岗位项目"] == [("日本介护项目", 3, 1, 33.3)]
    assert by["地市"] == [("太原", 3, 1, 33.3)]
    assert dict((name, (n, e)) for name, n, e, _ in by["输出国"]) == {
        "日本": (2, 1), "新加坡": (1, 0)}
    assert figures["causes"] == [("雇主欠薪或违反合同", 1, 33.3)]
    # The day before the early return: none yet (nothing is counted before it happened).
    assert early_returns(world.city_ty, TODAY() - timedelta(days=1))["early"] == 0
    # Scoped: 大同 sees its own departure only, no early return; the agency A2 likewise.
    other = early_returns(world.city_dt, TODAY())
    assert (other["departures"], other["early"], other["causes"]) == (1, 0, [])
    assert early_returns(world.agency_a2, TODAY())["departures"] == 1


def test_the_figures_page_shows_the_early_returns(world, client, django_assert_max_num_queries):
    _world(world)
    client.force_login(world.city_ty)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("abroad:figures")).content.decode()
    assert f"{TODAY():%Y}年{TODAY().month}月{TODAY().day}日在外 <strong>1</strong> 人" in page
    assert "提前回国 1 人，每百名出境人员 33.3 人" in page
    assert "雇主欠薪或违反合同" in page and "按岗位项目" in page
    assert "越权哨兵" not in page and "新加坡建筑项目" not in page


def test_people_past_their_contract_end_are_said_beside_the_count(world, client):
    """Nepal's count abroad was inflated until departures were matched with returns."""
    abroad(world, "超期甲", 105, departed_on=date(2022, 1, 3))  # ended 2025-01-03, no return
    abroad(world, "在期乙", 106, departed_on=date(2025, 1, 6))
    counts = abroad_counts(world.city_ty, TODAY())
    assert (counts["total"], counts["ended"]) == (2, 1)
    assert abroad_counts(world.city_ty, date(2024, 12, 31))["ended"] == 0
    client.force_login(world.city_ty)
    page = client.get(reverse("abroad:figures")).content.decode()
    assert 'id="abroad-ended">其中 <strong class="error">1</strong> 人合同已于当日前期满' in page
