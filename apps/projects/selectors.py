"""Reads of job projects, scoped; filled and remaining headcount in the same query."""
from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible_or_404, visible
from apps.dashboards.disclosure import SUPPRESS_BELOW
from apps.pipeline.models import Candidacy
from apps.projects.models import JobProject, ProjectDocking, ProjectStatus


def _count(**where):
    # count(1) with no GROUP BY: PostgreSQL answers from the index alone (index-only scan of
    # candidacy_project_departed / the project index), never reading the candidacies.
    return Coalesce(Subquery(
        Candidacy.objects.filter(project=OuterRef("pk"), **where).order_by()
        .annotate(n=Func(Value(1), function="COUNT", output_field=IntegerField()))
        .values("n")), Value(0))


def _with_counts(qs, user=None):
    # Filled = people departed on the project (输出 recorded as departed). Correlated
    # subqueries, not a join: PostgreSQL counts for the page's rows only, after the LIMIT.
    qs = qs.annotate(n_filled=_count(departed_on__isnull=False), n_applied=_count())
    remaining = Greatest(F("headcount") - F("n_filled"), Value(0))
    if user is not None and user.role == Role.OBSERVER:
        # The observer gets aggregates only: a project's 1–4 people are a small cell, and
        # its remaining places (headcount − filled) would give them back (SECURITY.md).
        small_filled = Q(n_filled__gte=1, n_filled__lt=SUPPRESS_BELOW)
        return qs.annotate(
            filled=Case(When(small_filled, then=None), default=F("n_filled")),
            applied=Case(When(n_applied__gte=1, n_applied__lt=SUPPRESS_BELOW, then=None),
                         default=F("n_applied")),
            remaining=Case(When(small_filled, then=None), default=remaining))
    return qs.annotate(filled=F("n_filled"), applied=F("n_applied"), remaining=remaining)


def project_list(user, *, status=None):
    qs = visible(JobProject.objects.select_related("agency"), user)
    if status:
        qs = qs.filter(status=status)
    return _with_counts(qs, user).order_by("-created_at", "-pk")


def project_get(user, pk):
    return get_visible_or_404(_with_counts(JobProject.objects.select_related(
        "agency", "reviewed_by"), user), user, pk=pk)


def project_dockings(user, project):
    return visible(ProjectDocking.objects.filter(project=project)
                   .select_related("unit", "city"), user)


def public_projects():
    """What the public page shows: published projects only, no scoping (no personal data)."""
    return _with_counts(JobProject.objects.filter(status=ProjectStatus.PUBLISHED)
                        .select_related("agency")).order_by("-published_at", "-pk")

