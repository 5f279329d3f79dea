"""Every list that grows with the years pages by keyset (issue 17): following 下一页 shows each
row the user may see exactly once, newest first, and no page counts the list."""
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.scoping import visible
from tests.url_registry import complaint, incident, returnee

pytestmark = pytest.mark.django_db


def _lists():
    from apps.complaints.models import Complaint
    from apps.incidents.models import Incident
    from apps.pipeline.models import Session
    from apps.projects.models import JobProject
    from apps.returnees.models import ReturneeProfile
    from apps.rosters.models import Upload
    from apps.subsidies.models import Claim
    from apps.training.models import TrainingClass

    def both(make):
        return lambda w: (make(w, "own"), make(w, "foreign"))

    nothing = lambda w: None  # noqa: E731 - the world has two or more already
    # url name, model, its order, what the world needs first, who looks
    return [
        ("projects:project_list", JobProject, ("created_at", "id"), nothing, "agency_a1"),
        ("training:class_list", TrainingClass, ("opens_on", "id"), nothing, "province"),
        ("rosters:upload_list", Upload, ("uploaded_at", "id"), nothing, "province"),
        ("subsidies:claim_list", Claim, ("created_at", "id"), nothing, "province"),
        ("pipeline:session_list", Session, ("held_on", "id"), nothing, "province"),
        ("incidents:incident_list", Incident, ("learned_at", "id"), both(incident), "province"),
        ("complaints:complaint_list", Complaint, ("received_on", "id"), both(complaint), "province"),
        ("returnees:profile_list", ReturneeProfile, ("updated_at", "id"), both(returnee),
         "province"),
    ]


LISTS = _lists()


@pytest.fixture
def one_per_page(monkeypatch):
    from apps.common import paginator
    original = paginator.KeysetPage.__init__

    def small(self, qs, *, after, per_page=50, **kwargs):
        original(self, qs, after=after, per_page=1, **kwargs)
    monkeypatch.setattr(paginator.KeysetPage, "__init__", small)


def _walk(client, url, query=""):
    """Follow 下一页 as a browser does: the link's own query string, decoded by the server.
    ``query``: the first page's (the links carry it on)."""
    seen, queries, link = [], [], url + query
    for _ in range(30):  # a cursor that does not advance would loop: fail instead
        with CaptureQueriesContext(connection) as captured:
            response = client.get(link)
        assert response.status_code == 200, link
        queries += [q["sql"] for q in captured.captured_queries]
        seen += [row.pk for row in response.context["page"]]
        found = re.search(r'href="(\?[^"]*after=[^"]+)">下一页', response.content.decode())
        if not found:
            return seen, queries
        link = url + html.unescape(found.group(1))
    raise AssertionError(f"{url}: 下一页 never ended")


@pytest.mark.parametrize("name,model,order,make,who", LISTS, ids=[c[0] for c in LISTS])
def test_each_row_once_newest_first_never_counted(world, client, one_per_page,
                                                  name, model, order, make, who):
    make(world)
    user = getattr(world, who)
    client.force_login(user)
    seen, queries = _walk(client, reverse(name))
    expected = list(visible(model.objects.all(), user)
                    .order_by(*(f"-{f}" for f in order)).values_list("pk", flat=True))
    assert len(expected) >= 2, "the walk must cross a page"
    assert seen == expected
    # QuerySet.count()'s own alias: the per-row counts a list shows are not counts of it.
    assert not [sql for sql in queries if '"__count"' in sql]


@pytest.mark.parametrize("name,model,order,make,who", LISTS, ids=[c[0] for c in LISTS])
def test_a_forged_cursor_reads_as_the_first_page(world, client, name, model, order, make, who):
    make(world)
    client.force_login(getattr(world, who))
    first = [row.pk for row in client.get(reverse(name)).context["page"]]
    for bad in ("2026-13-99.x'--", "not-a-date.1", ".", "9" * 5000):
        response = client.get(reverse(name), {"after": bad})
        assert response.status_code == 200
        assert [row.pk for row in response.context["page"]] == first, bad
