from django.db.models import Count, Sum

from apps.accounts.scoping import visible
from apps.subsidies.models import (
    Budget, Claim, ClaimedPerson, ClaimLine, ClaimStep, Standard, StandardYear,
)


# Who filed a claim: a unit (its subsidies) or an agency (its evaluation rewards, which the
# province reviews first because an agency has no city).
APPLICANTS = (("unit", "组织单位"), ("agency", "输出机构"))


def claim_list(user, *, status="", phase="", applicant=""):
    qs = visible(Claim.objects.select_related("unit", "agency", "city", "training_class"), user)
    if applicant == "unit":
        qs = qs.filter(agency__isnull=True)
    elif applicant == "agency":
        qs = qs.filter(agency__isnull=False)
    if status:
        qs = qs.filter(status=status)
    if phase:
        qs = qs.filter(phase=phase)
    return qs.order_by("-created_at", "-id")


BANK_FIELDS = ("bank_name", "account_name", "account_no")


def claim_last_bank_account(user) -> dict:
    """The account of the user's organisation's latest claim, offered on its next one so it
    is not retyped (a unit's claims are its own; a withdrawn one still names its account)."""
    if user.unit_id:
        mine = Claim.objects.filter(unit=user.unit_id)
    elif user.agency_id:
        mine = Claim.objects.filter(agency=user.agency_id)
    else:
        return {}
    last = (visible(mine, user).order_by("-created_at", "-id").values(*BANK_FIELDS).first())
    return last or {}


def claim_lines(claim, user):
    return list(visible(ClaimLine.objects.filter(claim=claim), user).order_by("id"))


def claim_people(claim, user):
    """The people behind each line, each with the stage event the line rests on and that
    stage's evidence documents (all scoped; three queries whatever the number of people)."""
    from apps.evidence.models import KIND_STAGE, Evidence
    from apps.pipeline.models import StageEvent
    from apps.subsidies.eligibility import ITEM_STAGE
    people = list(visible(ClaimedPerson.objects.filter(line__claim=claim)
                          .select_related("person", "line"), user)
                  .order_by("line_id", "person__name"))
    candidacies = {p.candidacy_id for p in people if p.candidacy_id}
    events = {(e.candidacy_id, e.stage): e for e in visible(
        StageEvent.objects.filter(candidacy__in=candidacies), user)}
    evidence = {}
    for doc in visible(Evidence.objects.filter(person__in={p.person_id for p in people}), user) \
            .order_by("uploaded_at"):
        evidence.setdefault((doc.person_id, KIND_STAGE[doc.kind]), []).append(doc)
    for p in people:
        stage = ITEM_STAGE.get(p.item)
        p.event = events.get((p.candidacy_id, stage))
        p.documents = evidence.get((p.person_id, stage), []) if stage else []
    return people


def claim_steps(claim, user):
    return visible(ClaimStep.objects.filter(claim=claim).select_related("actor"), user)


def standards(user, year):
    return {s.item: s for s in visible(Standard.objects.filter(year=year)
                                       .select_related("updated_by"), user)}


def standard_year(user, year):
    """The year's set (draft or published) if ``user`` may see it, else None."""
    return visible(StandardYear.objects.filter(year=year).select_related("published_by"),
                   user).first()


def standard_years(user):
    return list(visible(StandardYear.objects.all(), user).values_list("year", flat=True)
                .order_by("-year"))


def budgets(user, year):
    return visible(Budget.objects.filter(year=year).select_related("city", "unit",
                                                                   "submitted_by"), user) \
        .order_by("city__id", "unit__seq", "unit__id")


def budget_total(user, year) -> dict:
    return visible(Budget.objects.filter(year=year), user).aggregate(
        amount=Sum("amount"), people=Sum("planned_people"), count=Count("pk"))


def claims_waiting(user) -> int:
    """Claims on which ``user`` has the next step (for the home page)."""
    from apps.subsidies.services import FLOW
    statuses = set().union(*(roles.get(user.role, set()) for action, roles in FLOW.items()
                             if action not in ("refresh", "withdraw", "return")))
    return visible(Claim.objects.filter(status__in=statuses), user).count() if statuses else 0
