"""Owed items: opened when an event is scheduled or happens, closed when the record is filed."""
from collections import defaultdict

from django.db import connection, models, transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audited, audited_within, not_audited
from apps.accounts.models import Role
from apps.deadlines.models import (
    OPEN_ITEM, DeadlineItem, DeadlineRule, ItemStatus, Notice, NoticeKind, soon_until,
)
from apps.pipeline.models import Stage
from apps.workdays.calendar import Due, WorkingCalendar, add_working_days

STAGE_RULE = "stage_data"
# Who files which stage's data (SPEC §4): the agency for contract, departure and return.
AGENCY_STAGES = {Stage.CONTRACT, Stage.DEPARTURE, Stage.RETURN}


def stage_owner(candidacy, stage) -> dict:
    """Who owes a stage's data (and whose outage periods stop its clock)."""
    if stage in AGENCY_STAGES:
        return {"owner_role": Role.AGENCY, "agency_id": candidacy.agency_id,
                "city_id": candidacy.city_id, "unit_id": candidacy.unit_id}
    return {"owner_role": Role.UNIT if candidacy.unit_id else Role.CITY,
            "unit_id": candidacy.unit_id, "city_id": candidacy.city_id,
            "agency_id": candidacy.agency_id}


def _due(rule: DeadlineRule, event_on) -> Due:
    return add_working_days(event_on, rule.offset)


def _outages_counted(item: DeadlineItem) -> DeadlineItem:
    """A new item whose window reaches a declared outage period is extended (or paused)
    at once: a stage entered late (补录) is judged against the extended window."""
    from apps.outages.services import items_extend
    if items_extend(DeadlineItem.objects.filter(pk=item.pk)):
        item.refresh_from_db()
    return item


@audited_within
def stage_item_open(candidacy, stage, event_on) -> DeadlineItem:
    """A stage is scheduled (a session's date): its data is owed 5 working days after."""
    rule = DeadlineRule.objects.get(code=STAGE_RULE)
    due = _due(rule, event_on)
    item, created = DeadlineItem.objects.get_or_create(
        rule=rule, candidacy=candidacy, stage=stage,
        defaults={"event_on": event_on, "due_on": due.day, "due_at": due.ends_at,
                  "provisional": due.provisional, **stage_owner(candidacy, stage)})
    return _outages_counted(item) if created else item


@audited_within
def stage_item_close(candidacy, stage, happened_on, filed_at=None) -> DeadlineItem:
    """The stage's data is filed: on time or late. A stage nobody scheduled still counts
    for timeliness, from the day it happened."""
    filed_at = filed_at or timezone.now()
    item = stage_item_open(candidacy, stage, happened_on)
    DeadlineItem.objects.filter(pk=item.pk, status__in=OPEN_ITEM).update(
        status=ItemStatus.DONE if filed_at <= item.due_at else ItemStatus.DONE_LATE,
        done_at=filed_at)
    item.refresh_from_db()
    return item


# A class owes its roster before it opens and its information after it ends (SPEC §7).
CLASS_RULES = {"intensive": {"roster": ("class_roster", "opens_on"),
                             "info": ("class_info", "ends_on")},
               "standing": {"roster": ("standing_roster", "opens_on"),
                            "info": ("standing_info", "ends_on")}}


@audited_within
def class_items_open(training_class) -> list[DeadlineItem]:
    """A class is planned: its roster and its information are owed from its dates. Called
    again after the dates change, it moves the open items to the new dates."""
    items = []
    for code, date_field in CLASS_RULES[training_class.kind].values():
        rule = DeadlineRule.objects.get(code=code)
        event_on = getattr(training_class, date_field)
        due = _due(rule, event_on)
        values = {"event_on": event_on, "due_on": due.day, "due_at": due.ends_at,
                  "provisional": due.provisional}
        item, created = DeadlineItem.objects.get_or_create(
            rule=rule, training_class=training_class,
            defaults={**values, "owner_role": Role.UNIT, "unit_id": training_class.unit_id,
                      "city_id": training_class.city_id,
                      "agency_id": training_class.agency_id})
        if not created and item.status in OPEN_ITEM and item.event_on != event_on:
            DeadlineItem.objects.filter(pk=item.pk).update(**values, status=ItemStatus.OPEN)
            item.refresh_from_db()
            created = True  # a moved window is counted against the outages again
        items.append(_outages_counted(item) if created else item)
    return items


@audited_within
def class_item_close(training_class, which: str, filed_at=None) -> DeadlineItem:
    """The class's roster ("roster") or information ("info") is filed: on time or late."""
    filed_at = filed_at or timezone.now()
    code, _ = CLASS_RULES[training_class.kind][which]
    # Opened first, as stage items are: a filing always has its item to count.
    item = next(i for i in class_items_open(training_class) if i.rule.code == code)
    DeadlineItem.objects.filter(pk=item.pk, status__in=OPEN_ITEM).update(
        status=ItemStatus.DONE if filed_at <= item.due_at else ItemStatus.DONE_LATE,
        done_at=filed_at)
    item.refresh_from_db()
    return item


CLAIM_RULE = "claim"
BUDGET_RULE = "budget"


@audited_within
def claim_item_open(candidacy, departed_on) -> DeadlineItem | None:
    """A unit's person departed: its 附件8 claim is owed within 10 working days after."""
    if not candidacy.unit_id:
        return None
    rule = DeadlineRule.objects.get(code=CLAIM_RULE)
    due = _due(rule, departed_on)
    item, created = DeadlineItem.objects.get_or_create(
        rule=rule, candidacy=candidacy, stage=Stage.DEPARTURE,
        defaults={"event_on": departed_on, "due_on": due.day, "due_at": due.ends_at,
                  "provisional": due.provisional, "owner_role": Role.UNIT,
                  "unit_id": candidacy.unit_id, "city_id": candidacy.city_id,
                  "agency_id": candidacy.agency_id})
    return _outages_counted(item) if created else item


@audited_within
def claim_items_close(candidacies, filed_at=None) -> int:
    """The departure claim naming these candidacies is submitted."""
    return _close(DeadlineItem.objects.filter(rule__code=CLAIM_RULE, candidacy__in=candidacies),
                  filed_at)


def _close(items, filed_at=None) -> int:
    from django.db.models import Case, Value, When
    filed_at = filed_at or timezone.now()
    return items.filter(status__in=OPEN_ITEM).update(
        status=Case(When(due_at__gte=filed_at, then=Value(ItemStatus.DONE)),
                    default=Value(ItemStatus.DONE_LATE)), done_at=filed_at)


def budget_event(year):
    """Next year's budget is due by 31 May of the year before."""
    from datetime import date
    return date(year - 1, 5, 31)


@audited(AuditAction.DEADLINE, "生成年度预算待办", unless=lambda n: not n)
def budget_items_open(year) -> int:
    """Every city and approved unit owes its ``year`` budget: safe to run again and again."""
    from apps.orgs.models import City, FilingStatus, OrganisingUnit
    rule = DeadlineRule.objects.get(code=BUDGET_RULE)
    event_on = budget_event(year)
    due = _due(rule, event_on)
    common = {"rule": rule, "event_on": event_on, "due_on": due.day, "due_at": due.ends_at,
              "provisional": due.provisional}
    items = [DeadlineItem(owner_role=Role.CITY, city_id=pk, **common)
             for pk in City.objects.values_list("pk", flat=True)]
    items += [DeadlineItem(owner_role=Role.UNIT, city_id=city, unit_id=pk, **common)
              for pk, city in OrganisingUnit.objects.filter(filing_status=FilingStatus.APPROVED)
              .values_list("pk", "city_id")]
    before = DeadlineItem.objects.filter(rule=rule, event_on=event_on).count()
    DeadlineItem.objects.bulk_create(items, ignore_conflicts=True)
    return DeadlineItem.objects.filter(rule=rule, event_on=event_on).count() - before


@audited_within
def budget_item_close(year, *, city_id, unit_id=None) -> int:
    items = DeadlineItem.objects.filter(
        rule__code=BUDGET_RULE, event_on=budget_event(year), city_id=city_id, unit_id=unit_id,
        owner_role=Role.UNIT if unit_id else Role.CITY)
    return _close(items)


@audited_within
@transaction.atomic
def recompute_due(*, rule=None, provisional_only=False) -> int:
    """Recompute open items' due dates after a rule or the calendar changed: one calendar
    load, one UPDATE per distinct (rule, event date). The days lost to outage periods are
    then counted again on the new calendar (apps.outages)."""
    items = DeadlineItem.objects.filter(status__in=OPEN_ITEM, rule__in_hours=False)
    if rule is not None:
        items = items.filter(rule=rule)
    if provisional_only:
        items = items.filter(provisional=True)
    pairs = defaultdict(int)
    for key in items.values_list("rule_id", "rule__offset", "extension_days", "outage_days",
                                 "event_on").distinct():
        pairs[key] += 1
    if not pairs:
        return 0
    days = [p[4] for p in pairs]
    span = max(abs(p[1]) + abs(p[2]) + abs(p[3]) for p in pairs) * 2 + 20
    from datetime import timedelta
    calendar = WorkingCalendar(min(days) - timedelta(days=span), max(days) + timedelta(days=span))
    changed = 0
    for rule_id, offset, extension, outage, event_on in pairs:
        due = calendar.add(event_on, offset + extension + outage)
        changed += items.filter(rule_id=rule_id, event_on=event_on, extension_days=extension,
                                outage_days=outage).update(
            due_on=due.day, due_at=due.ends_at, provisional=due.provisional)
    from apps.outages.services import items_extend
    items_extend(items)
    return changed


@audited(AuditAction.DEADLINE, "修改期限规则")
def rule_set_offset(rule: DeadlineRule, *, offset: int, actor) -> DeadlineRule:
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    rule.offset, rule.updated_by = offset, actor
    rule.save(update_fields=["offset", "updated_by", "updated_at"])
    recompute_due(rule=rule)
    return rule


# The scan and the e-mails act for the system on every organisation's items; what a user sees
# of them (待办, timeliness) goes through accounts.scoping. The scan changes no item: an item's
# state is read from its due time (models.state_expression), the scan only notices it.
@audited(AuditAction.DEADLINE, "发出到期提醒", unless=lambda r: not r["notices"])
def deadlines_scan(now=None) -> dict:
    """Notice each open item once when it is due soon and once when it is overdue: two
    set-based statements. Running it twice notices nothing the second time; two workers at
    once are safe (the notices' unique constraint decides)."""
    now = now or timezone.now()
    item, notice = DeadlineItem._meta.db_table, Notice._meta.db_table
    sql = f"""
        WITH noticed AS (
            INSERT INTO {notice} (item_id, kind, created_at)
            SELECT i.id, %s, %s FROM {item} i
            WHERE i.status = 'open' AND i.paused_since IS NULL AND NOT i.outage_paused
              AND {{where}}
              AND NOT EXISTS (SELECT 1 FROM {notice} n WHERE n.item_id = i.id AND n.kind = %s)
            ON CONFLICT (item_id, kind) DO NOTHING RETURNING 1
        )
        SELECT count(*) FROM noticed"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(where="i.due_at < %s"), ["overdue", now, now, "overdue"])
        overdue = cursor.fetchone()[0]
        # An item first seen after its due time gets only the overdue notice.
        cursor.execute(sql.format(where="i.due_on <= %s AND i.due_at >= %s"),
                       ["due_soon", now, soon_until(now), now, "due_soon"])
        due_soon = cursor.fetchone()[0]
    return {"overdue": overdue, "due_soon": due_soon, "notices": overdue + due_soon}


@audited_within
def notify(*, role: str, text: str, link: str = "", city_id=None, unit_id=None,
           agency_id=None) -> Notice:
    """Tell one organisation (``role`` and its own id; the province needs none) that something
    happened: it lands in their 我的待办 提醒 and is e-mailed by the next notices run."""
    where = {Role.CITY: city_id, Role.UNIT: unit_id, Role.AGENCY: agency_id}
    if role not in (Role.PROVINCE, *where) or (role != Role.PROVINCE and not where[role]):
        raise ValueError(f"notify: no recipient for role {role!r}")
    return Notice.objects.create(
        kind=NoticeKind.EVENT, owner_role=role, text=text[:300], link=link,
        city_id=city_id, unit_id=unit_id, agency_id=agency_id)


def _recipients(owner_role, *, city_id, unit_id, agency_id) -> list[str]:
    from apps.accounts.models import User
    where = {Role.UNIT: {"unit": unit_id}, Role.AGENCY: {"agency": agency_id},
             Role.CITY: {"city": city_id}, Role.PROVINCE: {}}[owner_role]
    return list(User.objects.filter(is_active=True, role=owner_role, **where).exclude(email="")
                .values_list("email", flat=True))


@not_audited("marks notices as e-mailed: the system's own delivery, no record changes")
def notices_email(limit: int = 500) -> int:
    """E-mail new notices to the owing organisation's users, once each. Rows are locked with
    SKIP LOCKED, so two workers never send the same notice; a failed send rolls back and is
    tried again on the next run."""
    from django.core.mail import send_mail

    sent = 0
    with transaction.atomic():
        notices = list(Notice.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(emailed_at__isnull=True)
                       .select_related("item__rule", "item__candidacy__person",
                                       "item__training_class")[:limit])
        for notice in notices:
            item = notice.item
            if item is None:
                recipients = _recipients(notice.owner_role, city_id=notice.city_id,
                                         unit_id=notice.unit_id, agency_id=notice.agency_id)
                if recipients:
                    send_mail(subject=f"【对外劳务输出】通知：{notice.text[:40]}",
                              message=f"{notice.text}\n请登录系统“我的待办”查看。",
                              from_email=None, recipient_list=recipients)
                    sent += 1
            elif recipients := _recipients(item.owner_role, city_id=item.city_id,
                                           unit_id=item.unit_id, agency_id=item.agency_id):
                who = (f"（{item.candidacy.person.name}）" if item.candidacy_id else
                       f"（{item.training_class.name}）" if item.training_class_id else
                       f"（{item.subject}）" if item.subject_id else "")
                send_mail(
                    subject=f"【对外劳务输出】{notice.get_kind_display()}：{item.rule.name}",
                    message=(f"{item.rule.name}{who}的报送截止日期为 {item.due_on:%Y年%m月%d日}"
                             f"{'（暂定）' if item.provisional else ''}，当前状态：{notice.get_kind_display()}。"
                             "请登录系统“我的待办”处理。"),
                    from_email=None, recipient_list=recipients)
                sent += 1
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
    return sent


def timeliness(items, by: str) -> list[dict]:
    """On time / late / missing / pending per group, from the items the user may see."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    key = {"city": "city__name", "unit": "unit__name", "agency": "agency__name",
           "rule": "rule__name", "month": "month"}[by]
    qs = items.with_state()
    qs = qs.annotate(month=TruncMonth("due_on")) if by == "month" else qs
    rows = (qs.values(key).annotate(
        on_time=Count("pk", filter=Q(current_state=ItemStatus.DONE)),
        late=Count("pk", filter=Q(current_state=ItemStatus.DONE_LATE)),
        missing=Count("pk", filter=Q(current_state=ItemStatus.OVERDUE)),
        pending=Count("pk", filter=Q(current_state__in=[ItemStatus.OPEN, ItemStatus.DUE_SOON,
                                                        ItemStatus.PAUSED])),
    ).order_by(key))
    out = []
    for row in rows:
        label = row[key]
        if by == "month" and label:
            label = f"{label:%Y年%m月}"
        due = row["on_time"] + row["late"] + row["missing"]
        out.append({**row, "label": label or "（未指定）", "due": due,
                    "rate": round(100 * row["on_time"] / due) if due else None})
    return out


# --- Issue 19: before and after a contract ends ----------------------------------------------
# Items whose subject is the candidacy abroad, keyed by stage: the two reminders before the
# contract ends, and the return owed from its end.
RETURN_ITEMS = {"return_guide": "contract-end-3m", "return_call": "contract-end-2w",
                "return_record": "return"}
PREP_STEPS = {"3m": "return_guide", "2w": "return_call"}
# A reminder joins 我的待办 this many days before its day (and may be marked done from then);
# the return joins it on the contract's end. Never years ahead: 我的待办 is what is owed now.
OPEN_AHEAD_DAYS = 30
# Wide enough for the earliest reminder (60 working days, a Spring Festival inside) plus the
# days ahead: the daily check looks at contracts ending within this many days.
ENSURE_HORIZON_DAYS = 150


def candidacy_items(candidacy):
    from django.contrib.contenttypes.models import ContentType
    return DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(candidacy)), subject_id=candidacy.pk)


def _opens_on(code, end, due):
    from datetime import timedelta
    return end if code == "return_record" else due.day - timedelta(days=OPEN_AHEAD_DAYS)


@audited_within
def return_items_open(candidacy, today=None) -> list[DeadlineItem]:
    """The items of a contract's end whose time has come: the agency is reminded about three
    months and two weeks before the end (each due that day, joining 我的待办 a month ahead and
    noticed by the scan as it comes near), and the return is owed from the end. A changed end
    moves the open items; an unknown end opens nothing. Safe to call again and again."""
    from django.contrib.contenttypes.models import ContentType
    end = candidacy.contract_ends_on
    if end is None:
        return []
    today = today or timezone.localdate()
    subject = ContentType.objects.get_for_model(type(candidacy))
    have = {i.rule.code: i for i in candidacy_items(candidacy).select_related("rule")}
    items = []
    for code, stage in RETURN_ITEMS.items():
        rule = DeadlineRule.objects.get(code=code)
        due = _due(rule, end)
        values = {"event_on": end, "due_on": due.day, "due_at": due.ends_at,
                  "provisional": due.provisional}
        item = have.get(code)
        if item is not None:
            if item.status in OPEN_ITEM and item.event_on != end:
                DeadlineItem.objects.filter(pk=item.pk).update(**values)
                item.refresh_from_db()
        elif today >= _opens_on(code, end, due):
            item, _ = DeadlineItem.objects.get_or_create(
                rule=rule, subject_type=subject, subject_id=candidacy.pk, stage=stage,
                defaults={**values, **stage_owner(candidacy, Stage.RETURN)})
        if item is not None:
            items.append(item)
    return items


@audited_within
def return_items_settle(candidacy, filed_at=None) -> None:
    """The return is recorded: its item closes (on time or late); reminders not yet due are
    no longer owed (an early return) and go; a reminder already missed stays missed."""
    filed_at = filed_at or timezone.now()
    items = candidacy_items(candidacy).filter(status__in=OPEN_ITEM)
    _close(items.filter(rule__code="return_record"), filed_at)
    reminders = items.filter(rule__code__in=PREP_STEPS.values())
    reminders.filter(due_at__gte=filed_at).delete()
    _close(reminders, filed_at)


@audited(AuditAction.DEADLINE, "登记归国准备")
def return_prep_done(candidacy, *, step: str, actor, now=None) -> DeadlineItem:
    """The agency has sent the guide ("3m") or made the call ("2w"): the reminder closes,
    on time or late. Not for another agency's people, not before the reminder's time, not
    twice."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from apps.accounts.scoping import visible
    from apps.pipeline.models import CandidacyStatus
    now = now or timezone.now()
    if actor.role != Role.AGENCY or step not in PREP_STEPS:
        raise PermissionDenied("只有输出机构可以登记归国准备。")
    if not visible(type(candidacy).objects.filter(pk=candidacy.pk,
                                                   status=CandidacyStatus.ABROAD), actor).exists():
        raise PermissionDenied("该人员不在您的在外人员中。")
    item = (candidacy_items(candidacy).select_for_update()
            .filter(rule__code=PREP_STEPS[step]).first())
    if item is None:
        rule = DeadlineRule.objects.get(code=PREP_STEPS[step])
        if candidacy.contract_ends_on is None:
            raise ValidationError("合同期限未知，没有归国准备事项。")
        due = _due(rule, candidacy.contract_ends_on)
        raise ValidationError(f"“{rule.name}”应在{due.day:%Y-%m-%d}前后办理，最早"
                              f"{_opens_on(rule.code, candidacy.contract_ends_on, due):%Y-%m-%d}起可登记。")
    if item.status not in OPEN_ITEM:
        raise ValidationError(f"“{item.rule.name}”已于{timezone.localtime(item.done_at):%Y-%m-%d}登记。")
    _close(DeadlineItem.objects.filter(pk=item.pk), now)
    item.refresh_from_db()
    return item


@audited(AuditAction.DEADLINE, "生成归国准备待办", unless=lambda n: not n)
def return_items_ensure(today=None) -> int:
    """Daily: people abroad whose contract ends within the horizon get the items whose time
    has come (those who departed before issue 19 too). Safe to run twice: it counts only the
    items it created."""
    from datetime import timedelta
    from django.contrib.contenttypes.models import ContentType
    from apps.pipeline.models import Candidacy, CandidacyStatus
    today = today or timezone.localdate()
    subject = ContentType.objects.get_for_model(Candidacy)
    complete = (DeadlineItem.objects.filter(subject_type=subject)
                .values("subject_id").annotate(n=models.Count("pk")).filter(n__gte=len(RETURN_ITEMS))
                .values("subject_id"))
    due = (Candidacy.objects.filter(status=CandidacyStatus.ABROAD, contract_ends_on__isnull=False,
                                    contract_ends_on__lte=today + timedelta(days=ENSURE_HORIZON_DAYS))
           .exclude(pk__in=complete))
    before = DeadlineItem.objects.filter(subject_type=subject).count()
    for candidacy in due.iterator(chunk_size=500):
        return_items_open(candidacy, today)
    return DeadlineItem.objects.filter(subject_type=subject).count() - before
