"""People carried through the 2020 pipeline with the real services, for dashboard tests."""
import itertools
from datetime import date

from apps.pipeline.models import Result, Stage
from apps.pipeline.services import candidacy_open, candidacy_withdraw
from apps.projects.models import JobProject, ProjectStatus
from apps.registry.idnumber import make_id
from apps.registry.models import PovertyStatus
from tests.conftest import register
from tests.pipeline_walk import walk

# Cycled (an even length: each person takes two, the second odd, a man's ID): a test uses at
# most a few hundred people, and the database is rolled back after it.
_seq = itertools.cycle(range(300, 998))


def _person(unit_user, poverty=""):
    return register(unit_user, name=f"测试{next(_seq)}", sex="男", poverty_status=poverty,
                    id_number=make_id(region="140105", birth=date(1995, 3, 3), seq=f"{next(_seq)}"))


def _people(world, *, unit_user, agency_user, project, departed=0, failed_medical=0,
            withdrawn=0, registered=0, poverty_every=0, start=date(2020, 3, 2), **walk_args):
    made = []
    for i in range(departed + failed_medical + withdrawn + registered):
        poverty = PovertyStatus.LIFTED if poverty_every and i % poverty_every == 0 else ""
        c = candidacy_open(person=_person(unit_user, poverty), project=project, actor=unit_user,
                           on=start)
        if i < departed:
            c = walk(c, unit_user=unit_user, agency_user=agency_user, **walk_args)
        elif i < departed + failed_medical:
            c = walk(c, unit_user=unit_user, agency_user=agency_user, until=Stage.MEDICAL,
                     last_result=Result.FAIL)
        elif i < departed + failed_medical + withdrawn:
            c = walk(c, unit_user=unit_user, agency_user=agency_user, until=Stage.FIRST_INTERVIEW)
            candidacy_withdraw(c, actor=unit_user, on=date(2020, 4, 20), reason="个人原因")
        made.append(c)
    return made


def dashboard_data(world):
    """2020: 太原 u1 7 departed (2 of them 脱贫劳动力), 2 failed medical, 1 withdrew;
    太原 u2 3 departed to Singapore; 大同 u3 6 departed, 1 only registered."""
    JobProject.objects.filter(pk=world.project_a2.pk).update(status=ProjectStatus.PUBLISHED)
    _people(world, unit_user=world.unit_u1, agency_user=world.agency_a1, project=world.project_a1,
            departed=7, failed_medical=2, withdrawn=1, poverty_every=4)
    _people(world, unit_user=world.unit_u2, agency_user=world.agency_a1, project=world.project_a1,
            departed=3, country="新加坡", departure_trade="建筑", start=date(2020, 5, 6))
    _people(world, unit_user=world.unit_u3, agency_user=world.agency_a2, project=world.project_a2,
            departed=6, registered=1, start=date(2020, 6, 1), step_days=15)
    # No recount: the figures the dashboards read were kept by the services on write.
    return world
