"""One 脱贫 verification sent three times at once (two tabs and a double click, real commits):
one verification row, one re-verification item owed, the others told it is recorded."""
import pytest
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.deadlines.models import DeadlineItem
from apps.registry.models import Person, PovertyVerification
from apps.registry.services import person_poverty_verify
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_verification_sent_three_times_at_once_is_recorded_once(world):
    person = world.person_ty
    outcomes = at_once(3, lambda: person_poverty_verify(
        Person.objects.get(pk=person.pk), actor=world.city_ty, status="脱贫劳动力",
        source="national", verified_on=timezone.localdate()).pk)
    assert [o for o, _ in outcomes].count("ok") == 1, outcomes
    assert all("请勿重复提交" in m for o, m in outcomes if o != "ok")
    assert PovertyVerification.objects.filter(person=person).count() == 1
    assert DeadlineItem.objects.filter(subject_id=person.pk, stage__startswith="poverty-",
                                       status="open").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.POVERTY).count() == 1
