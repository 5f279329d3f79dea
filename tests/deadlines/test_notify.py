"""Event notices (a grade raised, a case escalated) reach the one organisation named, in its
我的待办 and by e-mail, and nobody else's inbox; an item owed for any other record (an
incident, a complaint) links to that record's page."""
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.deadlines.models import DeadlineItem, DeadlineRule, Notice, NoticeKind
from apps.deadlines.selectors import my_notices
from apps.deadlines.services import notices_email, notify, recompute_due
from tests.conftest import as_step


def _notify(**kwargs):
    return as_step(notify, **kwargs)


def test_an_event_notice_reaches_only_the_organisation_it_names(world, client):
    _notify(role=Role.AGENCY, agency_id=world.a1.pk, text="事件等级已调整为Ⅱ级", link="/x/1/")
    assert [n.text for n in my_notices(world.agency_a1)] == ["事件等级已调整为Ⅱ级"]
    for other in (world.agency_a2, world.unit_u1, world.city_ty, world.city_dt, world.province,
                  world.observer):
        assert not [n for n in my_notices(other) if n.kind == NoticeKind.EVENT], other.username
    client.force_login(world.agency_a1)
    html = client.get(reverse("deadlines:my_items")).content.decode()
    assert '<a href="/x/1/">事件等级已调整为Ⅱ级</a>' in html
    client.force_login(world.agency_a2)
    assert "事件等级已调整" not in client.get(reverse("deadlines:my_items")).content.decode()


def test_a_city_notice_is_not_another_citys_and_the_province_gets_its_own(world):
    _notify(role=Role.CITY, city_id=world.ty.pk, text="投诉升级至地市")
    _notify(role=Role.PROVINCE, text="事件升级为Ⅰ级")
    assert [n.text for n in my_notices(world.city_ty)] == ["投诉升级至地市"]
    assert not list(my_notices(world.city_dt))
    assert [n.text for n in my_notices(world.province)] == ["事件升级为Ⅰ级"]
    # The unit of that city sees neither.
    assert not visible(Notice.objects.filter(kind=NoticeKind.EVENT), world.unit_u1).exists()


@pytest.mark.parametrize("kwargs", [
    {"role": Role.AGENCY}, {"role": Role.CITY, "agency_id": 1}, {"role": Role.OBSERVER},
    {"role": "nobody"},
])
def test_a_notice_without_a_recipient_is_refused(world, kwargs):
    with pytest.raises(ValueError):
        _notify(text="无接收方", **kwargs)
    assert not Notice.objects.exists()


def test_notify_refuses_to_write_outside_an_audited_service(world):
    from apps.audit.services import AuditGap
    with pytest.raises(AuditGap):
        notify(role=Role.PROVINCE, text="未审计")


def test_event_notices_are_emailed_to_the_organisation_once(world):
    world.agency_a1_user2 = type(world.agency_a1).objects.create_user(
        "agency_a1_b", password="x", role=Role.AGENCY, agency=world.a1, email="b@a1.cn")
    world.agency_a2.email = "x@a2.cn"
    world.agency_a2.save()
    _notify(role=Role.AGENCY, agency_id=world.a1.pk, text="投诉已转至贵机构，请于5个工作日内答复")
    assert notices_email() == 1
    assert notices_email() == 0
    sent = [m for m in mail.outbox if "投诉已转至贵机构" in m.body]
    assert len(sent) == 1 and "b@a1.cn" in sent[0].to and "x@a2.cn" not in sent[0].to


def test_an_item_for_another_record_links_to_it_and_keeps_its_extension(world, client):
    """The generic subject: here a training class stands in for an incident or a complaint;
    the extension (a case on hold) survives a recompute of the rule."""
    rule = DeadlineRule.objects.create(code="test_subject", name="测试事项", event="complaint",
                                       offset=5, owner="组织单位")
    subject = world.person_ty  # any record with a page of its own
    event = date(2026, 11, 2)
    item = DeadlineItem.objects.create(
        rule=rule, subject=subject, stage="reply", owner_role=Role.UNIT, unit=world.u1,
        city=world.ty, event_on=event, due_on=event, due_at=timezone.now(),
        extension_days=3, extension_reason="暂停处理：等待外方答复")
    assert as_step(recompute_due, rule=rule) == 1
    item.refresh_from_db()
    # 2 Nov 2026 (Mon) + 5 + 3 working days = 12 Nov.
    assert item.due_on == date(2026, 11, 12)
    client.force_login(world.unit_u1)
    html = client.get(reverse("deadlines:my_items")).content.decode()
    assert f'href="{subject.get_absolute_url()}">去填报</a>' in html
    assert "张三" in html
    # An hour-counted rule is left alone by the recompute.
    DeadlineRule.objects.filter(pk=rule.pk).update(in_hours=True)
    assert as_step(recompute_due, rule=rule) == 0
