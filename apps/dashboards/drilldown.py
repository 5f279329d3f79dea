"""From a dashboard figure to the records behind it (issue 17, item 3).

Every count on the dashboard is a quantity (``selectors.Table``: its column's key merged with
its row's). ``FigureQuery`` turns that quantity into a filter of the candidacy list that
selects exactly the candidacies it counts, by the same definitions as the figures' SELECTs
(``services.COUNTS``): a stage event of the year (EventFigure), the stage events of the year's
registrants (CohortFigure), the departures of the year (DepartureFigure, ProjectFigure), the
withdrawals of the year (WithdrawalFigure). One event per candidacy and stage (the
``stage_event_once`` constraint), so counting candidacies is counting events. The list reads
through ``visible`` as always: a link never shows more than its user may see."""
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Optional
from urllib.parse import quote_plus

from django.db.models import Q
from django.urls import get_script_prefix, reverse

from apps.pipeline.models import CandidacyStatus, Result, Stage
from apps.registry.models import PovertyStatus

# Results that carry a person on to the next stage (or are the stage itself).
ONWARD = [Result.REGISTERED, Result.PASS, Result.SIGNED, Result.DEPARTED, Result.RETURNED]
DROPPED = [r for r in Result.values if r not in ONWARD]
PREFIX = "f_"

SOURCES = {"event": "本年发生", "cohort": "本年报名人员", "departure": "本年输出",
           "withdrawal": "本年中途退出"}
OUTCOMES = {"reached": "参加", "onward": "通过", "dropped": "未通过/未参加"}
# Row keys of the departure tables (``selectors._departures_by``): the row's label names the
# dimension, its value is the figure's own column.
DEPARTURE_KEYS = {"输出国": "country", "输出工种": "trade", "输出机构": "agency_name",
                  "输出月份": "month"}


@dataclass(frozen=True)
class FigureQuery:
    year: int
    source: str = "event"
    stage: str = ""
    outcome: str = ""
    city: Optional[int] = None
    unit: Optional[int] = None
    agency: Optional[int] = None
    agency_name: str = ""
    country: Optional[str] = None    # exact, "" for 未填 (the figure's own column)
    trade: Optional[str] = None
    month: Optional[date] = None
    poverty: Optional[str] = None
    project: Optional[int] = None

    # --- from a dashboard cell ---------------------------------------------------------------

    @classmethod
    def for_quantity(cls, year, quantity: dict, page: dict) -> Optional["FigureQuery"]:
        """The records behind a cell whose quantity is ``quantity`` on a page filtered by
        ``page`` (city, unit, agency, country); None for a cell that is not a count of them."""
        measure = quantity.get("measure")
        stage = quantity.get("stage", "")
        where = {k: page[k] for k in ("city", "unit", "agency") if page.get(k)}
        for key in ("city", "unit"):
            if quantity.get(key) not in (None, "*"):
                where[key] = quantity[key]
        if "poverty" in quantity:
            where["poverty"] = quantity["poverty"]
        if "project" in quantity:  # ProjectFigure: departures of the year by project
            where["project"] = quantity["project"]
        departure_rows = {DEPARTURE_KEYS[k]: v for k, v in quantity.items()
                          if k in DEPARTURE_KEYS}
        if departure_rows.get("agency_name", "") is None:
            return None  # departures of no agency: no list filter names them
        if measure == "onward" and stage == Stage.DEPARTURE and (
                departure_rows or {"poverty", "project"} & set(quantity)
                or page.get("country")):
            # The departure tables count DepartureFigure: the candidacy's departure date.
            if page.get("country") and "country" not in departure_rows:
                departure_rows["country"] = page["country"]
            return cls(year=year, source="departure", **where, **departure_rows)
        if page.get("country"):
            return None  # the other figures have no country: the page says so
        if measure in OUTCOMES:
            return cls(year=year, source="event", stage=stage, outcome=measure, **where)
        if measure in {f"cohort_{o}" for o in OUTCOMES}:
            return cls(year=year, source="cohort", stage=stage,
                       outcome=measure.removeprefix("cohort_"), **where)
        if measure == "withdrawn":
            return cls(year=year, source="withdrawal", stage=stage, **where)
        return None

    # --- in a URL ------------------------------------------------------------------------------

    def params(self) -> dict:
        out = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if value is None or (value == "" and name not in ("country", "trade", "poverty")):
                continue
            out[PREFIX + name] = value.isoformat() if isinstance(value, date) else value
        return out

    def url(self) -> str:
        return _url(self, get_script_prefix())

    @classmethod
    def from_params(cls, data) -> Optional["FigureQuery"]:
        """The query a drill-down link carries, or None (absent or malformed: a link is never
        half-read into a wider list)."""
        if PREFIX + "year" not in data:
            return None
        values = {}
        try:
            for f in fields(cls):
                raw = data.get(PREFIX + f.name)
                if raw is None:
                    continue
                if f.name in ("year", "city", "unit", "agency", "project"):
                    values[f.name] = int(raw)
                elif f.name == "month":
                    values[f.name] = date.fromisoformat(raw)
                else:
                    values[f.name] = str(raw)[:100]
        except ValueError:
            return None
        query = cls(**values)
        valid = (2000 <= query.year <= 2100 and query.source in SOURCES
                 and (not query.stage or query.stage in Stage.values)
                 and (not query.outcome or query.outcome in OUTCOMES)
                 and (query.poverty is None or query.poverty in PovertyStatus.values))
        return query if valid else None

    # --- on the records --------------------------------------------------------------------------

    def apply(self, qs):
        """Candidacies counted by the figure (the same definitions as ``services.COUNTS``)."""
        # Positive sets, so that the result is the same event's as the stage and the year.
        outcome = {"onward": Q(events__result__in=ONWARD),
                   "dropped": Q(events__result__in=DROPPED)}.get(self.outcome, Q())
        if self.source == "event":
            qs = qs.filter(Q(events__stage=self.stage, events__happened_on__year=self.year)
                           & outcome)
        elif self.source == "cohort":
            qs = qs.filter(events__stage=Stage.REGISTERED,
                           events__happened_on__year=self.year).filter(
                Q(events__stage=self.stage) & outcome)
        elif self.source == "departure":
            qs = qs.filter(departed_on__year=self.year)
            if self.month:
                qs = qs.filter(departed_on__year=self.month.year,
                               departed_on__month=self.month.month)
            if self.country is not None:
                qs = qs.filter(country=self.country)
            if self.trade is not None:
                qs = qs.filter(departure_trade=self.trade)
        elif self.source == "withdrawal":
            qs = qs.filter(status=CandidacyStatus.WITHDRAWN, ended_on__year=self.year,
                           stage=self.stage)
        for name in ("city", "unit", "agency", "project"):
            if getattr(self, name):
                qs = qs.filter(**{name: getattr(self, name)})
        if self.agency_name:
            qs = qs.filter(agency__name=self.agency_name)
        if self.poverty is not None:
            qs = qs.filter(person__poverty_status=self.poverty)
        return qs

    def label(self, names: dict) -> str:
        """What the list shows, in words: ``names`` maps (kind, pk) to a name."""
        parts = [f"{self.year}年{SOURCES[self.source]}"]
        if self.stage:
            parts.append(Stage(self.stage).label)
        if self.outcome:
            parts.append(OUTCOMES[self.outcome])
        for kind in ("city", "unit", "agency", "project"):
            if getattr(self, kind):
                parts.append(names.get((kind, getattr(self, kind)), ""))
        if self.agency_name:
            parts.append(self.agency_name)
        for value in (self.country, self.trade):
            if value is not None:
                parts.append(value or "（未填）")
        if self.month:
            parts.append(f"{self.month:%Y-%m}")
        if self.poverty is not None:
            parts.append(dict(PovertyStatus.choices).get(self.poverty) or "其他人员")
        return " · ".join(p for p in parts if p)


_FIELD_NAMES = tuple(f.name for f in fields(FigureQuery))


# A province dashboard carries about 2,800 links, the same on every view until a figure
# changes: each query's address is a pure function of it (and of the site's prefix), kept
# once worked out; the quoted keys and values (stages, outcomes, ids) repeat across queries.
@lru_cache(maxsize=50_000)
def _url(query: FigureQuery, script_prefix: str) -> str:
    return reverse("pipeline:candidacy_list") + "?" + "&".join(
        f"{_quoted(key)}={_quoted(str(value))}" for key, value in query.params().items())


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)
