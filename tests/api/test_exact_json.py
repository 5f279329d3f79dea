"""The API's JSON parser (apps.api.parsers, the default in settings) attacked through the real
endpoints: money exact, JSON types that a field cannot take refused by field, nesting, a
duplicated key, NaN, a body over the limit (413, Chinese, audited). Never a 500, nothing
written."""
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from apps.api.parsers import ExactJSONParser
from apps.audit.models import AuditAction, AuditEvent
from apps.pipeline.models import Candidacy
from apps.registry.idnumber import make_id
from apps.registry.models import Person
from tests.api.clients import LOCAL, call, make_client

PERSONS = "/api/v1/persons/"
CANDIDACIES = "/api/v1/candidacies/"


def test_the_parser_is_the_default_and_reads_numbers_exactly():
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] == ["apps.api.parsers.ExactJSONParser"]
    value = ExactJSONParser().parse(io.BytesIO(b'{"fee": 0.1, "big": 12345678901234567.89, "n": 3, "e": 1e2}'))
    assert value == {"fee": Decimal("0.1"), "big": Decimal("12345678901234567.89"), "n": 3,
                     "e": Decimal("1E+2")}
    assert not any(isinstance(v, float) for v in value.values())


def _person_body(**changes):
    return {"name": "李四", "sex": "女", "category": "学生", "phone": "13600001111",
            "id_number": make_id(region="140105", birth=date(1999, 2, 3), seq="124"),
            "registered_on": timezone.localdate().isoformat(), **changes}


@pytest.mark.parametrize("field, value, says", [
    ("phone", 13600001111, "联系方式：须为字符串"),          # a number is not a phone's text
    ("id_number", 140105199902031240, "身份证号：须为字符串"),
    ("name", ["李", "四"], "姓名：须为字符串"),
    ("name", {"a": "李四"}, "姓名：须为字符串"),
    ("registered_on", 20260301, "报名日期：须为字符串"),
    ("sex", True, "性别：须为字符串"),
])
def test_a_value_of_the_wrong_json_type_is_refused_by_field(world, client, field, value, says):
    unit = make_client(world, "unit", world.u1)
    response = call(client, "post", PERSONS, unit.key, _person_body(**{field: value}))
    assert response.status_code == 400, response.content
    assert response.json()["errors"][field][0].startswith(says), response.json()
    assert not Person.objects.filter(name="李四").exists()


def test_a_boolean_is_not_a_project_or_a_person_number(world, client):
    unit = make_client(world, "unit", world.u1)
    other = Person.objects.exclude(pk=world.person_ty.pk).filter(unit=world.u1).first() or world.person_ty
    before = Candidacy.objects.count()
    for body, field in ((({"person": True, "project": world.project_a1.pk,
                           "happened_on": "2026-03-10"}), "person"),
                        ({"person": other.pk, "project": True, "happened_on": "2026-03-10"},
                         "project"),
                        ({"person": "²", "project": world.project_a1.pk,
                          "happened_on": "2026-03-10"}, "person"),
                        ({"person": other.pk, "project": 1.0, "happened_on": "2026-03-10"},
                         "project")):
        response = call(client, "post", CANDIDACIES, unit.key, body)
        assert response.status_code == 400, (body, response.content)
        assert "须为整数" in response.json()["errors"][field][0], response.json()
    assert Candidacy.objects.count() == before


def test_a_list_or_object_for_the_stage_is_refused_not_a_500(world, client):
    unit = make_client(world, "unit", world.u1)
    url = f"/api/v1/candidacies/{world.cand_ty.pk}/stages/"
    for stage in (["first_interview"], {"x": 1}, 1, None):
        response = call(client, "post", url, unit.key,
                        {"stage": stage, "result": "pass", "happened_on": "2026-03-10"})
        assert response.status_code == 400 and "环节" in response.json()["errors"]["stage"][0]


def _raw(client, url, key, body: bytes):
    return client.post(url, body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=LOCAL)


@pytest.mark.parametrize("body, says", [
    (b"[" * 100_000 + b"]" * 100_000, "嵌套过深"),
    (json.dumps({"name": {"a": [[[[[[[[[["x"]]]]]]]]]]}}).encode(), "嵌套过深"),
    (b'{"name": "a", "name": "b"}', "重复出现"),
    (b'{"fee": NaN}', "不支持 NaN"),
    (b'{"fee": Infinity}', "不支持 Infinity"),
    (b'{"n": ' + b"9" * 5000 + b"}", "数字位数过多"),
    (b'{"name": "\xff"}', "UTF-8"),
    (b'{"name": ', "格式错误"),
])
def test_hostile_json_is_refused_in_chinese(world, client, body, says):
    unit = make_client(world, "unit", world.u1)
    response = _raw(client, PERSONS, unit.key, body)
    assert response.status_code == 400, response.content[:200]
    assert says in response.json()["detail"], response.json()


def test_a_body_over_the_limit_answers_413_in_chinese_and_is_audited(world, client, settings):
    settings.API_MAX_BODY_BYTES = 4096
    unit = make_client(world, "unit", world.u1)
    response = call(client, "post", PERSONS, unit.key, _person_body(work_history="经" * 3000))
    assert response.status_code == 413
    assert "请求体过大" in response.json()["detail"] and "4 KB" in response.json()["detail"]
    row = AuditEvent.objects.filter(action=AuditAction.API_REQUEST).order_by("-pk").first()
    assert row.detail.startswith("POST /api/v1/persons/") and "→ 413" in row.detail
    assert not Person.objects.filter(name="李四").exists()
    # Just under the limit is read.
    response = call(client, "post", PERSONS, unit.key, _person_body(work_history="经" * 100))
    assert response.status_code == 201, response.content


def _cursor(value, pk):
    import base64
    return base64.urlsafe_b64encode(json.dumps([value, pk]).encode()).decode().rstrip("=")


@pytest.mark.parametrize("params", [
    {"page_size": "１２"}, {"page_size": "²"}, {"page_size": "99999999999999999999"},
    {"page_size": "-5"}, {"project": "²"}, {"project": "99999999999999999999"},
    {"project": "-1"}, {"cursor": _cursor("2026-01-01T00:00:00+00:00", 10 ** 30)},
    {"cursor": _cursor("2026-01-01T00:00:00+00:00", -1)}, {"cursor": _cursor("\x00", 1)},
    {"changed_since": "2026-01-01\x00"}, {"status": "\x00"},
])
def test_hostile_query_parameters_never_answer_500(world, client, params):
    unit = make_client(world, "unit", world.u1)
    response = call(client, "get", CANDIDACIES, unit.key, params)
    assert response.status_code in (200, 400), (params, response.status_code, response.content[:200])
