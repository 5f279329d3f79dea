"""An outage period declared twice at once, then closed twice at once (two tabs, real
commits): one period, one closing, the other refused in words; the items it reaches are
extended once (the days lost not counted twice)."""
from datetime import date

import pytest

from apps.outages.models import OutagePeriod
from apps.outages.services import outage_close, outage_declare
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)

OPEN = {"kind": "lockdown", "reason": "太原市疫情封控", "starts_on": date(2026, 11, 16),
        "ends_on": None, "scope": "cities"}


def test_a_period_declared_and_closed_twice_at_once_takes_effect_once(world):
    outcomes = at_once(2, lambda: outage_declare(actor=world.province, cities=[world.ty],
                                                 **OPEN).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("请勿重复登记" in m for o, m in outcomes if o != "ok")
    period = OutagePeriod.objects.get()
    outcomes = at_once(2, lambda: outage_close(OutagePeriod.objects.get(pk=period.pk),
                                               actor=world.province,
                                               ends_on=date(2026, 11, 18)).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("已于2026-11-18结束" in m for o, m in outcomes if o != "ok")
    period.refresh_from_db()
    assert period.ends_on == date(2026, 11, 18) and OutagePeriod.objects.count() == 1
