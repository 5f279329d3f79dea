"""在外人员与境外服务统计 (issue 18 item 5): how many people are abroad on any date, computed
from departures and returns (not from the current status, so a past date is true too), and
the duty-of-care figures of incidents, complaints and follow-up, all scoped."""
from datetime import date

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf

from apps.accounts.scoping import visible
from apps.pipeline.models import Candidacy, CandidacyStatus

# The groupings of the count abroad, and the column each reads.
BY = {"city": ("地市", "city__short_name"), "unit": ("组织单位", "unit__name"),
      "agency": ("输出机构", "agency__name"),
      "country": ("输出国", "country_shown"), "project": ("岗位项目", "project__name")}


def _with_country(qs):
    return qs.annotate(country_shown=Coalesce(
        NullIf("country", Value("")), NullIf("project__country", Value("")), Value("（未填）")))


def abroad_on(user, day: date):
    """Candidacies ``user`` may see that were abroad on ``day``: departed on or before it, not
    returned by then. A return on ``day`` itself counts as back."""
    return visible(Candidacy.objects.filter(
        status__in=[CandidacyStatus.ABROAD, CandidacyStatus.RETURNED],
        departed_on__lte=day).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day)), user)


def abroad_counts(user, day: date) -> dict:
    """{grouping: [(label, count), …] largest first} and the total, one query per grouping."""
    qs = _with_country(abroad_on(user, day))
    # Nepal's lesson: a count abroad is only true if returns are. Those whose contract had
    # ended by then are probably back but not recorded: said beside the count.
    out = qs.aggregate(total=Count("pk"), ended=Count("pk", filter=Q(contract_ends_on__lt=day)))
    for key, (_, column) in BY.items():
        out[key] = [(label or "（无）", n) for label, n in qs.order_by().values_list(column)
                    .annotate(n=Count("pk")).order_by("-n", column)]
    return out


def _per_100(n, departures):
    return round(100 * n / departures, 1) if departures else None


def early_returns(user, day: date) -> dict:
    """Early returns per 100 departures up to ``day``, overall, by each grouping of the count
    abroad and by cause (the Philippines' reintegration centre's first figure). A departure
    counts when it happened on or before ``day``, an early return when it did too."""
    from apps.pipeline.models import ReturnCause, ReturnKind
    departed = _with_country(visible(Candidacy.objects.filter(departed_on__lte=day), user))
    early = Q(return_kind=ReturnKind.EARLY, returned_on__lte=day)
    out = {"by": []}
    for key, (label, column) in BY.items():
        rows = (departed.order_by().values_list(column)
                .annotate(n=Count("pk"), e=Count("pk", filter=early)).order_by("-e", "-n", column))
        out["by"].append((label, [(name or "（无）", n, e, _per_100(e, n)) for name, n, e in rows]))
    # Every departure has one city: the totals are the first grouping's sums (no extra query).
    first = out["by"][0][1]
    out["departures"], out["early"] = sum(r[1] for r in first), sum(r[2] for r in first)
    out["per_100"] = _per_100(out["early"], out["departures"])
    causes = dict(departed.filter(early).order_by().values_list("return_cause")
                  .annotate(n=Count("pk")))
    out["causes"] = [(cause.label, causes.get(cause.value, 0),
                      _per_100(causes.get(cause.value, 0), out["departures"]))
                     for cause in ReturnCause if causes.get(cause.value)]
    out["causes"].sort(key=lambda row: -row[1])
    return out


def duty_figures(user, day: date) -> dict:
    """Incidents, complaints (with cases per 100 departures to date), follow-up and the
    per-agency colour, as each app computes them for ``user``."""
    from apps.complaints.selectors import agency_rag, complaint_figures
    from apps.followups.selectors import followup_figures
    from apps.incidents.selectors import incident_figures
    departures = visible(Candidacy.objects.filter(departed_on__lte=day), user).count()
    complaints = complaint_figures(user)
    complaints["per_100"] = (round(100 * complaints["received"] / departures, 1)
                             if departures else None)
    return {"incidents": incident_figures(user), "complaints": complaints,
            "departures": departures, "followups": followup_figures(user),
            "rag": agency_rag(user)}
