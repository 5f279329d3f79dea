"""我的待办: each link opens the page where the duty is done, and only its owner is offered
to do it (the city and the province oversee the unit's duty: 查看)."""
import re
from datetime import date

import pytest
from django.urls import reverse

from apps.deadlines.models import DeadlineItem
from apps.deadlines.services import claim_item_open, stage_item_open
from apps.pipeline.models import Stage
from apps.registry.services import person_transfer
from apps.workdays.seed import calendar_seed
from tests.conftest import as_step


@pytest.fixture
def claim_item(world):
    calendar_seed()
    return as_step(claim_item_open, world.cand_ty, date(2026, 6, 1))


def _row(html, text):
    """The table row of the to-do list that names text."""
    return next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if text in r)


def test_claim_duty_opens_the_claim_page_for_the_unit(claim_item, world, client):
    assert claim_item.rule.code == "claim" and claim_item.owner_role == "unit"
    client.force_login(world.unit_u1)
    row = _row(client.get(reverse("deadlines:my_items")).content.decode(), "附件8")
    assert f'href="{reverse("subsidies:claim_create")}">去填报</a>' in row
    assert reverse("registry:person_detail", args=[world.person_ty.pk]) not in row
    assert client.get(reverse("subsidies:claim_create")).status_code == 200


@pytest.mark.parametrize("who", ["city_ty", "province"])
def test_overseers_see_the_units_duty_without_a_fill_in_button(claim_item, world, client, who):
    client.force_login(getattr(world, who))
    html = client.get(reverse("deadlines:my_items")).content.decode()
    row = _row(html, "附件8")
    assert "去填报" not in row
    person = reverse("registry:person_detail", args=[world.person_ty.pk])
    assert f'href="{person}">查看</a>' in row


def test_stage_duty_opens_the_record_form_for_its_owner(world, client):
    calendar_seed()
    as_step(stage_item_open, world.cand_ty, Stage.FIRST_INTERVIEW, date(2026, 9, 30))
    client.force_login(world.unit_u1)
    row = _row(client.get(reverse("deadlines:my_items")).content.decode(), "张三")
    record = reverse("pipeline:candidacy_record", args=[world.cand_ty.pk])
    assert f'href="{record}">去填报</a>' in row
    assert client.get(record).status_code == 200
    client.force_login(world.city_ty)
    row = _row(client.get(reverse("deadlines:my_items")).content.decode(), "张三")
    assert "去填报" not in row and "查看" in row


def test_a_transfer_moves_the_persons_open_duties_to_the_new_unit(claim_item, world, client):
    person_transfer(world.person_ty, to_unit=world.u3, reason="户籍迁至大同",
                    actor=world.province)
    claim_item.refresh_from_db()
    assert (claim_item.unit, claim_item.city) == (world.u3, world.dt)
    client.force_login(world.unit_u1)
    assert "张三" not in client.get(reverse("deadlines:my_items")).content.decode()
    client.force_login(world.unit_u3)
    row = _row(client.get(reverse("deadlines:my_items")).content.decode(), "附件8")
    assert "去填报" in row
    assert DeadlineItem.objects.filter(unit=world.u1, candidacy=world.cand_ty).count() == 0
