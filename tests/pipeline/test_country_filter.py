"""输出国 filters the lists by the country they show — a departed person's own (recorded at
departure), else the project's — exactly, over the list's index (issue 17: a substring match
read every row, 430–500 ms on the register); the choice holds every country the records do."""
import pytest
from django.urls import reverse

from apps.pipeline.models import Candidacy
from apps.pipeline.selectors import candidacy_list, destination_countries
from apps.pipeline.services import candidacy_open
from tests.conftest import register
from tests.pipeline_walk import walk
from tests.rosters.files import person_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def departed(world):
    # 张三 goes to 韩国 on the 日本 project; 李四 is still in the pipeline of that project.
    c = walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1,
             country="韩国")
    person = register(world.unit_u1, name="李四", sex="男", phone="13800005678",
                      id_number=person_row(801)[3])
    world.waiting = candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                                   on=c.stage_on)
    world.departed = c
    return world


def test_the_choice_holds_projects_and_departures_countries(departed):
    countries = destination_countries()
    assert "韩国" in countries                              # only a departure says it
    assert {"日本", "新加坡", "以色列", "德国"} <= set(countries)  # the projects'
    assert countries == sorted(set(countries))


def test_a_departed_person_is_listed_under_the_own_country_others_under_the_project(
        departed, client):
    w = departed
    client.force_login(w.province)
    url = reverse("pipeline:candidacy_list")
    shown = lambda **q: {c.pk for c in client.get(url, q).context["page"]}  # noqa: E731
    assert shown(country="韩国") == {w.departed.pk}
    assert shown(country="日本") == {w.waiting.pk}
    assert w.cand_dt.pk in shown(country="新加坡")
    assert candidacy_list(w.province, country="韩国").get() == Candidacy.objects.get(
        pk=w.departed.pk)


def test_a_piece_of_a_name_is_an_invalid_choice_said_in_chinese(departed, client):
    client.force_login(departed.province)
    response = client.get(reverse("pipeline:candidacy_list"), {"country": "韩"})
    form = response.context["form"]
    assert form.errors["country"] == ["“韩”不在可选范围内，请重新选择。"]


def test_the_register_filters_the_same_way(departed, client):
    client.force_login(departed.province)
    url = reverse("abroad:register")
    rows = client.get(url, {"country": "韩国"}).context["rows"]
    assert [r.candidacy.pk for r in rows] == [departed.departed.pk]
    assert client.get(url, {"country": "日本"}).context["rows"] == []
    # The unit sees its own person under the same filter; the other city's sees nobody.
    client.force_login(departed.unit_u1)
    assert [r.candidacy.pk for r in client.get(url, {"country": "韩国"}).context["rows"]] == [
        departed.departed.pk]
    client.force_login(departed.city_dt)
    assert client.get(url, {"country": "韩国"}).context["rows"] == []
