"""Reads of job projects, scoped; filled and remaining headcount in the same query."""
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from apps.accounts.scoping import get_visible_or_404, visible
from apps.pipeline.models import Candidacy
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus


def _count(**where):
    # count(1) with no GROUP BY: PostgreSQL answers from the index alone (index-only scan of
    # candidacy_project_departed / the project index), never reading the candidacies.
    return Coalesce(Subquery(
        Candidacy.objects.filter(project=OuterRef("pk"), **where).order_by()
        .annotate(n=Func(Value(1), function="COUNT", output_field=IntegerField()))
        .values("n")), Value(0))


def _with_counts(qs):
    # Filled = people departed on the project (输出 recorded as departed). Correlated
    # subqueries, not a join: PostgreSQL counts for the page's rows only, after the LIMIT.
    return qs.annotate(
        filled=_count(departed_on__isnull=False), applied=_count(),
    ).annotate(remaining=Greatest(F("headcount") - F("filled"), Value(0)))


def project_list(user, *, status=None):
    qs = visible(JobProject.objects.select_related("agency"), user)
    if status:
        qs = qs.filter(status=status)
    return _with_counts(qs).order_by("-created_at", "-pk")


def project_get(user, pk):
    return get_visible_or_404(_with_counts(JobProject.objects.select_related("agency",
                                                                                "reviewed_by")),
                              user, pk=pk)


def project_dockings(user, project):
    return visible(ProjectDocking.objects.filter(project=project)
                   .select_related("unit", "city"), user)


def public_projects():
    """What the public page shows: published projects only, no scoping (no personal data)."""
    return _with_counts(JobProject.objects.filter(status=ProjectStatus.PUBLISHED)
                        .select_related("agency")).order_by("-published_at", "-pk")

