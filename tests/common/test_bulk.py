"""COPY writes: what a save would store (encrypted, defaults, escapes), history included."""
from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.common import bulk
from apps.common.crypto import blind_index
from apps.registry.idnumber import make_id
from apps.registry.models import Person


def person_columns(world, n, **overrides):
    ids = [make_id(seq=f"{i:03d}") for i in range(n)]
    columns = {
        "name": [f"批量{i}" for i in range(n)], "sex": ["男"] * n,
        "birth_date": [date(1995, 3, 7)] * n, "id_number": ids,
        "id_hash": [blind_index(i, purpose="id_number") for i in ids],
        "category": ["学生"] * n, "city_id": [world.ty.pk] * n,
        "unit_id": [world.u1.pk] * n, "created_by_id": [world.unit_u1.pk] * n,
    }
    columns.update(overrides)
    return columns


@pytest.mark.django_db
def test_copy_columns_stores_what_a_save_would(world, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 2)
    odd = ["tab\there", "line\nbreak", "back\\slash", "cr\rlf", "普通"]
    done = []
    with transaction.atomic():
        bulk.copy_columns(Person, person_columns(world, 5, work_history=odd,
                                                 phone=["13800012345", "", "", "", ""],
                                                 unit_id=[world.u1.pk] * 4 + [None]),
                          5, progress=done.append)
    assert done == [2, 4, 5]
    people = list(Person.objects.filter(name__startswith="批量").order_by("name"))
    assert [p.work_history for p in people] == odd
    assert people[0].phone == "13800012345" and people[1].phone == ""
    assert people[4].unit_id is None and people[0].registered_on == timezone.localdate()  # Beijing's day
    assert people[0].created_at == people[4].created_at  # stamped once for the statement
    assert [p.history.count() for p in people] == [1] * 5
    assert people[0].id_number == make_id(seq="000")  # read back decrypted
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM registry_person WHERE id = %s", [people[0].pk])
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id.startswith("v1:") and make_id(seq="000") not in stored_id
    assert stored_phone.startswith("v1:") and "13800012345" not in stored_phone


@pytest.mark.django_db
def test_copy_columns_refuses_a_short_or_unknown_column(world):
    with pytest.raises(ValueError):
        bulk.copy_columns(Person, person_columns(world, 3, name=["a", "b"]), 3)
    with pytest.raises(ValueError):
        bulk.copy_columns(Person, person_columns(world, 3, nickname=["a", "b", "c"]), 3)


@pytest.mark.django_db
def test_copy_insert_of_dict_rows_fills_defaults(world):
    rows = [{"name": "单条", "sex": "女", "birth_date": date(1996, 1, 2),
             "id_number": make_id(seq="124"), "id_hash": "h1", "category": "学生",
             "city_id": world.ty.pk, "created_by_id": world.unit_u1.pk}]
    with transaction.atomic():
        assert bulk.copy_insert(Person, rows) == 1
    person = Person.objects.get(name="单条")
    assert person.phone == "" and person.unit_id is None and person.poverty_status == ""


@pytest.mark.django_db
def test_copy_update_changes_given_values_and_keeps_the_rest(world):
    with transaction.atomic():
        bulk.copy_columns(Person, person_columns(world, 3, phone=["13800000001"] * 3), 3)
    people = list(Person.objects.filter(name__startswith="批量").order_by("name"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM registry_person WHERE id = ANY(%s)",
                       [[p.pk for p in people]])
        tokens = dict(cursor.fetchall())
    with transaction.atomic():
        updated = bulk.copy_update(Person, [p.pk for p in people[:2]],
                                   {"phone": ["13900000002", None], "hukou": [None, "太原\t小店"]})
    assert updated == 2
    fresh = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in people])}
    first, second, third = (fresh[p.pk] for p in people)
    assert (first.phone, first.hukou) == ("13900000002", "")
    assert (second.phone, second.hukou) == ("13800000001", "太原\t小店")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_person WHERE id = %s", [second.pk])
        assert cursor.fetchone()[0] == tokens[second.pk]  # not re-encrypted
    assert first.updated_at > people[0].updated_at and third.updated_at == people[2].updated_at
    assert [h.pgh_label for h in first.history.order_by("pgh_id")] == ["insert", "update"]
    assert third.history.count() == 1
