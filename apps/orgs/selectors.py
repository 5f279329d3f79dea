"""Reads of organisations. Every queryset starts from accounts.scoping.visible."""
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.orgs.models import (
    Agency, AgencyStatus, City, CityAgencyCooperation, FilingRequest, FilingStatus,
    OrganisingUnit, QualificationBar, UnitAgencyCooperation,
)


def city_list(user):
    return visible(City.objects.all(), user).annotate(
        unit_count=Count("units", filter=Q(units__filing_status=FilingStatus.APPROVED),
                         distinct=True),
        partner_count=Count("agency_cooperations",
                            filter=Q(agency_cooperations__ended_at__isnull=True), distinct=True),
    )


def unit_list(user, *, q="", category="", city=None, source="", filing_status=""):
    qs = visible(OrganisingUnit.objects.select_related("city"), user)
    if q:
        qs = qs.filter(name__icontains=q)
    if category:
        qs = qs.filter(category=category)
    if city:
        qs = qs.filter(city=city)
    if source:
        qs = qs.filter(source=source)
    if filing_status:
        qs = qs.filter(filing_status=filing_status)
    return qs


def agency_list(user, *, q="", status="", home_province=""):
    qs = visible(Agency.objects.all(), user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    if status:
        qs = qs.filter(status=status)
    if home_province:
        qs = qs.filter(home_province=home_province)
    return qs


def city_cooperations(user, **where):
    return visible(
        CityAgencyCooperation.objects.filter(ended_at__isnull=True, **where)
        .select_related("city", "agency"),
        user,
    )


def unit_cooperations(user, **where):
    return visible(
        UnitAgencyCooperation.objects.filter(ended_at__isnull=True, **where)
        .select_related("unit", "unit__city", "agency"),
        user,
    )


def filing_list(user, *, status=""):
    qs = visible(
        FilingRequest.objects.select_related("city", "unit", "agency", "submitted_by",
                                             "decided_by"),
        user,
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def selectable_agencies(user):
    """Agencies a city or unit may pick as a partner: visible to it and able to cooperate."""
    return agency_list(user).filter(
        Q(licence_valid_until__isnull=True) | Q(licence_valid_until__gte=timezone.localdate()),
        filing_status=FilingStatus.APPROVED,
        status__in=[AgencyStatus.RECOMMENDED, AgencyStatus.FILED],
    )


def org_counts(user) -> dict:
    units = visible(OrganisingUnit.objects.all(), user).aggregate(
        approved=Count("pk", filter=Q(filing_status=FilingStatus.APPROVED)),
        pending=Count("pk", filter=Q(filing_status=FilingStatus.PENDING)),
    )
    agencies = visible(Agency.objects.all(), user).aggregate(
        recommended=Count("pk", filter=Q(status=AgencyStatus.RECOMMENDED)),
        filed=Count("pk", filter=Q(status=AgencyStatus.FILED,
                                   filing_status=FilingStatus.APPROVED)),
        stopped=Count("pk", filter=Q(status__in=[AgencyStatus.SUSPENDED,
                                                 AgencyStatus.BLACKLISTED])),
    )
    return {
        "cities": visible(City.objects.all(), user).count(),
        "units": units,
        "agencies": agencies,
        "pending_filings": filing_list(user, status=FilingStatus.PENDING).count(),
    }


def bars(user, **org):
    """The organisation's two-year bars (seed 002 第八条), newest first, each marked whether it
    holds today."""
    today = timezone.localdate()
    rows = list(visible(QualificationBar.objects.filter(**org), user))
    for bar in rows:
        bar.active = bar.in_force_on(today)
    return rows
