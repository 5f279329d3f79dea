from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from apps.accounts.scoping import visible
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.returnees.models import OPEN_REFERRAL, Referral, ReturneeProfile


def profile_list(user, filters=None):
    """Returnee profiles ``user`` may see, with their open referrals counted (one query)."""
    filters = filters or {}
    qs = visible(ReturneeProfile.objects.select_related("person", "unit", "city"), user)
    if filters.get("q"):
        qs = qs.filter(person__name__startswith=filters["q"])
    if filters.get("go_again"):
        qs = qs.filter(go_again=filters["go_again"])
    if filters.get("support"):
        qs = qs.filter(support_wanted__contains=[filters["support"]])
    if filters.get("city"):
        qs = qs.filter(city=filters["city"])
    if filters.get("consent"):
        qs = qs.filter(consent_contact=True)
    # A subquery a row, not a GROUP BY of every profile: a page reads only its own rows.
    open_referrals = (Referral.objects.filter(profile=OuterRef("pk"), status__in=OPEN_REFERRAL)
                      .order_by().values("profile").annotate(n=Count("pk")).values("n"))
    return qs.annotate(open_referrals=Coalesce(
        Subquery(open_referrals, output_field=IntegerField()), 0)).order_by("-updated_at", "-id")


def returned_passes(user, person):
    """The person's returns ``user`` may see, newest first: the certificate's records."""
    return visible(Candidacy.objects.filter(person=person, status=CandidacyStatus.RETURNED),
                   user).select_related("project", "agency", "return_complaint").order_by(
        "-returned_on", "-id")


def profile_referrals(user, profile):
    return visible(Referral.objects.filter(profile=profile), user).select_related(
        "created_by", "updated_by")
