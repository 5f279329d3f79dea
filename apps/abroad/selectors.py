"""The 在外人员 register: everyone departed and not yet returned, with the date each contract
ends (SPEC: departure, abroad, return; issue 18)."""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone

from apps.accounts.scoping import visible
from apps.pipeline.models import ABROAD_ENDS, Candidacy, CandidacyStatus
from apps.pipeline.selectors import destination_is

ENDING_DAYS = 90


class State:
    OVERDUE = "overdue"
    ENDING = "ending"
    ABROAD = "abroad"
    LABELS = {OVERDUE: "已超期未归国", ENDING: "90天内到期", ABROAD: "在外"}


def abroad_register(user, filters: Optional[dict] = None, today: Optional[date] = None):
    """Candidacies abroad that ``user`` may see, each annotated with ``ends_on`` (the expected
    return date) and ``register_state``; most overdue first, unknown terms last.

    filters: city, unit, agency, project (objects or pks), country (a name), state
    (overdue / ending / "" for all)."""
    filters = filters or {}
    today = today or timezone.localdate()
    qs = visible(Candidacy.objects.filter(status=CandidacyStatus.ABROAD), user)
    for name in ("city", "unit", "agency", "project"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if country := filters.get("country"):
        qs = qs.filter(destination_is(country))
    qs = qs.annotate(ends_on=F("contract_ends_on"), ends_key=ABROAD_ENDS).annotate(
        register_state=Case(
            When(ends_on__lt=today, then=Value(State.OVERDUE)),
            When(ends_on__lte=today + timedelta(days=ENDING_DAYS), then=Value(State.ENDING)),
            default=Value(State.ABROAD), output_field=CharField()))
    # On the index's own expression (ends_key), so the register's index serves the filter.
    if filters.get("state") == State.OVERDUE:
        qs = qs.filter(ends_key__lt=today)
    elif filters.get("state") == State.ENDING:
        qs = qs.filter(ends_key__gte=today, ends_key__lte=today + timedelta(days=ENDING_DAYS))
    return qs.select_related("person", "project", "unit", "agency", "city").order_by(
        *ORDER)


# ABROAD_ORDER by its names on the register's rows: the keyset pages compare these.
ORDER = ("ends_key", "departed_on", "id")


@dataclass
class Row:
    """One line of the register as the page and the export show it."""
    candidacy: Candidacy
    ends_on: Optional[date]
    state: str
    days_abroad: Optional[int]

    @property
    def state_label(self) -> str:
        return State.LABELS[self.state]

    @property
    def country(self) -> str:
        return self.candidacy.country or self.candidacy.project.country

    @property
    def employer(self) -> str:
        return self.candidacy.employer or self.candidacy.project.employer

    @property
    def term_label(self) -> str:
        return self.candidacy.contract_term or "—"


def register_rows(candidacies, today: Optional[date] = None):
    today = today or timezone.localdate()
    for c in candidacies:
        days = (today - c.departed_on).days if c.departed_on else None
        yield Row(c, c.ends_on, c.register_state, days)
