"""How many working days the declared outage periods take from one deadline item.

Pure arithmetic on a loaded calendar (no queries), so declaring, editing, closing and every
recompute give the same answer, however often they run.

The clock of an item runs from its event (exclusive) for the rule's offset plus any other
extension (a complaint's holds). A working day on which a period covering the item's
organisation was in force does not count: the item is due on the N-th working day outside the
periods. ``days`` is how many working days were skipped, each day once whatever number of
periods overlap on it. An offset of 0 (due on the event day itself: the budget, a follow-up
visit) moves to the first working day after the periods when the event day lies in one.

A period still open counts through today, and pauses the clock of every open item it reaches
(``paused``): its true length is known only when it is closed. Items owed *before* an event
(negative offsets: the rosters before a class opens) and items counted in hours (incident
reports) are not moved: the event does not wait for them; what was done on paper is entered
as 补录 with its date."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.accounts.models import Role


@dataclass(frozen=True)
class Span:
    """One declared period as the arithmetic needs it."""

    pk: int
    starts_on: date
    ends_on: date | None  # None: still open, counted through ``today``
    label: str  # kind and dates: "疫情封控 2026-11-16至2026-11-18"
    reason: str
    scope: str
    cities: frozenset = field(default_factory=frozenset)
    units: frozenset = field(default_factory=frozenset)
    agencies: frozenset = field(default_factory=frozenset)

    def covers(self, *, owner_role, city_id, unit_id, agency_id) -> bool:
        """Whether the period stopped the organisation that owes the item: everyone; a
        listed city (all that is owed for its people and by its offices); a listed unit or
        agency (what that organisation itself owes)."""
        from apps.outages.models import OutageScope
        if self.scope == OutageScope.ALL:
            return True
        if self.scope == OutageScope.CITIES:
            return city_id in self.cities
        return ((owner_role == Role.UNIT and unit_id in self.units)
                or (owner_role == Role.AGENCY and agency_id in self.agencies))

    def last_day(self, today: date) -> date:
        return self.ends_on or today

    def holds(self, day: date, today: date) -> bool:
        return self.starts_on <= day <= self.last_day(today)


@dataclass(frozen=True)
class Extension:
    days: int = 0
    paused: bool = False
    reason: str = ""


NONE = Extension()


def extension(calendar, *, event_on: date, base: int, spans: list[Span], today: date,
              running: bool) -> Extension:
    """The working days ``spans`` (those covering the item) take from an item whose clock is
    ``base`` working days after ``event_on``; ``running``: the item is not filed yet."""
    if base < 0 or not spans:
        return NONE

    def span_on(day):
        return next((s for s in spans if s.holds(day, today)), None)

    lost = Counter()
    remaining, current = base, event_on
    if base == 0:
        first = span_on(event_on)
        if first is None:
            return NONE
        lost[first] += 1  # the due day itself was lost: due on the next day free of them
        remaining = 1
    while remaining:
        current += timedelta(days=1)
        if not calendar.is_working_day(current):
            continue
        span = span_on(current)
        if span is None:
            remaining -= 1
        else:
            lost[span] += 1
    due_day = current if base or lost else event_on
    # An open period that began by the due day still runs: the clock waits for its end.
    open_spans = [s for s in spans if s.ends_on is None and s.starts_on <= due_day]
    paused = running and bool(open_spans)
    if not lost and not paused:
        return NONE
    parts = [f"{s.label}（{n}个工作日）：{s.reason}"
             for s, n in sorted(lost.items(), key=lambda pair: pair[0].starts_on)]
    if paused:
        parts.append("期间尚未结束，暂停计时" + "".join(
            f"；{s.label}：{s.reason}" for s in open_spans if s not in lost))
    reason = "停机停工顺延：" + "；".join(parts)
    return Extension(days=sum(lost.values()), paused=paused, reason=reason[:300])
