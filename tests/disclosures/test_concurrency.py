"""A granted request is taken once, even by eight downloads at once (real commits)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.disclosures import services
from apps.disclosures.models import Disclosure, DisclosureStatus
from tests.subsidies.test_double_payment import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_downloads_at_once_take_the_grant_once(world):
    now = timezone.now()
    d = Disclosure.objects.create(
        form="form5", purpose="medical", purpose_text="出境体检", people_count=1,
        org_name="山西大学", requested_by=world.unit_u1, status=DisclosureStatus.GRANTED,
        auto_granted=True, decided_at=now, expires_at=now + timedelta(hours=1))
    d.people.set([world.person_ty])
    outcomes = at_once(8, lambda: services.disclosure_take(d, actor=world.unit_u1))
    assert sorted(kind for kind, _ in outcomes) == ["DisclosureRefused"] * 7 + ["ok"]
    assert [value for kind, value in outcomes if kind == "ok"] == [{world.person_ty.pk}]
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).count() == 1
    assert Disclosure.objects.get().status == DisclosureStatus.USED


def test_two_requests_at_once_cannot_both_fit_under_the_threshold(world, settings):
    import threading

    from apps.disclosures.models import DisclosureForm
    from tests.disclosures.test_disclosures import second_person
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    people = iter([world.person_ty, second_person(world)])
    lock = threading.Lock()

    def request():
        with lock:
            person = next(people)
        return services.disclosure_request(
            actor=world.unit_u1, form=DisclosureForm.FORM5, people=[person],
            purpose="medical", purpose_text="出境体检", org_name="山西大学").status

    outcomes = at_once(2, request)
    assert sorted(value for _, value in outcomes) == [DisclosureStatus.GRANTED,
                                                      DisclosureStatus.PENDING], outcomes
