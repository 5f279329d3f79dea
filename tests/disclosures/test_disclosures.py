"""Full numbers leave the system only by a decision (docs/DISCLOSURE.md). Each test attacks
one way out: the masked default, the missing decision, widening a grant, bulk without the
province, self-approval, the agency's partner people, and caches."""
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEvent
from apps.disclosures.models import Disclosure, DisclosureStatus
from apps.evidence.models import EvidenceKind
from apps.evidence.services import evidence_attach
from apps.pipeline.services import candidacy_open
from apps.registry.idnumber import make_id
from tests.conftest import OWN_ID, pdf, register
from tests.test_url_matrix import readable

PHONE, FAMILY_PHONE, PASSPORT = "13800001234", "13700005678", "E12345678"
PURPOSE = {"purpose": "passport_visa", "purpose_text": "办理日本签证"}


@pytest.fixture
def numbered(world):
    """The 太原 person with every kind of number."""
    p = world.person_ty
    p.family_phone, p.passport_no = FAMILY_PHONE, PASSPORT
    p.save()
    return p


def second_person(world, seq="237", unit_user=None, project=None):
    """Another person of U1 with a candidacy on A1's project (or none)."""
    person = register(unit_user or world.unit_u1, name=f"李{seq}", sex="男",
                      id_number=make_id(region="140105", birth=date(1997, 1, 2), seq=seq),
                      phone=f"1391111{seq}0")
    if project is not False:
        candidacy_open(person=person, project=project or world.project_a1,
                       actor=unit_user or world.unit_u1, on=date(2026, 3, 2))
    return person


def secrets_in(text: str, *numbers) -> list[str]:
    return [n for n in numbers if n in text]


def ask(client, user, url, people, **extra):
    client.force_login(user)
    return client.post(url, {**PURPOSE, **extra, "people": [p.pk for p in people]})


def form6_url(world):
    return reverse("disclosures:request_form6") + f"?unit={world.u1.pk}"


def download(client, d, query=""):
    return client.post(reverse("disclosures:download", args=[d.pk]) + query)


def test_every_form_export_and_print_view_is_masked_for_every_role(world, client, numbered):
    leaks = []
    for user in (world.unit_u1, world.city_ty, world.agency_a1, world.province):
        client.force_login(user)
        urls = [reverse("rosters:export_form5", args=[numbered.pk]),
                reverse("rosters:print_form5", args=[numbered.pk]),
                reverse("rosters:export_form6") + f"?unit={world.u1.pk}",
                reverse("rosters:print_form6") + f"?unit={world.u1.pk}"]
        if user.role != "agency":
            urls += [reverse("training:export_form9", args=[world.standing_ty.pk]),
                     reverse("training:print_form9", args=[world.standing_ty.pk])]
        for url in urls:
            # Parameters a client might try to switch full numbers on: none exists.
            response = client.get(url + ("&" if "?" in url else "?") + "full=1&full_ids=1")
            assert response.status_code == 200, url
            body = readable(response)
            assert "张三" in body, url
            found = secrets_in(body, OWN_ID, PHONE, FAMILY_PHONE, PASSPORT)
            if found:
                leaks.append(f"{user.username} {url}: {found}")
    assert not leaks, "\n".join(leaks)


def test_a_small_request_is_granted_at_once_downloaded_once_and_audited(world, client):
    response = ask(client, world.unit_u1, form6_url(world), [world.person_ty])
    d = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosures:request_detail", args=[d.pk])
    assert (d.status, d.auto_granted, d.people_count, d.unit) == (
        DisclosureStatus.GRANTED, True, 1, world.u1)
    assert timedelta(hours=23) < d.expires_at - timezone.now() <= timedelta(hours=24)
    first = download(client, d)
    assert first.status_code == 200 and OWN_ID in readable(first)
    again = download(client, d)
    assert again.status_code == 403 and "已下载过一次" in again.content.decode()
    assert OWN_ID not in again.content.decode()
    events = list(AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).order_by("at", "id"))
    assert [e.detail.split(" ")[0] for e in events] == ["申请完整号码", "下载完整号码版"]
    assert all(e.actor == world.unit_u1 and e.ip == "127.0.0.1" for e in events)
    assert "办理护照/签证（办理日本签证）" in events[0].detail and OWN_ID not in events[1].detail


def test_the_full_version_without_a_decision_is_refused(world, client, settings):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    other = second_person(world)
    ask(client, world.unit_u1, form6_url(world), [world.person_ty, other])
    pending = Disclosure.objects.get()
    assert pending.status == DisclosureStatus.PENDING
    refused = download(client, pending)
    assert refused.status_code == 403 and "等待省专项办审批" in refused.content.decode()
    assert secrets_in(refused.content.decode(), OWN_ID, other.id_number) == []
    # A GET (a link, a prefetch) never takes a grant; a missing one is a 404.
    assert client.get(reverse("disclosures:download", args=[pending.pk])).status_code == 405
    assert client.post(reverse("disclosures:download", args=[pending.pk + 999])).status_code == 404
    assert Disclosure.objects.get().status == DisclosureStatus.PENDING


def test_a_granted_request_cannot_be_widened_by_filters_or_another_persons_id(world, client):
    other = second_person(world)
    ask(client, world.unit_u1, form6_url(world), [world.person_ty])
    d = Disclosure.objects.get()
    # The download takes no filter: query string and body are ignored.
    response = client.post(reverse("disclosures:download", args=[d.pk])
                           + f"?unit=&project={world.project_a1.pk}&people={other.pk}",
                           {"people": [other.pk], "unit": "", "training_class": ""})
    body = readable(response)
    assert OWN_ID in body and "李237" not in body and other.id_number not in body
    # Asking with an id that is not in the form, or not the user's, writes nothing.
    before = Disclosure.objects.count()
    url5 = reverse("disclosures:request_form5", args=[world.person_ty.pk])
    for people in ([other], [world.person_dt], [world.person_ty, world.person_dt]):
        response = ask(client, world.unit_u1, url5, people)
        assert response.status_code == 400
        assert "所选人员不在本表中" in response.content.decode()
    response = ask(client, world.unit_u1, form6_url(world), [world.person_dt])
    assert response.status_code == 400 and "所选人员不在本表中" in response.content.decode()
    # Another user's grant is not found, for the province too (it decides, it does not take).
    for user in (world.unit_u2, world.city_ty, world.agency_a1, world.province):
        client.force_login(user)
        assert download(client, d).status_code == 404
    assert Disclosure.objects.count() == before
    assert Disclosure.objects.get(pk=d.pk).status == DisclosureStatus.USED


def test_a_large_request_waits_for_the_province(world, client, settings):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    other = second_person(world)
    ask(client, world.unit_u1, form6_url(world), [world.person_ty, other])
    d = Disclosure.objects.get()
    decide = reverse("disclosures:request_decide", args=[d.pk])
    for user in (world.city_ty, world.unit_u1, world.agency_a1, world.observer, world.auditor):
        client.force_login(user)
        assert client.post(decide, {"decision": "approve"}).status_code == 403
    assert Disclosure.objects.get().status == DisclosureStatus.PENDING
    client.force_login(world.province)
    review = client.get(reverse("disclosures:review_list")).content.decode()
    assert reverse("disclosures:request_detail", args=[d.pk]) in review
    assert client.post(decide, {"decision": "approve", "reason": "出境体检需要"}).status_code == 302
    assert client.post(decide, {"decision": "refuse", "reason": "x"}).status_code == 400
    d.refresh_from_db()
    assert (d.status, d.decided_by, d.auto_granted) == (DisclosureStatus.GRANTED,
                                                       world.province, False)
    client.force_login(world.unit_u1)
    body = readable(download(client, d))
    assert OWN_ID in body and other.id_number in body
    approval = AuditEvent.objects.get(action=AuditAction.DISCLOSURE, actor=world.province)
    assert approval.detail.startswith("批准完整号码") and approval.ip == "127.0.0.1"


def test_a_refusal_needs_a_reason_and_stops_the_download(world, client, settings):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    ask(client, world.unit_u1, form6_url(world), [world.person_ty, second_person(world)])
    d = Disclosure.objects.get()
    client.force_login(world.province)
    decide = reverse("disclosures:request_decide", args=[d.pk])
    response = client.post(decide, {"decision": "refuse", "reason": "  "})
    assert response.status_code == 400 and "拒绝时请填写理由" in response.content.decode()
    assert client.post(decide, {"decision": "refuse", "reason": "用途与人员不符"}).status_code == 302
    client.force_login(world.unit_u1)
    response = download(client, d)
    assert response.status_code == 403 and "用途与人员不符" in response.content.decode()
    mine = client.get(reverse("disclosures:request_list")).content.decode()
    assert "已拒绝" in mine


def test_no_one_decides_their_own_request(world, client, settings):
    """A city account asks for many; the same account later becomes a province account."""
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    client.force_login(world.city_ty)
    client.post(reverse("disclosures:request_form6") + f"?unit={world.u1.pk}",
                {**PURPOSE, "people": [world.person_ty.pk, second_person(world).pk]})
    d = Disclosure.objects.get()
    assert d.status == DisclosureStatus.PENDING
    type(world.city_ty).objects.filter(pk=world.city_ty.pk).update(role="province", city=None)
    world.city_ty.refresh_from_db()
    client.force_login(world.city_ty)
    response = client.post(reverse("disclosures:request_decide", args=[d.pk]),
                           {"decision": "approve"})
    assert response.status_code == 400 and "不能审批本人提出的申请" in response.content.decode()
    assert Disclosure.objects.get().status == DisclosureStatus.PENDING
    # The database refuses it too, whatever path writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.filter(pk=d.pk).update(
            status=DisclosureStatus.GRANTED, decided_by=d.requested_by, decided_at=timezone.now())


def test_the_province_states_a_purpose_and_needs_no_second_approver(world, client, settings):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    people = [world.person_ty, second_person(world), world.person_dt]
    client.force_login(world.province)
    url = reverse("disclosures:request_form6")
    response = client.post(url, {"purpose": "insurance", "purpose_text": "",
                                 "people": [p.pk for p in people]})
    assert response.status_code == 400 and "请说明用途" in response.content.decode()
    assert not Disclosure.objects.exists()
    assert ask(client, world.province, url, people).status_code == 302
    d = Disclosure.objects.get()
    assert (d.status, d.auto_granted, d.people_count) == (DisclosureStatus.GRANTED, True, 3)
    body = readable(download(client, d))
    assert all(p.id_number in body for p in people)


def test_an_agency_never_gets_full_numbers_of_a_partner_units_person_off_its_projects(
        world, client):
    """U1 is A1's partner unit: A1 sees U1's people, but takes out full numbers only of those
    with a candidacy on A1's projects."""
    stranger = second_person(world, seq="239", project=False)
    elsewhere = second_person(world, seq="241")
    elsewhere.candidacies.update(project=world.project_a2)  # on another agency's project
    client.force_login(world.agency_a1)
    for person in (stranger, elsewhere):
        page = client.get(reverse("registry:person_detail", args=[person.pk]))
        assert page.status_code == 200 and "查看完整" not in page.content.decode()
        for field in ("id_number", "phone"):
            reveal = client.post(reverse("registry:person_reveal", args=[person.pk]),
                                 {"field": field})
            assert reveal.status_code == 404
        for name in ("rosters:export_form5", "rosters:print_form5"):
            body = readable(client.get(reverse(name, args=[person.pk])))
            assert secrets_in(body, person.id_number, person.phone) == []
        ask_page = client.get(reverse("disclosures:request_form5", args=[person.pk]))
        assert "1 人不在您可导出完整号码的范围内" in ask_page.content.decode()
        url = reverse("disclosures:request_form5", args=[person.pk])
        assert ask(client, world.agency_a1, url, [person]).status_code == 400
        assert ask(client, world.agency_a1, form6_url(world), [person]).status_code == 400
        # The ID card copy carries the full number too; another kind of material does not.
        id_copy = evidence_attach(person=person, kind=EvidenceKind.ID_COPY,
                                  uploaded=pdf("id.pdf"), actor=world.unit_u1)
        photo = evidence_attach(person=person, kind=EvidenceKind.FIRST_INTERVIEW_PHOTO,
                                uploaded=pdf("photo.pdf"), actor=world.unit_u1)
        assert client.get(reverse("evidence:evidence_download", args=[id_copy.pk])).status_code == 404
        assert client.get(reverse("evidence:evidence_download", args=[photo.pk])).status_code == 200
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action__in=[AuditAction.REVEAL, AuditAction.DISCLOSURE]
                                     ).count() == 0
    # A grant made while the person was on A1's project stays masked once they are not.
    ask(client, world.agency_a1, reverse("disclosures:request_form5",
                                         args=[world.person_ty.pk]), [world.person_ty])
    world.cand_ty.__class__.objects.filter(pk=world.cand_ty.pk).update(project=world.project_a2)
    body = readable(download(client, Disclosure.objects.get()))
    assert OWN_ID not in body


def test_an_agency_reveals_its_own_candidates(world, client):
    client.force_login(world.agency_a1)
    response = client.post(reverse("registry:person_reveal", args=[world.person_ty.pk]),
                           {"field": "id_number"})
    assert response.status_code == 200 and OWN_ID in response.content.decode()


def test_an_expired_grant_is_refused(world, client):
    ask(client, world.unit_u1, form6_url(world), [world.person_ty])
    Disclosure.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = download(client, Disclosure.objects.get())
    assert response.status_code == 403 and "已过有效期" in response.content.decode()
    assert "已过期" in client.get(reverse("disclosures:request_list")).content.decode()


def test_bad_request_input_is_named_in_chinese_and_writes_nothing(world, client):
    url = reverse("disclosures:request_form5", args=[world.person_ty.pk])
    client.force_login(world.unit_u1)
    cases = [
        ({"purpose_text": "x", "people": [world.person_ty.pk]}, "请选择用途"),
        ({"purpose": "hack", "purpose_text": "x", "people": [world.person_ty.pk]}, "请从列表中选择用途"),
        ({**PURPOSE, "purpose_text": "长" * 10000, "people": [world.person_ty.pk]}, "最多200字"),
        ({**PURPOSE, "people": ["abc"]}, "人员编号不正确"),
        ({**PURPOSE, "people": []}, "请至少选择一人"),
        ({**PURPOSE, "people": list(range(1, 901))}, "所选人员不在本表中"),
        # Beyond Django's field limit: a Chinese 400 page, not a 500.
        ({**PURPOSE, "people": list(range(1, 5001))}, "请求有误"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert not Disclosure.objects.exists()


def test_form9_and_form5_full_versions_carry_only_their_people(world, client, numbered):
    client.force_login(world.unit_u1)
    ask(client, world.unit_u1, reverse("disclosures:request_form9", args=[world.standing_ty.pk]),
        [numbered])
    body = readable(download(client, Disclosure.objects.get()))
    assert OWN_ID in body and PHONE in body and "非建制班人员花名表" in body
    ask(client, world.unit_u1, reverse("disclosures:request_form5", args=[numbered.pk]),
        [numbered])
    body = readable(download(client, Disclosure.objects.latest("pk")))
    assert secrets_in(body, OWN_ID, PHONE, FAMILY_PHONE) == [OWN_ID, PHONE, FAMILY_PHONE]
    # An agency has no 附件9 (as in training): 403.
    client.force_login(world.agency_a1)
    assert client.get(reverse("disclosures:request_form9",
                              args=[world.standing_ty.pk])).status_code == 403


def test_pages_that_may_carry_personal_data_are_not_cached(world, client):
    ask(client, world.unit_u1, form6_url(world), [world.person_ty])
    responses = {
        "page": client.get(reverse("registry:person_detail", args=[world.person_ty.pk])),
        "xlsx": client.get(reverse("rosters:export_form6")),
        "print": client.get(reverse("rosters:print_form5", args=[world.person_ty.pk])),
        "404": client.get(reverse("registry:person_detail", args=[world.person_dt.pk])),
        "403": client.get(reverse("disclosures:review_list")),
        "download": download(client, Disclosure.objects.get()),
    }
    client.force_login(world.province)
    responses["evidence"] = client.get(reverse("evidence:evidence_download",
                                               args=[world.evidence_ty.pk]))
    expected = {"page": 200, "xlsx": 200, "print": 200, "404": 404, "403": 403,
                "download": 200, "evidence": 200}
    for kind, response in responses.items():
        assert response.status_code == expected[kind], kind
        assert "no-store" in response["Cache-Control"], kind
        assert response["Pragma"] == "no-cache", kind


def test_request_lists_keep_their_query_count(world, client, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            d = Disclosure.objects.create(form="form5", purpose="other", purpose_text="测试",
                                          people_count=1, org_name="山西大学",
                                          requested_by=world.unit_u1)
            d.people.set([world.person_ty])

    make(2)
    client.force_login(world.unit_u1)
    client.get(reverse("disclosures:request_list"))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("disclosures:request_list")).status_code == 200
    make(20)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("disclosures:request_list")).status_code == 200
    client.force_login(world.province)
    client.get(reverse("disclosures:review_list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("disclosures:review_list")).status_code == 200


def test_splitting_a_bulk_download_into_small_requests_still_meets_the_province(
        world, client, settings):
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 2
    people = [world.person_ty, second_person(world, "237"), second_person(world, "239")]
    for person in people:
        ask(client, world.unit_u1, reverse("disclosures:request_form5", args=[person.pk]),
            [person])
    statuses = list(Disclosure.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [DisclosureStatus.GRANTED, DisclosureStatus.GRANTED,
                        DisclosureStatus.PENDING]
    # The same person again counts once; a day later the count starts afresh.
    ask(client, world.unit_u1, reverse("disclosures:request_form5", args=[people[0].pk]),
        [people[0]])
    assert Disclosure.objects.latest("pk").status == DisclosureStatus.GRANTED
    Disclosure.objects.update(requested_at=timezone.now() - timedelta(hours=25))
    ask(client, world.unit_u1, reverse("disclosures:request_form5", args=[people[2].pk]),
        [people[2]])
    assert Disclosure.objects.latest("pk").status == DisclosureStatus.GRANTED


def test_no_number_can_be_written_into_the_purpose_or_the_reason(world, client, settings):
    url = reverse("disclosures:request_form5", args=[world.person_ty.pk])
    for text in (f"给{OWN_ID}办签证", "联系13800001234", "联系１３８００００１２３４"):
        response = ask(client, world.unit_u1, url, [world.person_ty], purpose_text=text)
        assert response.status_code == 400 and "长串数字" in response.content.decode(), text
    assert not Disclosure.objects.exists()
    settings.DISCLOSURE_AUTO_MAX_PEOPLE = 1
    ask(client, world.unit_u1, form6_url(world), [world.person_ty, second_person(world)])
    client.force_login(world.province)
    response = client.post(reverse("disclosures:request_decide", args=[Disclosure.objects.get().pk]),
                           {"decision": "refuse", "reason": f"号码{OWN_ID}有误"})
    assert response.status_code == 400 and "长串数字" in response.content.decode()
    assert not AuditEvent.objects.filter(detail__contains=OWN_ID).exists()
