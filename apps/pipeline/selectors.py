from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.common.params import ascii_int
from apps.registry.models import poverty_current_since
from apps.registry.selectors import poverty_filter, priority_rank
from apps.orgs.models import OrganisingUnit
from apps.pipeline.models import Candidacy, CandidacyStatus, Session
from apps.projects.models import JobProject
from apps.pipeline import transitions


def waiting_stages(role) -> list:
    """Stages after which the next one is this role's to record (transitions.RECORDERS)."""
    return [stage for stage, nxt in transitions.NEXT.items()
            if role in transitions.RECORDERS[nxt]]


def candidacy_list(user, *, q="", stage="", result="", status="", unit=None, city=None,
                   agency=None, country="", date_from=None, date_to=None, project=None,
                   waiting=False, poverty_status=""):
    qs = visible(Candidacy.objects.select_related("person", "project", "unit", "city",
                                                  "agency"), user)
    if waiting:
        # Open candidacies whose next stage this user's role records: its work queue.
        qs = qs.filter(status=CandidacyStatus.ACTIVE, stage__in=waiting_stages(user.role))
    if q:
        qs = qs.filter(person__name__startswith=q)  # as the person search: indexed
    for name, value in (("stage", stage), ("result", result), ("status", status),
                        ("unit", unit), ("city", city), ("agency", agency),
                        ("project", project)):
        if value:
            qs = qs.filter(**{name: value})
    if country:
        qs = qs.filter(destination_is(country))
    if date_from:
        qs = qs.filter(stage_on__gte=date_from)
    if date_to:
        qs = qs.filter(stage_on__lte=date_to)
    return poverty_filter(qs, poverty_status=poverty_status, path="person__")


def destination_countries() -> list[str]:
    """Every country a candidacy can be shown under: a departed one's own (recorded at
    departure, and counted in the departure figures), the others' project's. Country names
    are not personal data, so the choice is the same for every role."""
    from django.core.cache import cache

    from apps.dashboards.models import DepartureFigure
    from apps.dashboards.services import figures_version

    def read():
        projects = JobProject.objects.exclude(country="").values_list("country", flat=True)
        departed = DepartureFigure.objects.exclude(country="").values_list("country", flat=True)
        return sorted(projects.union(departed))
    # Kept while no figure row is added and no project changes (7 ms at full size).
    return cache.get_or_set(f"destination-countries:{figures_version()}", read, 3600)


def destination_is(country: str) -> Q:
    """The country a list shows for a candidacy (its own, else its project's) is
    ``country``: exact, so a list keeps walking its ordered index (a substring match read
    every row; issue 17)."""
    return Q(country=country) | Q(country="", project__in=JobProject.objects.filter(
        country=country).values("pk"))


def priority_counts(candidacies) -> dict:
    """How many of these candidacies' people are in seed 003's priority groups (and how many
    of those verified and current): one query, shown on docking and screening pages."""
    from django.db.models import Count
    from apps.registry.models import PRIORITY_STATUSES
    since = poverty_current_since(timezone.localdate())
    priority = Q(person__poverty_status__in=PRIORITY_STATUSES)
    return candidacies.order_by().aggregate(
        total=Count("person", distinct=True),
        priority=Count("person", distinct=True, filter=priority),
        verified=Count("person", distinct=True,
                       filter=priority & Q(person__poverty_verified_on__gte=since)))


def session_list(user):
    return visible(Session.objects.select_related("project", "unit", "city", "agency"), user)


def session_candidates(user, session):
    """Open candidacies of the session's project whose next stage is the session's stage."""
    previous = next(s for s, nxt in transitions.NEXT.items() if nxt == session.stage)
    qs = candidacy_list(user, project=session.project, stage=previous, status="active")
    if session.unit_id:
        qs = qs.filter(unit=session.unit_id)
    elif session.city_id:
        qs = qs.filter(city=session.city_id)
    # Seed 003: the priority groups first (verified ones first), then by name.
    return qs.order_by(priority_rank("person__"), "person__name")


@dataclass
class RosterSelection:
    unit: object
    project: object
    candidacies: list
    org_name: str   # the 填报单位 printed on the form
    training_class: object = None


def _pk(value) -> int:
    return ascii_int(value, 0)


def roster_selection(user, *, unit_id=None, project_id=None,
                     training_class_id=None) -> RosterSelection:
    """The candidacies of a 花名表 (附件6) for a unit, a project and/or an intensive class, in
    registration order; ids outside the user's scope are ignored like missing ones."""
    from apps.training.models import ClassKind, TrainingClass

    unit = visible(OrganisingUnit.objects.all(), user).filter(pk=_pk(unit_id)).first()
    project = visible(JobProject.objects.all(), user).filter(pk=_pk(project_id)).first()
    training_class = visible(TrainingClass.objects.filter(kind=ClassKind.INTENSIVE)
                             .select_related("unit"), user).filter(
        pk=_pk(training_class_id)).first()
    qs = candidacy_list(user, unit=unit, project=project)
    if training_class:
        qs = qs.filter(enrolments__training_class=training_class)
    candidacies = list(qs.order_by("created_at", "id").prefetch_related("events"))
    org_name = (unit.name if unit else training_class.unit.name if training_class
                else user.organisation_name)
    return RosterSelection(unit, project, candidacies, org_name, training_class)


def earlier_passes(user, person, exclude=None):
    """A person's earlier passes that ``user`` may see, newest first, each with its stages
    (screening, contracts, departure, return): shown when they register again."""
    from django.db.models import Prefetch

    from apps.pipeline.models import StageEvent
    qs = visible(Candidacy.objects.filter(person=person), user).exclude(
        status__in=[CandidacyStatus.ACTIVE]).select_related("project", "agency")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.prefetch_related(Prefetch("events", queryset=StageEvent.objects.order_by(
        "happened_on", "id"))).order_by("-stage_on", "-id")
