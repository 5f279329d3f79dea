"""Done-when of issue 23: a client built from the schema syncs an agency's departures, which
the agency's own client records through the API (contracts, departures, returns)."""
import json
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from apps.accounts.models import Role
from apps.api.models import Grant
from apps.pipeline.models import Candidacy
from apps.training import services as training
from tests.api.clients import call, make_client
from tests.api.sync_client import DepartureSync
from tests.training.test_classes import INTENSIVE, passed_second_interview, people


def sender(http, key):
    def send(method, path, params):
        parts = urlsplit(path)
        if parts.query:  # a "next" link carries its own parameters
            path = f"{parts.path}?{parts.query}"
        response = call(http, method, path, key, params)
        return response.status_code, response.json()
    return send


def record(http, key, candidacy, body):
    response = call(http, "post", f"/api/v1/candidacies/{candidacy.pk}/stages/", key, body)
    assert response.status_code == 201, response.content.decode()
    return response.json()


@pytest.fixture
def trained(world, client):
    """Three 山西大学 people through 复试; the agency's client signs their contracts over the
    API; the unit trains them (its class page's service)."""
    agency = make_client(world, Role.AGENCY, world.a1,
                         grants=[Grant.PIPELINE_READ, Grant.STAGES_WRITE])
    cls = training.class_create(actor=world.unit_u1, **INTENSIVE)
    group = [passed_second_interview(world, p) for p in people(world.unit_u1, 3, 700)]
    for c in group:
        row = record(client, agency.key, c, {
            "stage": "contract", "result": "signed", "happened_on": "2026-03-25",
            "contract_trade": "介护", "contract_term": "3年", "service_fee": "8000"})
        assert row["contract_term"] == "3年" and row["service_fee"] == "8000.00"
    enrolments = training.enrol(cls, actor=world.unit_u1, candidacies=group)
    training.roster_file(cls, actor=world.unit_u1)
    training.class_open(cls, actor=world.unit_u1, on=cls.opens_on)
    training.results_record(cls, actor=world.unit_u1, on=date(2026, 4, 30), rows=[
        (e, Decimal(160), "pass", f"SX-{i}") for i, e in enumerate(enrolments)])
    return agency, group


def departure(i):
    return {"stage": "departure", "result": "departed", "happened_on": "2026-06-01",
            "passport_no": f"E7654321{i}", "residence_status_no": f"R{i}", "country": "日本",
            "departure_trade": "介护", "employer": "株式会社さくら"}


def test_a_client_from_the_schema_syncs_the_agencys_departures(world, client, trained):
    agency, group = trained
    for i, c in enumerate(group[:2]):
        row = record(client, agency.key, c, departure(i))
        assert row["status"] == "abroad" and row["departed_on"] == "2026-06-01"
        # Full numbers are a grant of their own: this client gets the passport masked.
        assert row["passport_no"] == "E" + "*" * 5 + f"21{i}"
        assert f"E7654321{i}" not in json.dumps(row)
    back_office = DepartureSync(sender(client, agency.key))
    assert back_office.sync() >= 3
    abroad = back_office.departures()
    assert set(abroad) == {group[0].pk, group[1].pk}
    assert {r["country"] for r in abroad.values()} == {"日本"}
    assert world.cand_dt.pk not in back_office.rows  # 大同's, never the agency's
    # Nothing changed: a sync brings nothing.
    assert back_office.sync() == 0
    # The third departs and the first returns: the next sync brings exactly those two.
    record(client, agency.key, group[2], departure(2))
    record(client, agency.key, group[0], {"stage": "return", "result": "returned",
                                          "happened_on": "2026-09-01", "return_kind": "completed",
                                          "return_reported_by": "worker",
                                          "return_verified_by": "passport"})
    assert back_office.sync() == 2
    assert set(back_office.departures()) == {group[1].pk, group[2].pk}
    assert back_office.rows[group[0].pk]["returned_on"] == "2026-09-01"
    assert Candidacy.objects.get(pk=group[0].pk).status == "returned"
    # The paged path is the one the schema named.
    assert back_office.list_path == "/api/v1/candidacies/"


def test_a_departure_needs_its_details_and_a_past_date(world, client, trained):
    agency, group = trained
    url = f"/api/v1/candidacies/{group[0].pk}/stages/"
    missing = dict(departure(0), passport_no="")
    response = call(client, "post", url, agency.key, missing)
    assert response.status_code == 400
    assert response.json()["errors"]["passport_no"] == ["护照号：请填写护照号。"]
    early = dict(departure(0), happened_on="2026-04-01")  # before the training result
    assert call(client, "post", url, agency.key, early).status_code == 400
    assert Candidacy.objects.get(pk=group[0].pk).departed_on is None
