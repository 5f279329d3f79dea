"""在外人员统计 (issue 18 item 5): the count abroad on any date from departures and returns,
by city, unit, agency and country, scoped; with the duty-of-care figures beside it."""
from datetime import date

import pytest
from django.urls import reverse

from apps.abroad.figures import abroad_counts, duty_figures
from apps.pipeline.models import Candidacy, CandidacyStatus
from tests.incidents.conftest import abroad_person


@pytest.fixture
def travels(world):
    """王一 out since 2025 and still abroad; 王二 out 2025, back 1 June 2026; 王三 out July
    2026 (Singapore); 大同's sentinel out since 2025."""
    a = abroad_person(world, "王一", 1)
    b = abroad_person(world, "王二", 2)
    c = abroad_person(world, "王三", 3)
    Candidacy.objects.filter(pk=a.pk).update(departed_on=date(2025, 1, 1))
    Candidacy.objects.filter(pk=b.pk).update(departed_on=date(2025, 1, 1),
                                             returned_on=date(2026, 6, 1),
                                             status=CandidacyStatus.RETURNED)
    Candidacy.objects.filter(pk=c.pk).update(departed_on=date(2026, 7, 1), country="新加坡")
    Candidacy.objects.filter(pk=world.cand_dt.pk).update(
        status=CandidacyStatus.ABROAD, departed_on=date(2025, 3, 1), country="日本")
    return world


@pytest.mark.parametrize("day, city_ty, province", [
    (date(2024, 12, 31), 0, 0),
    (date(2025, 1, 1), 2, 2),      # departed that day: abroad
    (date(2026, 5, 31), 2, 3),
    (date(2026, 6, 1), 1, 2),      # back that day: not abroad
    (date(2026, 8, 1), 2, 3),
])
def test_the_count_abroad_on_a_date_is_departures_less_returns(travels, day, city_ty, province):
    assert abroad_counts(travels.city_ty, day)["total"] == city_ty
    assert abroad_counts(travels.province, day)["total"] == province


def test_the_groupings_sum_to_the_total_and_stay_in_scope(travels):
    counts = abroad_counts(travels.city_ty, date(2026, 8, 1))
    assert counts["city"] == [("太原", 2)]
    assert counts["unit"] == [("山西大学", 2)]
    assert dict(counts["country"]) == {"日本": 1, "新加坡": 1}
    province = abroad_counts(travels.province, date(2026, 8, 1))
    assert dict(province["city"]) == {"太原": 2, "大同": 1}
    for key in ("city", "unit", "agency", "country"):
        assert sum(n for _, n in province[key]) == province["total"], key
    # The other city sees nothing of 太原's, the agency A2 only its own.
    assert dict(abroad_counts(travels.city_dt, date(2026, 8, 1))["city"]) == {"大同": 1}
    assert abroad_counts(travels.agency_a2, date(2026, 8, 1))["total"] == 1


def test_complaints_per_hundred_departures(travels):
    from tests.complaints.conftest import file_case
    file_case(travels, candidacy=Candidacy.objects.get(person__name="王一"),
              on=date(2026, 9, 1))
    figures = duty_figures(travels.city_ty, date(2026, 12, 1))
    assert figures["departures"] == 3 and figures["complaints"]["received"] == 1
    assert figures["complaints"]["per_100"] == 33.3
    assert [r["agency"] for r in figures["rag"]] == [travels.a1.name]
    assert duty_figures(travels.city_dt, date(2026, 12, 1))["complaints"]["received"] == 0


def test_the_page_counts_on_the_chosen_date_and_refuses_the_future(
        travels, client, django_assert_max_num_queries):
    client.force_login(travels.city_ty)
    url = reverse("abroad:figures")
    # A fixed number whatever the rows: issue 19 added early returns by five groupings and
    # by cause, the project grouping of the count abroad and the count past contract end.
    with django_assert_max_num_queries(34):
        page = client.get(url, {"day": "2026-06-01"}).content.decode()
    assert "2026年6月1日在外 <strong>1</strong> 人" in page
    assert "越权哨兵" not in page and "大同" not in page
    refused = client.get(url, {"day": "2099-01-01"}).content.decode()
    assert "统计日期不能晚于今天" in refused
