"""The 在外人员 register: everyone departed and not yet returned, with the date each contract
ends (SPEC: departure, abroad, return; issue 18)."""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from django.db.models import Case, CharField, DateField, F, Func, IntegerField, Q, Value, When
from django.utils import timezone

from apps.abroad.terms import contract_months
from apps.accounts.scoping import visible
from apps.pipeline.models import Candidacy, CandidacyStatus

ENDING_DAYS = 90


class State:
    OVERDUE = "overdue"
    ENDING = "ending"
    ABROAD = "abroad"
    LABELS = {OVERDUE: "已超期未归国", ENDING: "90天内到期", ABROAD: "在外"}


class _AddMonths(Func):
    """``date + n months`` in PostgreSQL, month ends kept as terms.add_months keeps them."""
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        day, day_params = compiler.compile(self.source_expressions[0])
        months, month_params = compiler.compile(self.source_expressions[1])
        return (f"CAST({day} + make_interval(months => {months}) AS date)",
                (*day_params, *month_params))


def _months_expression():
    """The term of each row in months, from the one parser, as a CASE over the distinct terms
    written (a handful: "3年", "36个月", …); a term it cannot read gives NULL. One query."""
    terms = (Candidacy.objects.filter(status=CandidacyStatus.ABROAD)
             .values_list("contract_term", flat=True).distinct())
    whens = [When(contract_term=term, then=Value(months)) for term in terms
             if (months := contract_months(term)) is not None]
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def abroad_register(user, filters: Optional[dict] = None, today: Optional[date] = None):
    """Candidacies abroad that ``user`` may see, each annotated with ``ends_on`` (the expected
    return date) and ``register_state``; most overdue first, unknown terms last.

    filters: city, unit, agency, project (objects or pks), country (text), state
    (overdue / ending / "" for all)."""
    filters = filters or {}
    today = today or timezone.localdate()
    qs = visible(Candidacy.objects.filter(status=CandidacyStatus.ABROAD), user)
    for name in ("city", "unit", "agency", "project"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if country := filters.get("country"):
        qs = qs.filter(Q(country__icontains=country) | Q(project__country__icontains=country))
    qs = qs.annotate(ends_on=_AddMonths(F("departed_on"), _months_expression())).annotate(
        register_state=Case(
            When(ends_on__lt=today, then=Value(State.OVERDUE)),
            When(ends_on__lte=today + timedelta(days=ENDING_DAYS), then=Value(State.ENDING)),
            default=Value(State.ABROAD), output_field=CharField()))
    if filters.get("state") in (State.OVERDUE, State.ENDING):
        qs = qs.filter(register_state=filters["state"])
    return qs.select_related("person", "project", "unit", "agency", "city").order_by(
        F("ends_on").asc(nulls_last=True), "departed_on", "id")


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
