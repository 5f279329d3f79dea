"""Reads of the registry, always through scoping."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from apps.accounts.models import User
from apps.common.search import containing
from apps.accounts.scoping import visible
from apps.pipeline.models import OPEN_STATUSES, Candidacy, CandidacyHistory, StageEvent
from apps.registry import idnumber
from apps.registry.models import (
    PRIORITY_STATUSES, Person, PersonHistory, VerificationState, poverty_current_since,
)
from apps.registry.services import id_hash, normalise_phone, phone_hash


@dataclass
class Search:
    people: object  # QuerySet[Person]
    by: str         # "name", "id" or "phone": ID and phone searches are audited


def poverty_filter(qs, *, poverty_status="", verification="", path="", today=None):
    """The priority groups of seed 003 (``priority``: 脱贫劳动力 and 监测对象 alike, else one
    status) and the verification state, computed from the date as Person.poverty_state is."""
    if poverty_status == "priority":
        qs = qs.filter(**{f"{path}poverty_status__in": PRIORITY_STATUSES})
    elif poverty_status:
        qs = qs.filter(**{f"{path}poverty_status": poverty_status})
    if verification:
        since = poverty_current_since(today or timezone.localdate())
        on = f"{path}poverty_verified_on"
        qs = qs.filter({
            VerificationState.UNVERIFIED: Q(**{f"{on}__isnull": True})
            & ~Q(**{f"{path}poverty_status": ""}),
            VerificationState.CURRENT: Q(**{f"{on}__gte": since}),
            VerificationState.LAPSED: Q(**{f"{on}__lt": since}),
        }[verification])
    return qs


def priority_rank(path="", today=None):
    """0 for a priority person verified and current, 1 for one unverified or lapsed, 2 for
    everyone else: the order "脱贫劳动力优先" sorts by."""
    verified, unverified, _ = priority_groups(path, today)
    return Case(When(verified, then=Value(0)), When(unverified, then=Value(1)),
                default=Value(2), output_field=IntegerField())


def priority_groups(path="", today=None) -> list[Q]:
    """priority_rank's three groups as filters, in its order. A page sorted by the rank
    reads them one after the other (KeysetPage's ``groups``): the rank depends on today,
    so no index holds it, while each group walks an index in the list's own order."""
    since = poverty_current_since(today or timezone.localdate())
    priority = Q(**{f"{path}poverty_status__in": PRIORITY_STATUSES})
    current = Q(**{f"{path}poverty_verified_on__gte": since})
    return [priority & current, priority & ~current, ~priority]


def person_search(user, *, q="", category="", unit=None, poverty_status="",
                  verification="") -> Search:
    qs = visible(Person.objects.select_related("unit", "city"), user)
    q = (q or "").strip()
    by = "name"
    if q:
        compact = idnumber.normalise(q)
        phone_digits = normalise_phone(q)
        if len(compact) == 18 and compact[:17].isdigit():
            by, qs = "id", qs.filter(id_hash=id_hash(compact))
        elif len(phone_digits) == 11 and not compact.replace("-", "").strip("0123456789"):
            by, qs = "phone", qs.filter(phone_hash=phone_hash(q))
        else:
            qs = qs.filter(name__startswith=q)  # the name from its beginning: indexed
    if category:
        qs = qs.filter(category=category)
    if unit:
        qs = qs.filter(unit=unit)
    qs = poverty_filter(qs, poverty_status=poverty_status, verification=verification)
    return Search(people=qs, by=by)


def reserve_pool(user, *, trade="", education="", language="", city=None, poverty_status="",
                 order=""):
    """储备库: registered people with no open candidacy (seed 001)."""
    open_candidacy = Candidacy.objects.filter(person=OuterRef("pk"), status__in=OPEN_STATUSES)
    qs = visible(Person.objects.select_related("unit", "city"), user).filter(
        ~Exists(open_candidacy))
    if trade:
        qs = containing(qs, "intended_trade", trade)
    if education:
        qs = qs.filter(education=education)
    if language:
        qs = containing(qs, "languages", language)
    if city:
        qs = qs.filter(city=city)
    qs = poverty_filter(qs, poverty_status=poverty_status)
    if order == "priority":  # seed 003: priority for organised outbound work
        return qs.order_by(priority_rank(), "-created_at", "-id")
    return qs


def person_verifications(user, person):
    from apps.registry.models import PovertyVerification
    return visible(PovertyVerification.objects.filter(person=person), user).select_related(
        "verified_by", "upload")


def person_candidacies(user, person):
    return visible(Candidacy.objects.filter(person=person), user).select_related(
        "project", "unit", "agency").prefetch_related(
        Prefetch("events", queryset=StageEvent.objects.select_related("recorded_by", "session")),
        "evidence")


@dataclass
class Change:
    at: datetime
    who: str
    what: str      # the record changed, e.g. "人员信息" or "报名：项目名"
    field: str
    old: str
    new: str


# Fields never shown in a change log, and sensitive ones shown masked.
HIDDEN = {"id", "updated_at", "created_at", "id_hash", "phone_hash", "passport_hash",
          "created_by"}
MASKS = {"id_number": idnumber.mask_id, "phone": idnumber.mask_phone,
         "family_phone": idnumber.mask_phone, "passport_no": idnumber.mask_passport,
         "return_phone": idnumber.mask_phone}


def _display(event, field):
    value = getattr(event, field.attname)
    if field.name in MASKS:
        return MASKS[field.name](value or "")
    if field.choices:
        return dict(field.choices).get(value, value)
    return "" if value is None else str(value)


def _changes(events, what, fields, users):
    out, previous = [], None
    for event in events:
        if previous is not None:
            for field in fields:
                old, new = _display(previous, field), _display(event, field)
                if old != new:
                    user_id = (event.pgh_context.metadata.get("user")
                               if event.pgh_context else None)
                    out.append(Change(event.pgh_created_at, users.get(user_id, "系统"),
                                      what(event), str(field.verbose_name), old, new))
        previous = event
    return out


def person_changes(user, person) -> list[Change]:
    """Who changed what, when, from which value to which (masked where sensitive)."""
    def tracked(model):
        return [f for f in model._meta.concrete_fields
                if not f.name.startswith("pgh_") and f.name not in HIDDEN
                and not f.is_relation]

    person_events = list(visible(PersonHistory.objects.filter(pgh_obj=person), user)
                         .select_related("pgh_context").order_by("pgh_id"))
    candidacy_events = list(visible(CandidacyHistory.objects.filter(pgh_obj__person=person),
                                    user)
                            .select_related("pgh_context", "project")
                            .order_by("pgh_obj_id", "pgh_id"))
    user_ids = {e.pgh_context.metadata.get("user") for e in person_events + candidacy_events
                if e.pgh_context}
    users = {u.pk: u.get_full_name() or u.username
             for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
    changes = _changes(person_events, lambda e: "人员信息", tracked(PersonHistory), users)
    by_candidacy = {}
    for event in candidacy_events:
        by_candidacy.setdefault(event.pgh_obj_id, []).append(event)
    for events in by_candidacy.values():
        changes += _changes(events, lambda e: f"报名：{e.project.name}",
                            tracked(CandidacyHistory), users)
    return sorted(changes, key=lambda c: c.at, reverse=True)
