"""The returnee profile form from two tabs, or posted again: the first save stands, the later
post is refused in words, never silently overwriting what another office saved; the audit log
shows the saves that happened and no more (real commits for the race)."""
import html

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.returnees.models import ReturneeProfile
from apps.returnees.services import profile_save
from tests.concurrency import at_once
from tests.returnees.conftest import profile_fields, returned


def _post_data(form, **changes):
    fields = profile_fields(**changes)
    data = {k: v for k, v in fields.items() if k not in ("support_wanted", "consent_contact")}
    data.update(support_wanted=fields["support_wanted"], consent_on=fields["consent_on"].isoformat(),
                expected=form["expected"].value() or "")
    if fields["consent_contact"]:
        data["consent_contact"] = "on"
    return data


def test_two_tabs_and_a_replay_of_the_profile_form_save_once_each(world, as_user):
    c = returned(world, "双开甲", 81)
    url = reverse("returnees:profile_edit", args=[c.person.pk])
    unit, city = as_user(world.unit_u1), None
    tab_a = unit.get(url).context["form"]
    tab_b = unit.get(url).context["form"]
    first = _post_data(tab_a, skills="焊接")
    assert unit.post(url, first).status_code == 302
    # The second tab was opened before the first save: refused, the first's words kept.
    late = unit.post(url, _post_data(tab_b, skills="木工"))
    assert late.status_code == 200
    assert "本次未保存" in html.unescape(late.content.decode())
    assert ReturneeProfile.objects.get(person=c.person).skills == "焊接"
    # The same first POST again (a replay): refused too.
    assert "本次未保存" in html.unescape(unit.post(url, first).content.decode())
    # A fresh page edits as before.
    city = as_user(world.city_ty)
    fresh = city.get(url).context["form"]
    assert city.post(url, _post_data(fresh, skills="电工")).status_code == 302
    profile = ReturneeProfile.objects.get(person=c.person)
    assert profile.skills == "电工"
    assert AuditEvent.objects.filter(action="returnee", object_id=str(profile.pk)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_make_one_profile(world):
    c = returned(world, "双开乙", 82)
    outcomes = at_once(3, lambda: profile_save(c.person, actor=world.unit_u1, expected="",
                                               **profile_fields()).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("本次未保存" in m or "刚被他人登记" in m for o, m in outcomes if o != "ok")
    assert ReturneeProfile.objects.filter(person=c.person).count() == 1
    assert AuditEvent.objects.filter(action="returnee").count() == 1
