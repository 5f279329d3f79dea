import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.complaints import services
from apps.pipeline.models import Candidacy, CandidacyStatus
from tests.pipeline_walk import walk

DEPARTED_ON = date(2026, 5, 1)
_cases = itertools.count(1)


@pytest.fixture
def abroad(world):
    """张三 (太原, 山西大学, agency A1) departed through the real stages; 大同's sentinel abroad
    with A2."""
    world.cand_ty = walk(world.cand_ty, unit_user=world.unit_u1, agency_user=world.agency_a1)
    assert world.cand_ty.departed_on == DEPARTED_ON
    Candidacy.objects.filter(pk=world.cand_dt.pk).update(
        status=CandidacyStatus.ABROAD, departed_on=date(2026, 5, 1), employer="哨兵株式会社")
    world.cand_dt.refresh_from_db()
    return world


def file_case(w, *, actor=None, candidacy=None, on=date(2026, 9, 1), sensitive=False,
              claims=(("wages", Decimal("30000"), ""), ("deposit", Decimal("5000"), "")),
              **overrides):
    """A wage complaint against the worker's agency, filed by 山西大学 unless told; each
    its own case (numbered words: the same case twice is refused as a double submit)."""
    fields = dict(channel="phone", received_on=on, kind="complaint", category="wages",
                  respondent_kind="agency", respondent_agency=w.a1,
                  summary=f"雇主拖欠三个月工资，机构扣押保证金。（{next(_cases)}）")
    fields.update(overrides)
    return services.complaint_file(actor=actor or w.unit_u1, candidacy=candidacy or w.cand_ty,
                                   claims=claims, sensitive=sensitive, **fields)


def act(client, c, action, **data):
    return client.post(reverse("complaints:complaint_action", args=[c.pk, action]),
                       {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()})
