"""Who sees what: the one place that decides it.

Every list, detail, export, upload, dashboard and task gets its rows through ``visible`` (or
``get_visible_or_404``). The rules are fail-closed: an anonymous or inactive user, an unknown
role, or a model with no rule here sees nothing at all, whatever its role.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Callable, Optional

from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.accounts.models import Role

logger = logging.getLogger(__name__)

QBuilder = Callable[["User"], Q]  # noqa: F821 (User is only a type hint)


def everything(user) -> Q:
    return Q()


@dataclass(frozen=True)
class Rule:
    """How each role reaches rows of one model. None means: sees none.

    The province sees everything unless a rule says otherwise (the audit log is kept from it:
    only the audit administrator reads it). Administrators see nothing unless a rule names
    them: they manage accounts and read the log, never personal data."""

    city: Optional[QBuilder] = None
    unit: Optional[QBuilder] = None
    agency: Optional[QBuilder] = None
    observer: Optional[QBuilder] = None  # reference data only, never personal data
    province: Optional[QBuilder] = everything
    system_admin: Optional[QBuilder] = None
    security_admin: Optional[QBuilder] = None
    audit_admin: Optional[QBuilder] = None

    def for_role(self, role: str) -> Optional[QBuilder]:
        return {
            Role.PROVINCE: self.province,
            Role.CITY: self.city,
            Role.UNIT: self.unit,
            Role.AGENCY: self.agency,
            Role.OBSERVER: self.observer,
            Role.SYSTEM_ADMIN: self.system_admin,
            Role.SECURITY_ADMIN: self.security_admin,
            Role.AUDIT_ADMIN: self.audit_admin,
        }.get(role)


PROVINCE_ONLY = Rule()


@cache
def _rules() -> dict[type[Model], Rule]:
    # Imported here: scoping is imported by every app, the rules name models of every app.
    from apps.accounts.models import User
    from apps.orgs.models import (
        Agency, AgencyStatus, City, CityAgencyCooperation, FilingRequest, FilingStatus,
        OrganisingUnit, QualificationBar, UnitAgencyCooperation,
    )
    from apps.audit.models import AuditEvent
    from apps.dashboards.models import (
        CohortFigure, DepartureFigure, EventFigure, FigureRefresh, ProjectFigure,
        WithdrawalFigure,
    )
    from axes.models import AccessAttempt
    from apps.evidence.models import Evidence
    from apps.pipeline.models import Candidacy, CandidacyHistory, Session, StageEvent
    from apps.projects.models import JobProject, ProjectDocking, ProjectStatus
    from apps.quotas.models import PlanStatus, PovertyTarget, Task, TaskPlan
    from apps.publicity.models import Notice as PolicyNotice
    from apps.registry.models import Person, PersonHistory, PersonTransfer, PovertyVerification
    from apps.rosters.models import Upload
    from apps.workdays.models import CalendarYear, SpecialDay
    from apps.deadlines.models import DeadlineItem, DeadlineRule, Notice
    from apps.disclosures.models import Disclosure
    from apps.incidents.models import (
        GradeChange, Incident, IncidentReport, IncidentReportRule, IncidentWorker,
    )
    from apps.followups.models import FollowUpPlan, FollowUpSettings, FollowUpVisit, VisitIssue
    from apps.subsidies.models import (
        Budget, Claim, ClaimedPerson, ClaimLine, ClaimStep, Payment, Standard, StandardYear,
    )
    from apps.training.models import (
        Enrolment, SpotCheck, StandingMember, TrainingClass, WeeklyHours,
    )
    from apps.complaints.models import (
        Complaint, ComplaintClaim, ComplaintEvidence, ComplaintStep,
    )
    from apps.evaluations.models import (
        Consequence, Criterion, CriterionScore, Objection, ScoreChange, Scheme, SchemeStatus,
        Scorecard,
    )
    from apps.api.models import ApiClient
    from apps.returnees.models import (
        Referral, ReferralHistory, ReturneeProfile, ReturneeProfileHistory,
    )

    def returnees_of(path: str) -> Rule:
        """A returnee is served by their unit and city; the agency they came back from reads
        the profile (its own returnees' skills and wish to go again), not their referrals."""
        def agency(u) -> Q:
            return Q(**{f"{path}person__in": Candidacy.objects.filter(
                agency=u.agency_id, status="returned").values("person")})
        return Rule(city=lambda u: Q(**{f"{path}city": u.city_id}),
                    unit=lambda u: Q(**{f"{path}unit": u.unit_id}), agency=agency)

    def referrals_of(path: str) -> Rule:
        return Rule(city=lambda u: Q(**{f"{path}city": u.city_id}),
                    unit=lambda u: Q(**{f"{path}unit": u.unit_id}))
    from apps.outages.models import LateEntry, OutagePeriod

    def complaints_of(path: str) -> Rule:
        """A case by its organisations (complaint_org); a sensitive one only to its named
        officers and its filer, whatever their role: the province included."""
        def guarded(u) -> Q:
            named = Q(**{f"{path}pk__in": Complaint.officers.through.objects.filter(
                user=u.pk).values("complaint")}) | Q(**{f"{path}filed_by": u.pk})
            return ((Q(**{f"{path}sensitive": False}) & complaint_org(u, path))
                    | (Q(**{f"{path}sensitive": True}) & named))
        return Rule(province=guarded, city=guarded, unit=guarded, agency=guarded)

    def scorecards_of(path: str) -> Rule:
        """A scorecard is its organisation's (once its draft is shown to it) and, for a unit,
        its city's (which scores its units' entered criteria); the province sees all."""
        shown = ~Q(**{f"{path}status": "draft"})
        return Rule(
            city=lambda u: Q(**{f"{path}city": u.city_id}),
            unit=lambda u: Q(**{f"{path}unit": u.unit_id}) & shown,
            agency=lambda u: Q(**{f"{path}agency": u.agency_id}) & shown,
        )
    locked_scheme = Q(status=SchemeStatus.LOCKED)

    def city_partner_agencies(**where):
        return CityAgencyCooperation.objects.filter(ended_at__isnull=True, **where).values(
            "agency"
        )

    def unit_partner_agencies(**where):
        return UnitAgencyCooperation.objects.filter(ended_at__isnull=True, **where).values(
            "agency"
        )

    published_agency = Q(status=AgencyStatus.RECOMMENDED, filing_status=FilingStatus.APPROVED)
    approved = Q(filing_status=FilingStatus.APPROVED)

    def agency_people(u) -> Q:
        # SPEC §1: people who applied to its projects, or of units and cities it works with.
        return (
            Q(pk__in=Candidacy.objects.filter(agency=u.agency_id).values("person"))
            | Q(unit__in=UnitAgencyCooperation.objects.filter(
                agency=u.agency_id, ended_at__isnull=True).values("unit"))
            | Q(city__in=CityAgencyCooperation.objects.filter(
                agency=u.agency_id, ended_at__isnull=True).values("city"))
        )

    def people_of(path: str) -> Rule:
        """The Person rule, reached from another model through ``path`` ("" for Person)."""
        person = path.removesuffix("__") or "pk"
        return Rule(
            city=lambda u: Q(**{f"{path}city": u.city_id}),
            unit=lambda u: Q(**{f"{path}unit": u.unit_id}),
            agency=lambda u: Q(**{f"{person}__in": Person.objects.filter(
                agency_people(u)).values("pk")}),
        )

    def candidacies_of(path: str) -> Rule:
        return Rule(
            city=lambda u: Q(**{f"{path}city": u.city_id}),
            unit=lambda u: Q(**{f"{path}unit": u.unit_id}),
            agency=lambda u: Q(**{f"{path}agency": u.agency_id}),
        )

    published = Q(status=ProjectStatus.PUBLISHED)
    published_plan = Q(status=PlanStatus.PUBLISHED)

    def published_tasks() -> Q:
        return Q(year__in=TaskPlan.objects.filter(published_plan).values("year"))

    def published_standards() -> Q:
        return Q(year__in=StandardYear.objects.filter(published_plan).values("year"))
    figures = Rule(city=lambda u: Q(city=u.city_id), unit=lambda u: Q(unit=u.unit_id),
                   agency=lambda u: Q(agency=u.agency_id), observer=everything)

    def classes_of(path: str) -> Rule:
        """A class is its unit's, its city's, and its partner agency's (joint training)."""
        return Rule(
            city=lambda u: Q(**{f"{path}city": u.city_id}),
            unit=lambda u: Q(**{f"{path}unit": u.unit_id}),
            agency=lambda u: Q(**{f"{path}agency": u.agency_id}),
        )

    def incidents_of(path: str) -> Rule:
        """An incident is its leading city's, its recording unit's or agency's, and that of
        every city, unit and agency whose people it concerns."""
        def concerning(**where):
            return Q(**{f"{path}pk__in": IncidentWorker.objects.filter(**{
                f"candidacy__{k}": v for k, v in where.items()}).values("incident")})
        return Rule(
            city=lambda u: Q(**{f"{path}city": u.city_id}) | concerning(city=u.city_id),
            unit=lambda u: Q(**{f"{path}unit": u.unit_id}) | concerning(unit=u.unit_id),
            agency=lambda u: Q(**{f"{path}agency": u.agency_id}) | concerning(agency=u.agency_id),
        )

    def followed_up(path: str) -> Rule:
        """A follow-up plan is its project's agency's, and the cities' and units' whose people
        are or were abroad on the project (departed; a plan is kept after they return)."""
        def departed(**where):
            return Candidacy.objects.filter(departed_on__isnull=False, **where).values("project")
        return Rule(
            city=lambda u: Q(**{f"{path}project__in": departed(city=u.city_id)}),
            unit=lambda u: Q(**{f"{path}project__in": departed(unit=u.unit_id)}),
            agency=lambda u: Q(**{f"{path}project__agency": u.agency_id}),
        )

    return {
        # Accounts are managed by the system administrator; the security administrator
        # unlocks, resets second factors and ends sessions of them.
        User: Rule(system_admin=everything, security_admin=everything),
        # Read by the audit administrator only: not the province, not the other admins.
        AuditEvent: Rule(province=None, audit_admin=everything),
        AccessAttempt: Rule(province=None, security_admin=everything),
        Person: people_of(""),
        PersonHistory: people_of("pgh_obj__"),
        # Seen with the person: by the unit it now belongs to, not by the one it left.
        PersonTransfer: people_of("person__"),
        Evidence: people_of("person__"),
        # A verification is seen with its person (seed 003: shared data on the person).
        PovertyVerification: people_of("person__"),
        Candidacy: candidacies_of(""),
        CandidacyHistory: candidacies_of("pgh_obj__"),
        StageEvent: candidacies_of("candidacy__"),
        Session: candidacies_of(""),
        # The holiday arrangement is public: everyone counts deadlines with it.
        CalendarYear: Rule(city=everything, unit=everything, agency=everything,
                           observer=everything),
        SpecialDay: Rule(city=everything, unit=everything, agency=everything,
                         observer=everything),
        # An item is owed by the organisation of its owner role; its city sees them all.
        DeadlineItem: Rule(
            city=lambda u: Q(city=u.city_id),
            unit=lambda u: Q(unit=u.unit_id, owner_role=Role.UNIT),
            agency=lambda u: Q(agency=u.agency_id, owner_role=Role.AGENCY),
        ),
        # An item's notices go with the item; an event notice to the organisation it names.
        Notice: Rule(
            city=lambda u: Q(item__city=u.city_id)
            | Q(item__isnull=True, owner_role=Role.CITY, city=u.city_id),
            unit=lambda u: Q(item__unit=u.unit_id, item__owner_role=Role.UNIT)
            | Q(item__isnull=True, owner_role=Role.UNIT, unit=u.unit_id),
            agency=lambda u: Q(item__agency=u.agency_id, item__owner_role=Role.AGENCY)
            | Q(item__isnull=True, owner_role=Role.AGENCY, agency=u.agency_id),
        ),
        DeadlineRule: Rule(city=everything, unit=everything, agency=everything,
                           observer=everything),
        Upload: Rule(
            city=lambda u: Q(city=u.city_id) | Q(unit__city=u.city_id),
            unit=lambda u: Q(unit=u.unit_id),
        ),
        JobProject: Rule(
            city=lambda u: published, unit=lambda u: published, observer=lambda u: published,
            agency=lambda u: Q(agency=u.agency_id) | published,
        ),
        ProjectDocking: Rule(
            city=lambda u: Q(city=u.city_id),
            unit=lambda u: Q(unit=u.unit_id),
            agency=lambda u: Q(project__agency=u.agency_id),
        ),
        City: Rule(
            city=lambda u: Q(pk=u.city_id),
            unit=lambda u: Q(units=u.unit_id),
            agency=lambda u: Q(
                pk__in=CityAgencyCooperation.objects.filter(
                    agency=u.agency_id, ended_at__isnull=True
                ).values("city")
            ),
            observer=everything,
            system_admin=everything,  # gives accounts their organisation; no personal data
        ),
        OrganisingUnit: Rule(
            city=lambda u: Q(city=u.city_id),
            unit=lambda u: Q(pk=u.unit_id),
            agency=lambda u: Q(
                pk__in=UnitAgencyCooperation.objects.filter(
                    agency=u.agency_id, ended_at__isnull=True
                ).values("unit")
            ),
            observer=lambda u: approved,
            system_admin=everything,
        ),
        Agency: Rule(
            # Cities and units choose partners from the published (recommended) list.
            city=lambda u: published_agency
            | Q(pk__in=city_partner_agencies(city=u.city_id))
            | Q(pk__in=FilingRequest.objects.filter(city=u.city_id).values("agency")),
            unit=lambda u: published_agency
            | Q(pk__in=unit_partner_agencies(unit=u.unit_id))
            | Q(pk__in=city_partner_agencies(city__units=u.unit_id)),
            # The published list is the plan's 附件4, a public document: an agency sees it
            # as the cities and units do (its own partners' rows stay its own).
            agency=lambda u: published_agency | Q(pk=u.agency_id),
            observer=lambda u: approved,
            system_admin=everything,
        ),
        CityAgencyCooperation: Rule(
            city=lambda u: Q(city=u.city_id),
            agency=lambda u: Q(agency=u.agency_id),
        ),
        UnitAgencyCooperation: Rule(
            city=lambda u: Q(unit__city=u.city_id),
            unit=lambda u: Q(unit=u.unit_id),
            agency=lambda u: Q(agency=u.agency_id),
        ),
        FilingRequest: Rule(city=lambda u: Q(city=u.city_id)),
        # A withdrawn qualification is published (seed 002 第八条 予以公布): shown with the
        # organisation to whoever sees it.
        QualificationBar: Rule(city=everything, unit=everything, agency=everything,
                               observer=everything),
        # Notices are written by the province; the public page shows the published ones.
        PolicyNotice: PROVINCE_ONLY,
        # A draft year is the province's alone, and so are its tasks.
        TaskPlan: Rule(city=lambda u: published_plan, unit=lambda u: published_plan,
                       agency=lambda u: published_plan, observer=lambda u: published_plan),
        # The province's yearly target share: a published aim every dashboard compares with.
        PovertyTarget: Rule(city=everything, unit=everything, agency=everything,
                            observer=everything),
        TrainingClass: classes_of(""),
        Enrolment: classes_of("training_class__"),
        StandingMember: classes_of("training_class__"),
        WeeklyHours: classes_of("training_class__"),
        # Findings are the province's; the unit and city see what was found in their classes.
        SpotCheck: Rule(city=lambda u: Q(training_class__city=u.city_id),
                        unit=lambda u: Q(training_class__unit=u.unit_id)),
        # A claim is its unit's and, for review, its city's; an agency has only its own
        # evaluation rewards (issue 20, seed 002 第十二条), never anyone's people or money.
        Claim: Rule(city=lambda u: Q(city=u.city_id), unit=lambda u: Q(unit=u.unit_id),
                    agency=lambda u: Q(agency=u.agency_id)),
        ClaimLine: Rule(city=lambda u: Q(claim__city=u.city_id),
                        unit=lambda u: Q(claim__unit=u.unit_id),
                        agency=lambda u: Q(claim__agency=u.agency_id)),
        ClaimedPerson: Rule(city=lambda u: Q(line__claim__city=u.city_id),
                            unit=lambda u: Q(line__claim__unit=u.unit_id)),
        ClaimStep: Rule(city=lambda u: Q(claim__city=u.city_id),
                        unit=lambda u: Q(claim__unit=u.unit_id),
                        agency=lambda u: Q(claim__agency=u.agency_id)),
        Payment: Rule(city=lambda u: Q(claim__city=u.city_id),
                      unit=lambda u: Q(claim__unit=u.unit_id),
                      agency=lambda u: Q(claim__agency=u.agency_id)),
        # A year's standards are published to everyone who files or reviews; a draft year is
        # the province's alone.
        StandardYear: Rule(city=lambda u: published_plan, unit=lambda u: published_plan,
                           agency=lambda u: published_plan, observer=lambda u: published_plan),
        Standard: Rule(city=lambda u: published_standards(), unit=lambda u: published_standards(),
                       agency=lambda u: published_standards(),
                       observer=lambda u: published_standards()),
        Budget: Rule(city=lambda u: Q(city=u.city_id), unit=lambda u: Q(unit=u.unit_id)),
        Task: Rule(
            city=lambda u: (Q(city=u.city_id) | Q(unit__city=u.city_id)) & published_tasks(),
            unit=lambda u: Q(unit=u.unit_id) & published_tasks(),
            observer=lambda u: published_tasks(),
        ),
        # Dashboard figures: counts only, scoped like the candidacies they count; the
        # observer sums all of them (cells under 5 are suppressed by the dashboard).
        EventFigure: figures,
        CohortFigure: figures,
        DepartureFigure: figures,
        ProjectFigure: figures,
        WithdrawalFigure: figures,
        FigureRefresh: Rule(city=everything, unit=everything, agency=everything,
                            observer=everything),
        # 境外突发事件 (issue 18): scoped with their incident; observers and admins see none.
        Incident: incidents_of(""),
        IncidentWorker: incidents_of("incident__"),
        GradeChange: incidents_of("incident__"),
        IncidentReport: incidents_of("incident__"),
        IncidentReportRule: Rule(city=everything, unit=everything, agency=everything),
        FollowUpPlan: followed_up(""),
        FollowUpVisit: followed_up("plan__"),
        VisitIssue: followed_up("visit__plan__"),
        # The thresholds and the interval: read by everyone who follows up.
        FollowUpSettings: Rule(city=everything, unit=everything, agency=everything),
        # A full-number request is its requester's; the province sees all to decide them.
        Complaint: complaints_of(""),
        ComplaintClaim: complaints_of("complaint__"),
        ComplaintEvidence: complaints_of("complaint__"),
        ComplaintStep: complaints_of("complaint__"),
        # API clients are the system and security administrators' (create / authorise); the
        # province does not manage them, and a client never sees the others.
        ApiClient: Rule(province=None, system_admin=everything, security_admin=everything),
        Disclosure: Rule(city=lambda u: Q(requested_by=u.pk), unit=lambda u: Q(requested_by=u.pk),
                         agency=lambda u: Q(requested_by=u.pk)),
        # 年度评估 (issue 20): a draft scheme is the province's; a locked one is the published
        # rule everybody is scored by.
        Scheme: Rule(city=lambda u: locked_scheme, unit=lambda u: locked_scheme,
                     agency=lambda u: locked_scheme),
        Criterion: Rule(city=lambda u: Q(scheme__status=SchemeStatus.LOCKED),
                        unit=lambda u: Q(scheme__status=SchemeStatus.LOCKED),
                        agency=lambda u: Q(scheme__status=SchemeStatus.LOCKED)),
        Scorecard: scorecards_of(""),
        CriterionScore: scorecards_of("scorecard__"),
        ScoreChange: scorecards_of("score__scorecard__"),
        Objection: scorecards_of("scorecard__"),
        Consequence: scorecards_of("scorecard__"),
        # 归国人员 (issue 19)
        ReturneeProfile: returnees_of(""),
        ReturneeProfileHistory: returnees_of("pgh_obj__"),
        Referral: referrals_of(""),
        ReferralHistory: referrals_of("pgh_obj__"),
        # Outage periods are declared by the province; the organisations they stop learn of
        # them by notice and on their items (the reason). 补录 entries are for its review.
        OutagePeriod: PROVINCE_ONLY,
        LateEntry: PROVINCE_ONLY,
    }


def complaint_org(user, path: str = "") -> Q:
    """Complaints of ``user``'s organisation, sensitivity aside (who may be named an officer):
    the province all; a city its city's; a unit its unit's workers'; an agency its own workers',
    those it is the respondent of (it must reply) and those it filed. Others none."""
    p = path
    if user.role == Role.PROVINCE:
        return Q()
    if user.role == Role.CITY:
        return Q(**{f"{p}city": user.city_id})
    if user.role == Role.UNIT:
        return Q(**{f"{p}unit": user.unit_id})
    if user.role == Role.AGENCY:
        return (Q(**{f"{p}agency": user.agency_id}) | Q(**{f"{p}respondent_agency": user.agency_id})
                | Q(**{f"{p}transferred_to": user.agency_id})
                | Q(**{f"{p}filed_agency": user.agency_id}))
    return Q(pk__in=[])


def has_rule(model: type[Model]) -> bool:
    return model in _rules()


def visible(qs: QuerySet, user) -> QuerySet:
    """Rows of ``qs`` that ``user`` may see. The only place that decides it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    rule = _rules().get(qs.model)
    if rule is None:
        logger.error("no scope rule for %s: nobody sees its rows", qs.model.__name__)
        return qs.none()
    builder = rule.for_role(user.role)
    if builder is None:
        return qs.none()
    return qs.filter(builder(user))


def get_visible_or_404(qs: QuerySet, user, **lookup):
    """The object, or 404 alike for missing and not yours (no existence oracle)."""
    return get_object_or_404(visible(qs, user), **lookup)


def full_numbers_visible(qs: QuerySet, user) -> QuerySet:
    """People of ``qs`` (a Person queryset) whose full ID, phone and passport numbers ``user``
    may take out: a reveal or a full-number export (docs/DISCLOSURE.md). Never wider than
    ``visible``; for an agency narrower: only people with a candidacy on its own projects,
    not every person of the units and cities it works with. Observers and administrators:
    nobody."""
    from apps.pipeline.models import Candidacy
    from apps.registry.models import Person

    if qs.model is not Person:
        raise TypeError("full_numbers_visible takes a Person queryset")
    qs = visible(qs, user)
    if user.role in (Role.PROVINCE, Role.CITY, Role.UNIT):
        return qs
    if user.role == Role.AGENCY:
        return qs.filter(pk__in=Candidacy.objects.filter(
            project__agency=user.agency_id).values("person"))
    return qs.none()


# Models whose rows the observer may count, never see: dashboards give it suppressed
# aggregates of them (apps.dashboards.selectors), with no personal data.
AGGREGATE_ONLY = {"pipeline.Candidacy", "pipeline.StageEvent"}


def countable(qs: QuerySet, user) -> QuerySet:
    """Rows of ``qs`` that ``user`` may count in an aggregate. Like ``visible``, except that
    the observer counts every Candidacy and StageEvent: only for GROUP BY figures that are
    suppressed under 5 people, never to list or show a row."""
    if (user is not None and user.is_authenticated and user.is_active
            and user.role == Role.OBSERVER and qs.model._meta.label in AGGREGATE_ONLY):
        return qs
    return visible(qs, user)
