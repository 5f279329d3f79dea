"""A batch form refused for one row shows every row again as the user entered it, and records
nothing."""
import re
from datetime import date

from django.urls import reverse

from apps.pipeline.models import Candidacy, Result, Stage, StageEvent
from apps.pipeline.services import candidacy_open, candidacy_record
from apps.registry.idnumber import make_id
from apps.training import services as training
from tests.conftest import register
from tests.training.test_classes import INTENSIVE, passed_second_interview, people


def selected(page, name):
    """The value of the option the re-shown page has selected in select name."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group()
    chosen = re.findall(r'<option value="([^"]*)" selected>', select)
    return chosen[0] if chosen else ""


def applicant(world, name, seq, applied_on):
    person = register(world.unit_u1, name=name, sex="男" if int(seq) % 2 else "女",
                      phone=f"13800000{seq}",
                      id_number=make_id(birth=date(1999, 1, 1), seq=seq))
    return candidacy_open(person=person, project=world.project_a1, actor=world.unit_u1,
                          on=applied_on)


def test_a_session_batch_with_one_bad_row_keeps_the_other_rows(world, client):
    # Applied after the session was held: the service refuses this one row.
    c_late = applicant(world, "李四", "222", applied_on=date(2026, 3, 12))
    c_other = applicant(world, "王五", "333", applied_on=date(2026, 3, 2))
    client.force_login(world.unit_u1)
    url = reverse("pipeline:session_detail", args=[world.session_ty.pk])
    events = StageEvent.objects.count()
    response = client.post(url, {f"result-{world.cand_ty.pk}": "pass",
                                 f"result-{c_late.pk}": "fail",
                                 f"result-{c_other.pk}": "absent"})
    page = response.content.decode()
    assert response.status_code == 400 and "李四：" in page
    assert "本次提交未录入任何人" in page
    assert selected(page, f"result-{world.cand_ty.pk}") == "pass"
    assert selected(page, f"result-{c_late.pk}") == "fail"
    assert selected(page, f"result-{c_other.pk}") == "absent"
    assert StageEvent.objects.count() == events
    assert Candidacy.objects.get(pk=c_other.pk).stage == Stage.REGISTERED


def test_a_fresh_session_page_selects_nothing(world, client):
    client.force_login(world.unit_u1)
    page = client.get(reverse("pipeline:session_detail", args=[world.session_ty.pk]))
    assert " selected>" not in page.content.decode()


def test_class_results_with_one_bad_row_keep_hours_results_certificates_and_date(world, client):
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    a, b, c = [passed_second_interview(world, p) for p in people(world.unit_u1, 3)]
    for x in (a, b, c):
        candidacy_record(x, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                         actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    ea, eb, ec = training.enrol(cls, actor=world.unit_u1, candidacies=[a, b, c])
    training.roster_file(cls, actor=world.unit_u1)
    training.class_open(cls, actor=world.unit_u1, on=INTENSIVE["opens_on"])
    client.force_login(world.unit_u1)
    response = client.post(reverse("training:class_results", args=[cls.pk]), {
        "on": "2026-04-28",
        f"hours-{ea.pk}": "158.5", f"result-{ea.pk}": "pass", f"certificate-{ea.pk}": "SX-2026-0101",
        f"hours-{eb.pk}": "160", f"result-{eb.pk}": "pass", f"certificate-{eb.pk}": "",
        f"hours-{ec.pk}": "40", f"result-{ec.pk}": "incomplete"})
    page = response.content.decode()
    assert response.status_code == 400 and "学员1：培训合格须填写培训合格证编号" in page
    assert 'name="on" value="2026-04-28"' in page
    assert f'name="hours-{ea.pk}" value="158.5"' in page
    assert f'name="hours-{ec.pk}" value="40"' in page
    assert f'name="certificate-{ea.pk}" value="SX-2026-0101"' in page
    assert selected(page, f"result-{ea.pk}") == "pass"
    assert selected(page, f"result-{ec.pk}") == "incomplete"
    for x in (a, b, c):
        x.refresh_from_db()
        assert x.stage == Stage.CONTRACT
    ea.refresh_from_db()
    assert ea.attended_hours != 158.5 and not ea.result


def test_class_results_refuse_a_malformed_date_instead_of_taking_today(world, client):
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    a = passed_second_interview(world, people(world.unit_u1, 1)[0])
    candidacy_record(a, stage=Stage.CONTRACT, result=Result.SIGNED, on=date(2026, 3, 25),
                     actor=world.agency_a1, contract_trade="介护", contract_term="3年")
    (ea,) = training.enrol(cls, actor=world.unit_u1, candidacies=[a])
    training.roster_file(cls, actor=world.unit_u1)
    training.class_open(cls, actor=world.unit_u1, on=INTENSIVE["opens_on"])
    client.force_login(world.unit_u1)
    response = client.post(reverse("training:class_results", args=[cls.pk]), {
        "on": "2026-13-40", f"hours-{ea.pk}": "abc", f"result-{ea.pk}": "pass",
        f"certificate-{ea.pk}": "SX-1"})
    page = response.content.decode()
    assert response.status_code == 400 and "请按“年-月-日”填写考核日期。" in page
    assert 'name="on" value="2026-13-40"' in page and f'name="hours-{ea.pk}" value="abc"' in page
    a.refresh_from_db()
    assert a.stage == Stage.CONTRACT
