"""A date a form reads as valid but no record of the programme can carry (0001-01-01,
1900-01-01, 9999-12-31) is refused naming the field, not turned into a deadline that cannot be
counted (an overflow, a server error): docs/TIME-RULES.md rule 39, attacked on the session
page and on a class's plan."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.pipeline.models import Session, Stage
from apps.training import services as training
from apps.training.models import TrainingClass
from tests.training.test_classes import INTENSIVE


@pytest.mark.parametrize("forged, said", [("0001-01-01", "不能早于2000年01月01日"),
                                          ("1900-01-01", "不能早于2000年01月01日"),
                                          ("9999-12-31", "年之后")])
def test_a_session_outside_the_span_is_refused_not_a_server_error(world, client, forged, said):
    client.force_login(world.unit_u1)
    response = client.post(reverse("pipeline:session_create"), {
        "stage": Stage.FIRST_INTERVIEW, "project": world.project_a1.pk, "held_on": forged,
        "place": "视频"})
    assert response.status_code == 200 and said in response.content.decode()
    assert not Session.objects.filter(held_on=date.fromisoformat(forged)).exists()


def test_a_class_planned_outside_the_span_is_refused(world, client):
    with pytest.raises(ValidationError, match="开班时间（0001-01-01）不能早于"):
        training.class_create(actor=world.unit_u1, **{**INTENSIVE, "opens_on": date(1, 1, 1),
                                                     "course_starts_on": date(1, 1, 1)})
    client.force_login(world.unit_u1)
    response = client.post(reverse("training:class_create"), {
        **INTENSIVE, "opens_on": "2026-04-01", "course_starts_on": "2026-04-01",
        "ends_on": "9999-12-31", "remarks": ""})
    assert response.status_code == 200 and "超过5年之后" in response.content.decode()
    assert not TrainingClass.objects.filter(name=INTENSIVE["name"]).exists()
