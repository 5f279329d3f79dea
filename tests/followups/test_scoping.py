"""Who sees which plan: the project's agency, the cities and units whose people went abroad
on it, the province. Out of scope is 404, alike for missing."""
import pytest
from django.urls import reverse

from apps.accounts.scoping import visible
from apps.followups import services
from apps.followups.models import FollowUpPlan, FollowUpVisit
from apps.followups.selectors import followup_figures
from apps.pipeline.models import Candidacy, CandidacyStatus
from tests.followups.helpers import send_abroad

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world):
    """One plan each side: 太原 people on a1's project, 大同 people on a2's."""
    send_abroad(world, 2)
    send_abroad(world, 2, project=world.project_a2, unit="u3")
    services.settings_set(actor=world.province, plan_at=2, officer_at=2, interval_days=30)
    services.plans_ensure()
    world.plan_ty = FollowUpPlan.objects.get(project=world.project_a1)
    world.plan_dt = FollowUpPlan.objects.get(project=world.project_a2)
    return world


def test_each_side_sees_its_own_plan_and_gets_404_on_the_other(plans, as_user):
    w = plans
    for user, own, foreign in ((w.agency_a1, w.plan_ty, w.plan_dt),
                               (w.city_ty, w.plan_ty, w.plan_dt),
                               (w.unit_u1, w.plan_ty, w.plan_dt),
                               (w.agency_a2, w.plan_dt, w.plan_ty),
                               (w.city_dt, w.plan_dt, w.plan_ty)):
        client = as_user(user)
        assert client.get(reverse("followups:plan_detail", args=[own.pk])).status_code == 200
        assert client.get(reverse("followups:plan_detail", args=[foreign.pk])).status_code == 404
        listed = client.get(reverse("followups:plan_list")).content.decode()
        assert own.project.name in listed and foreign.project.name not in listed
        assert followup_figures(user)["active"] == 1
    assert followup_figures(w.province)["active"] == 2
    assert followup_figures(w.observer) == {"active": 0, "flagged": 0, "overdue": 0}
    # U2 has no one abroad on either project: sees neither.
    assert not visible(FollowUpPlan.objects.all(), w.unit_u2).exists()
    assert as_user(w.unit_u2).get(
        reverse("followups:plan_detail", args=[w.plan_ty.pk])).status_code == 404


def test_a_city_keeps_seeing_the_plan_after_its_people_return(plans):
    Candidacy.objects.filter(project=plans.project_a1).update(status=CandidacyStatus.RETURNED)
    assert visible(FollowUpPlan.objects.all(), plans.city_ty).get() == plans.plan_ty


def test_a_city_sees_only_its_own_people_among_those_contacted(plans, as_user):
    w = plans
    mine = list(Candidacy.objects.filter(project=w.project_a1, status=CandidacyStatus.ABROAD))
    theirs = send_abroad(w, 1, project=w.project_a1, unit="u3")[0]
    services.visit_record(w.plan_ty, actor=w.province, number=1,
                          visited_on=w.plan_ty.started_on, mode="phone", officer_name="李明",
                          workers=mine + [theirs])
    page = as_user(w.city_ty).get(
        reverse("followups:plan_detail", args=[w.plan_ty.pk])).content.decode()
    assert mine[0].person.name in page and theirs.person.name not in page
    assert "另有其他地区人员 1 人" in page
    assert visible(FollowUpVisit.objects.all(), w.city_dt).exists()  # 大同 sees the plan too


def test_the_list_costs_the_same_queries_for_3_or_12_plans(world, as_user,
                                                          django_assert_max_num_queries):
    from apps.projects.models import JobProject
    services.settings_set(actor=world.province, plan_at=1, officer_at=1, interval_days=30)
    client = as_user(world.province)

    def add_plans(n):
        for i in range(n):
            project = JobProject.objects.create(agency=world.a1, name=f"项目{i}", country="日本",
                                                trade="介护", headcount=10)
            send_abroad(world, 1, project=project)
        services.plans_ensure()

    add_plans(3)
    client.get(reverse("followups:plan_list"))  # warm caches (content types, session)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("followups:plan_list")).status_code == 200
    add_plans(9)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(reverse("followups:plan_list"))
    assert page.content.decode().count("/followups/") >= 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_nav_offers_follow_ups_to_those_who_follow_up(world, as_user):
    link = f'href="{reverse("followups:plan_list")}"'
    for user in (world.province, world.city_ty, world.unit_u1, world.agency_a1):
        assert link in as_user(user).get(reverse("accounts:home")).content.decode()
    assert link not in as_user(world.observer).get(reverse("accounts:home")).content.decode()
