"""Outage periods and late entries: every write, each in one audited service (issue 22).

The province declares, edits and closes a period (``outage_declare``, ``outage_update``,
``outage_close``). Each of them, under one lock, counts again the days lost by every deadline
item the period reaches, before and after the change (``items_extend``): the count starts from
the periods each time, so declaring twice, recomputing twice or overlapping periods never
extend an item twice. The organisations concerned are told when a period opens and closes.

A record entered after a period with its paper date goes through its own service (the stage's
``pipeline.services.candidacy_record``) with the paper form's number; that service asks
``late_entry_check`` (the one rule: a paper date inside a declared period covering the
organisation that owes it, not in the future) and leaves a ``LateEntry`` (``late_entry_record``)."""
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audit_log, audited, audited_within
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, ItemStatus
from apps.outages import rules
from apps.outages.models import LateEntry, OutageKind, OutagePeriod, OutageScope
from apps.workdays.calendar import WorkingCalendar

# Period writes take one transaction-scoped advisory lock: two declarations submitted at once
# are judged one after the other (the second is found a duplicate), and two recomputes never
# interleave.
LOCK_KEY = 22_0001
# How far back a period may be declared: the system's own downtime is declared afterwards,
# but not years later (and a mistyped year would recount every item since).
LOOKBACK_DAYS = 366
FIELDS = ("kind", "reason", "starts_on", "ends_on", "scope")


def _lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _province(actor):
    if getattr(actor, "role", None) != Role.PROVINCE:
        raise PermissionDenied("只有专项办可以登记停机停工期间。")


# --- the rules of a period (docs/TIME-RULES.md) --------------------------------------------

def period_problems(*, starts_on, ends_on, today=None) -> dict:
    """A period has happened: it starts today or earlier (within a year), and if it has
    ended, on a day not in the future and not before its start."""
    today = today or timezone.localdate()
    errors = {}
    if starts_on is None:
        errors["starts_on"] = "请填写开始日期。"
    elif starts_on > today:
        errors["starts_on"] = (f"开始日期（{starts_on:%Y-%m-%d}）不能晚于今天：期间在发生后登记，"
                               "计划维护请在开始当天登记。")
    elif starts_on < today - timedelta(days=LOOKBACK_DAYS):
        errors["starts_on"] = f"开始日期（{starts_on:%Y-%m-%d}）早于一年前，请核对年份。"
    if ends_on is not None:
        if ends_on > today:
            errors["ends_on"] = (f"结束日期（{ends_on:%Y-%m-%d}）不能晚于今天：尚未结束的期间请不填"
                                 "结束日期，结束后再登记结束。")
        elif starts_on is not None and ends_on < starts_on:
            errors["ends_on"] = (f"结束日期（{ends_on:%Y-%m-%d}）不能早于开始日期"
                                 f"（{starts_on:%Y-%m-%d}）。")
    return errors


def _clean(*, kind, reason, starts_on, ends_on, scope, cities, units, agencies) -> dict:
    errors = period_problems(starts_on=starts_on, ends_on=ends_on)
    if kind not in OutageKind.values:
        errors["kind"] = "请选择期间类型。"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写原因说明。"
    elif len(reason) > 200:
        errors["reason"] = "原因说明不能超过200个字。"
    cities, units, agencies = list(cities or ()), list(units or ()), list(agencies or ())
    if scope not in OutageScope.values:
        errors["scope"] = "请选择范围。"
    elif scope == OutageScope.CITIES and not cities:
        errors["cities"] = "范围为“部分地市”时，请选择至少一个地市。"
    elif scope == OutageScope.ORGS and not (units or agencies):
        errors["units"] = "范围为“部分组织单位或输出机构”时，请选择至少一个组织单位或输出机构。"
    if errors:
        raise ValidationError(errors)
    # Only the lists the scope uses are kept: a period of some cities names no unit.
    return {"kind": kind, "reason": reason, "starts_on": starts_on, "ends_on": ends_on,
            "scope": scope, "cities": cities if scope == OutageScope.CITIES else [],
            "units": units if scope == OutageScope.ORGS else [],
            "agencies": agencies if scope == OutageScope.ORGS else []}


def _ids(objs) -> set:
    return {getattr(o, "pk", o) for o in objs}


def _duplicate(values, exclude=None) -> OutagePeriod | None:
    """The same period declared again (a replayed or doubled form)."""
    qs = OutagePeriod.objects.filter(kind=values["kind"], starts_on=values["starts_on"],
                                     scope=values["scope"]).prefetch_related(
        "cities", "units", "agencies")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    for period in qs:
        if (_ids(period.cities.all()) == _ids(values["cities"])
                and _ids(period.units.all()) == _ids(values["units"])
                and _ids(period.agencies.all()) == _ids(values["agencies"])):
            return period
    return None


# --- counting the days lost ------------------------------------------------------------------

def _spans() -> list[rules.Span]:
    """Every declared period, as the arithmetic needs it (four queries)."""
    periods = list(OutagePeriod.objects.order_by("starts_on", "id"))
    if not periods:
        return []
    through = {name: OutagePeriod._meta.get_field(name).remote_field.through
               for name in ("cities", "units", "agencies")}
    linked = {name: {} for name in through}
    for name, model in through.items():
        column = {"cities": "city_id", "units": "organisingunit_id",
                  "agencies": "agency_id"}[name]
        for period_id, target in model.objects.values_list("outageperiod_id", column):
            linked[name].setdefault(period_id, set()).add(target)
    return [rules.Span(pk=p.pk, starts_on=p.starts_on, ends_on=p.ends_on,
                       label=f"{p.get_kind_display()} {p.span_label}", reason=p.reason,
                       scope=p.scope, cities=frozenset(linked["cities"].get(p.pk, ())),
                       units=frozenset(linked["units"].get(p.pk, ())),
                       agencies=frozenset(linked["agencies"].get(p.pk, ())))
            for p in periods]


def _owner(obj) -> dict:
    return {"owner_role": obj.owner_role, "city_id": obj.city_id, "unit_id": obj.unit_id,
            "agency_id": obj.agency_id}


COUNTED = Q(rule__in_hours=False, rule__offset__gte=0)
TOUCHED = Q(outage_days__gt=0) | Q(outage_paused=True) | ~Q(outage_reason="")


@audited_within
def items_extend(items, *, today=None) -> int:
    """Count again, from every declared period, the working days each item of ``items``
    loses, with the reason, and its due date from them; re-judge filed items against the
    new due time (on time / late). Idempotent: the result depends on the periods only."""
    today = today or timezone.localdate()
    spans = _spans()
    if spans:
        first = min(s.starts_on for s in spans)
        last = max(s.last_day(today) for s in spans)
        items = items.filter(COUNTED & (Q(event_on__lte=last, due_on__gte=first) | TOUCHED))
    else:
        items = items.filter(TOUCHED)  # periods gone: what they left is taken back
    rows = list(items.select_related("rule"))
    if not rows:
        return 0
    base = {row.pk: row.rule.offset + row.extension_days for row in rows}
    span_end = max([s.last_day(today) for s in spans] + [r.event_on for r in rows] + [today])
    margin = max(base.values()) * 2 + 30
    calendar = WorkingCalendar(min(r.event_on for r in rows) - timedelta(days=1),
                               span_end + timedelta(days=margin))
    changed = []
    for row in rows:
        covering = [s for s in spans if s.covers(**_owner(row))]
        ext = rules.extension(calendar, event_on=row.event_on, base=base[row.pk],
                              spans=covering, today=today, running=row.status in OPEN_ITEM)
        if (ext.days, ext.paused, ext.reason) == (row.outage_days, row.outage_paused,
                                                  row.outage_reason):
            continue
        due = calendar.add(row.event_on, base[row.pk] + ext.days)
        row.outage_days, row.outage_paused, row.outage_reason = ext.days, ext.paused, ext.reason
        row.due_on, row.due_at, row.provisional = due.day, due.ends_at, due.provisional
        if row.status in (ItemStatus.DONE, ItemStatus.DONE_LATE) and row.done_at:
            row.status = ItemStatus.DONE if row.done_at <= row.due_at else ItemStatus.DONE_LATE
        changed.append(row)
    DeadlineItem.objects.bulk_update(changed, ["outage_days", "outage_paused", "outage_reason",
                                               "due_on", "due_at", "provisional", "status"])
    return len(changed)


def extended_due(event_on: date, offset: int, owner: dict, today=None):
    """The due day of a duty ``offset`` working days after ``event_on`` owed by ``owner``,
    with the days the periods covering it took (the same arithmetic as the items'), and the
    extension (its reason). Used where a due day is computed without an item (a claim)."""
    today = today or timezone.localdate()
    spans = [s for s in _spans() if s.covers(**owner)]
    last = max([s.last_day(today) for s in spans] + [event_on, today])
    margin = timedelta(days=abs(offset) * 2 + 30)
    calendar = WorkingCalendar(event_on - margin, last + margin)
    ext = rules.extension(calendar, event_on=event_on, base=offset, spans=spans, today=today,
                          running=False)
    return calendar.add(event_on, offset + ext.days), ext


def _reach(period: OutagePeriod, today=None) -> Q:
    """Items a period can move: owed by an organisation it covers, with a window (event to
    due day) that meets it."""
    last = period.ends_on or (today or timezone.localdate())
    where = Q(event_on__lte=last, due_on__gte=period.starts_on)
    if period.scope == OutageScope.CITIES:
        where &= Q(city__in=list(period.cities.values_list("pk", flat=True)))
    elif period.scope == OutageScope.ORGS:
        where &= (Q(owner_role=Role.UNIT, unit__in=list(period.units.values_list("pk", flat=True)))
                  | Q(owner_role=Role.AGENCY,
                      agency__in=list(period.agencies.values_list("pk", flat=True))))
    return where


# --- notices ---------------------------------------------------------------------------------

def _concerned(period) -> list[dict]:
    """The organisations a period stopped: notify()'s arguments for each."""
    from apps.orgs.models import Agency, City, FilingStatus, OrganisingUnit
    approved = Q(filing_status=FilingStatus.APPROVED)
    if period.scope == OutageScope.ALL:
        cities = City.objects.all()
        units = OrganisingUnit.objects.filter(approved)
        agencies = Agency.objects.filter(approved)
    elif period.scope == OutageScope.CITIES:
        cities = period.cities.all()
        units = OrganisingUnit.objects.filter(approved, city__in=cities)
        agencies = Agency.objects.none()
    else:
        cities = City.objects.none()
        units, agencies = period.units.all(), period.agencies.all()
    return ([{"role": Role.CITY, "city_id": pk} for pk in cities.values_list("pk", flat=True)]
            + [{"role": Role.UNIT, "unit_id": pk, "city_id": city}
               for pk, city in units.values_list("pk", "city_id")]
            + [{"role": Role.AGENCY, "agency_id": pk}
               for pk in agencies.values_list("pk", flat=True)])


def _tell(period, text: str) -> int:
    from apps.deadlines.services import notify
    link = reverse("deadlines:my_items")
    recipients = _concerned(period)
    for recipient in recipients:
        notify(text=text, link=link, **recipient)
    return len(recipients)


def _opened_text(period) -> str:
    return (f"专项办登记了{period.get_kind_display()}期间（{period.span_label}）：{period.reason}。"
            "期间内的工作日不计入报送期限，相关待办已顺延或暂停计时；期间内以纸质方式办理的事项，"
            "请在恢复后按纸质记录的实际日期补录，并填写纸质表单编号。")


def _closed_text(period) -> str:
    return (f"{period.get_kind_display()}期间已结束（{period.span_label}）：{period.reason}。"
            "相关待办的截止日期已按期间内损失的工作日重新计算，请查看“我的待办”并补录纸质记录。")


# --- the services ----------------------------------------------------------------------------

def _recount(*wheres) -> int:
    where = Q(pk__in=[])
    for w in wheres:
        where |= w
    return items_extend(DeadlineItem.objects.filter(where))


@audited(AuditAction.OUTAGE, "登记停机停工期间")
def outage_declare(*, actor, kind, reason, starts_on, ends_on=None, scope, cities=(),
                   units=(), agencies=()) -> OutagePeriod:
    """The province declares a period, possibly afterwards (a start in the past), open (no
    end) or already over. The items it reaches are extended, or paused while it is open; the
    organisations it stopped are told."""
    _province(actor)
    values = _clean(kind=kind, reason=reason, starts_on=starts_on, ends_on=ends_on,
                    scope=scope, cities=cities, units=units, agencies=agencies)
    _lock()
    same = _duplicate(values)
    if same is not None:
        raise ValidationError({"starts_on": f"已登记过相同的期间（{same}），请勿重复登记；"
                                            "如需更正，请修改原期间。"})
    lists = {name: values.pop(name) for name in ("cities", "units", "agencies")}
    period = OutagePeriod.objects.create(
        declared_by=actor, closed_by=actor if values["ends_on"] else None,
        closed_at=timezone.now() if values["ends_on"] else None, **values)
    for name, objs in lists.items():
        getattr(period, name).set(objs)
    _recount(_reach(period))
    text = _opened_text(period)
    if period.ends_on:
        text += f"该期间已于{period.ends_on:%Y-%m-%d}结束。"
    _tell(period, text)
    return period


def _locked(period) -> OutagePeriod:
    return OutagePeriod.objects.select_for_update().get(pk=period.pk)


@audited(AuditAction.OUTAGE, "修改停机停工期间")
def outage_update(period, *, actor, kind, reason, starts_on, ends_on, scope, cities=(),
                  units=(), agencies=()) -> OutagePeriod:
    """Correct a period (its dates, scope or reason): the items it reached before and those it
    reaches now are counted again, so a narrowed period gives back what it no longer covers."""
    _province(actor)
    values = _clean(kind=kind, reason=reason, starts_on=starts_on, ends_on=ends_on,
                    scope=scope, cities=cities, units=units, agencies=agencies)
    _lock()
    p = _locked(period)
    same = _duplicate(values, exclude=p)
    if same is not None:
        raise ValidationError({"starts_on": f"与已登记的期间（{same}）相同，请勿重复登记。"})
    before = _reach(p)
    was_open = p.is_open
    lists = {name: values.pop(name) for name in ("cities", "units", "agencies")}
    for name, value in values.items():
        setattr(p, name, value)
    p.updated_by = actor
    changed = [*FIELDS, "updated_by", "updated_at"]
    if was_open and p.ends_on:
        p.closed_by, p.closed_at = actor, timezone.now()
        changed += ["closed_by", "closed_at"]
    elif p.ends_on is None:
        p.closed_by, p.closed_at = None, None
        changed += ["closed_by", "closed_at"]
    p.save(update_fields=changed)
    for name, objs in lists.items():
        getattr(p, name).set(objs)
    _recount(before, _reach(p))
    if was_open and p.ends_on:
        _tell(p, _closed_text(p))
    return p


@audited(AuditAction.OUTAGE, "结束停机停工期间")
def outage_close(period, *, actor, ends_on: date) -> OutagePeriod:
    """The period is over: its paused items get the working days it took, and the
    organisations it stopped are told."""
    _province(actor)
    _lock()
    p = _locked(period)
    if not p.is_open:
        raise ValidationError({"ends_on": f"该期间已于{p.ends_on:%Y-%m-%d}结束，如需更正请修改期间。"})
    errors = period_problems(starts_on=p.starts_on, ends_on=ends_on)
    if ends_on is None:
        errors["ends_on"] = "请填写结束日期。"
    if errors:
        raise ValidationError(errors)
    before = _reach(p)
    p.ends_on, p.closed_by, p.closed_at = ends_on, actor, timezone.now()
    p.save(update_fields=["ends_on", "closed_by", "closed_at", "updated_at"])
    _recount(before, _reach(p))
    _tell(p, _closed_text(p))
    return p


@audited(AuditAction.OUTAGE, "核对停机停工期间涉及的待办", unless=lambda n: not n)
def outages_recount() -> int:
    """Daily (beat): count again every item the periods reach. An open period pauses the
    items whose clock reaches it as days pass (a session held today), and items opened by
    paths that do not count outages at once (a complaint's, a follow-up's) get their days.
    Safe to run twice: the second run changes nothing."""
    return items_extend(DeadlineItem.objects.all())


# --- late entry (补录) -------------------------------------------------------------------------

FORM_NO_MAX = 50


def late_entry_check(*, on: date, form_no: str, owner: dict, field="happened_on",
                     today=None) -> tuple[OutagePeriod, str]:
    """The one rule of a late entry: a paper form number; a paper date not in the future and
    inside a declared period covering the organisation that owes the record. Returns the
    period and the cleaned number."""
    today = today or timezone.localdate()
    form_no = (form_no or "").strip()
    if not form_no:
        raise ValidationError({"paper_form_no": "补录须填写纸质表单编号。"})
    if len(form_no) > FORM_NO_MAX:
        raise ValidationError({"paper_form_no": f"纸质表单编号不能超过{FORM_NO_MAX}个字符。"})
    if on is None or on > today:
        raise ValidationError({field: "补录的纸质记录日期不能晚于今天。"})
    for span in _spans():
        if span.holds(on, today) and span.covers(**owner):
            return OutagePeriod.objects.get(pk=span.pk), form_no
    raise ValidationError({field: f"纸质记录日期（{on:%Y-%m-%d}）不在已登记的、涉及本单位的停机停工"
                                  "期间内：只有期间内以纸质方式办理的事项可以补录，其他记录请正常录入"
                                  "（按实际录入时间判断是否逾期）。"})


def paper_filed_at(on: date):
    """A paper record counts as filed at the end of its day (Beijing time)."""
    from apps.workdays.calendar import Due
    return Due(on, False).ends_at


@audited_within
def late_entry_record(*, period, subject, kind, paper_on, form_no, actor, summary, owner: dict,
                      on_time: bool, due_on=None, link="") -> LateEntry:
    """The 补录 row the province reviews: who, when, the paper date and number, and whether
    the record counted on time against the extended window (due day ``due_on``)."""
    entry = LateEntry.objects.create(
        period=period, kind=kind, subject=subject, summary=summary[:200], link=link,
        paper_on=paper_on, form_no=form_no, on_time=on_time, due_on=due_on,
        city_id=owner.get("city_id"), unit_id=owner.get("unit_id"),
        agency_id=owner.get("agency_id"), entered_by=actor)
    audit_log(actor, AuditAction.LATE_ENTRY, entry,
              detail=f"补录：{entry.summary}，纸质记录日期 {paper_on:%Y-%m-%d}，表单编号 {form_no}"
                     f"（{period}），{'按时' if on_time else '逾期'}")
    return entry
