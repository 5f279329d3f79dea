"""报名 (a candidacy) is not dated before the person's own registration, and going again is not
dated before the last candidacy ended (docs/TIME-RULES.md rule 36); nor can the registration
be moved after the first 报名 (rule 21). Attacked on the service, the 报名 page and the API."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.pipeline.services import candidacy_open, candidacy_withdraw
from apps.registry.idnumber import make_id
from apps.registry.services import person_update
from tests.api.clients import call, make_client
from tests.conftest import register
from tests.returnees.conftest import returned


def _newcomer(w, registered_on):
    return register(w.unit_u1, name="新来", sex="男", phone="13700001111",
                    registered_on=registered_on,
                    id_number=make_id(region="140105", birth=date(1997, 4, 4), seq="771"))


def test_a_candidacy_before_the_persons_registration_is_refused_on_every_path(world, client):
    person = _newcomer(world, date(2026, 3, 10))
    with pytest.raises(ValidationError, match="不能早于新来的报名登记日期（2026-03-10）"):
        candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 9))
    client.force_login(world.unit_u1)
    body = client.post(reverse("pipeline:candidacy_open", args=[person.pk]), {
        "project": world.project_a1.pk, "happened_on": "2026-03-01"}).content.decode()
    assert "不能早于新来的报名登记日期（2026-03-10）" in body
    api = make_client(world, Role.UNIT, world.u1)
    response = call(client, "post", "/api/v1/candidacies/", api.key, {
        "person": person.pk, "project": world.project_a1.pk, "happened_on": "2026-03-09"})
    assert response.status_code == 400 and "报名登记日期" in str(response.json()["errors"])
    assert not Candidacy.objects.filter(person=person).exists()
    c = candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 10))  # the registration day itself is fine
    # Nor can the registration be moved after that 报名 now.
    with pytest.raises(ValidationError, match="不能晚于该人员报名岗位项目的日期（2026-03-10）"):
        person_update(person, actor=world.unit_u1, registered_on=date(2026, 3, 11))
    person.refresh_from_db()
    assert person.registered_on == date(2026, 3, 10) and c.stage_on == date(2026, 3, 10)


def test_going_again_is_not_dated_before_the_last_return(world, client):
    c = returned(world, "再出丙", 63, days_ago=30)
    back_on = timezone.localdate() - timedelta(days=30)
    with pytest.raises(ValidationError, match=f"上一次报名结束的日期（{back_on:%Y-%m-%d}）"):
        candidacy_open(person=c.person, project=world.project_a1, actor=world.unit_u1,
                       on=back_on - timedelta(days=1))
    client.force_login(world.unit_u1)
    body = client.post(reverse("pipeline:candidacy_open", args=[c.person_id]), {
        "project": world.project_a1.pk,
        "happened_on": f"{back_on - timedelta(days=200):%Y-%m-%d}"}).content.decode()
    assert f"上一次报名结束的日期（{back_on:%Y-%m-%d}）" in body
    assert Candidacy.objects.filter(person=c.person).count() == 1
    again = candidacy_open(person=c.person, project=world.project_a1, actor=world.unit_u1,
                           on=back_on)
    assert again.stage_on == back_on


def test_going_again_is_not_dated_before_a_withdrawal(world):
    person = world.person_ty
    left = date(2026, 3, 20)
    candidacy_withdraw(world.cand_ty, actor=world.unit_u1, on=left, reason="个人原因")
    assert Candidacy.objects.get(pk=world.cand_ty.pk).status == CandidacyStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="上一次报名结束的日期（2026-03-20）"):
        candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                       on=date(2026, 3, 19))
    candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1, on=left)
