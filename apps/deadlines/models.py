"""Reporting deadlines (SPEC §7): rules as data, one stored row per owed item.

An item is created when its event is scheduled or happens, and closed when the record is
filed. Whether an open item is due soon or overdue is never stored: it is read from its due
time against the clock (``DeadlineItem.state``, ``DeadlineItemQuerySet.with_state``), so no
page shows a passed deadline as pending. The scan (Celery beat) only sends the notices."""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class RuleEvent(models.TextChoices):
    STAGE = "stage", "环节结束（场次日期或发生日期）"
    CLASS_OPENS = "class_opens", "开班"
    CLASS_ENDS = "class_ends", "培训结束"
    DEPARTURE = "departure", "出国"
    PERIOD_ENDS = "period_ends", "非建制班周期结束"
    BUDGET = "budget", "预算年度"
    # Issue 18: duties of care while people are abroad. Their items name their subject
    # (an incident, a complaint, a follow-up plan) through DeadlineItem.subject.
    INCIDENT = "incident", "突发事件"
    COMPLAINT = "complaint", "投诉或纠纷"
    FOLLOW_UP = "follow_up", "跟踪随访"
    # Issue 20: the organisation's window to object to its draft scorecard.
    EVALUATION = "evaluation", "年度评估"
    # Issue 19: preparing the return (the subject is the candidacy abroad).
    CONTRACT_END = "contract_end", "合同期满"
    # Issue 21: a 脱贫 status is verified again each year (apps.registry.rules).
    POVERTY = "poverty_verified", "脱贫状态核实"


class DeadlineRule(models.Model):
    """One row of the SPEC §7 table. The province may change the offset."""

    code = models.SlugField("代码", unique=True)
    name = models.CharField("报送事项", max_length=100)
    event = models.CharField("起算事件", max_length=20, choices=RuleEvent.choices)
    offset = models.SmallIntegerField(
        "工作日数", help_text="正数：事件后第N个工作日内；负数：事件前第N个工作日前")
    owner = models.CharField("报送方", max_length=50)
    basis = models.CharField("依据", max_length=100, blank=True)
    # A rule counted in hours (incident reports) keeps its hours in its own table; its items
    # are given their due time when opened, and recompute_due leaves them alone.
    in_hours = models.BooleanField("按小时计", default=False, db_default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        ordering = ["id"]

    def __str__(self):
        return self.name


class ItemStatus(models.TextChoices):
    # Stored: OPEN, DONE, DONE_LATE. Read-time states of an open item: DUE_SOON, OVERDUE.
    OPEN = "open", "待办"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "按时完成"
    DONE_LATE = "done_late", "逾期完成"
    PAUSED = "paused", "暂停计时"  # read time: its record is on hold (a complaint)


# Stored statuses of an item not yet filed (DUE_SOON and OVERDUE were stored by the scan
# before issue 15; migration 0005 turned them back into OPEN).
OPEN_ITEM = [ItemStatus.OPEN, ItemStatus.DUE_SOON, ItemStatus.OVERDUE]
SOON_WORKING_DAYS = 2


def soon_until(now):
    """The last day counted as "due soon" at ``now``: two working days ahead."""
    from django.utils import timezone

    from apps.workdays.calendar import add_working_days
    return add_working_days(timezone.localtime(now).date(), SOON_WORKING_DAYS).day


def state_expression(now):
    """The item's state at ``now`` as SQL: filed items keep their stored outcome; an open
    item is overdue once its due time has passed, due soon within two working days."""
    from django.db.models import Case, CharField, Value, When
    return Case(
        When(status__in=[ItemStatus.DONE, ItemStatus.DONE_LATE], then=models.F("status")),
        When(Q(paused_since__isnull=False) | Q(outage_paused=True), then=Value(ItemStatus.PAUSED)),
        When(due_at__lt=now, then=Value(ItemStatus.OVERDUE)),
        When(due_on__lte=soon_until(now), then=Value(ItemStatus.DUE_SOON)),
        default=Value(ItemStatus.OPEN), output_field=CharField())


class DeadlineItemQuerySet(models.QuerySet):
    def with_state(self, now=None):
        """Annotate ``current_state`` (read time): use it to filter and count by state."""
        from django.utils import timezone
        return self.annotate(current_state=state_expression(now or timezone.now()))

    def overdue(self, now):
        """Open items past their due time at ``now``, not paused: the one definition."""
        return self.filter(due_at__lt=now, paused_since__isnull=True, outage_paused=False)

    def not_overdue(self, now):
        return self.filter(Q(due_at__gte=now) | Q(paused_since__isnull=False)
                           | Q(outage_paused=True))


class DeadlineItem(models.Model):
    """Something an organisation owes by a date: e.g. the 体检 results of one candidacy."""

    objects = DeadlineItemQuerySet.as_manager()

    rule = models.ForeignKey(DeadlineRule, verbose_name="规则", on_delete=models.PROTECT,
                             related_name="items")
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="报名记录",
                                  on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="deadline_items")
    stage = models.CharField("环节", max_length=20, blank=True)
    training_class = models.ForeignKey("training.TrainingClass", verbose_name="培训班",
                                       on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="deadline_items")
    # Who owes it: the scope of the item (the same paths as the candidacy's).
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    # Any other record an item is owed for (an incident, a complaint, a follow-up plan):
    # ``stage`` then tells apart several items of one rule (续报 1, 续报 2, …).
    subject_type = models.ForeignKey(ContentType, verbose_name="事项对象类型",
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    subject_id = models.PositiveBigIntegerField("事项对象", null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    owner_role = models.CharField("报送角色", max_length=10)
    event_on = models.DateField("事件日期")
    due_on = models.DateField("截止日期")
    due_at = models.DateTimeField("截止时刻")
    provisional = models.BooleanField("暂定", default=False,
                                      help_text="截止日期落在尚未录入节假日安排的年度")
    # Working days added to the rule's offset (a complaint on hold), with
    # why: recompute_due keeps them.
    extension_days = models.SmallIntegerField("顺延工作日", default=0, db_default=0)
    extension_reason = models.CharField("顺延原因", max_length=200, blank=True, db_default="")
    # Set while the record it is owed for is on hold: never overdue nor noticed meanwhile;
    # on resumption the days held are added to ``extension_days`` and this is cleared.
    paused_since = models.DateField("暂停计时自", null=True, blank=True)
    # Issue 22: working days lost to declared outage periods (apps.outages) in the item's
    # window, recomputed from scratch from the periods each time (never added to), so
    # declaring or recomputing twice never doubles it; kept apart from ``extension_days``,
    # which a complaint's holds add to. While a period that reaches the item is still open
    # the clock is paused (``outage_paused``): never overdue nor noticed meanwhile.
    outage_days = models.SmallIntegerField("停机顺延工作日", default=0, db_default=0)
    outage_reason = models.CharField("停机顺延原因", max_length=300, blank=True, db_default="")
    outage_paused = models.BooleanField("停机期间暂停计时", default=False, db_default=False)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices,
                              default=ItemStatus.OPEN)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"
        ordering = ["due_on", "id"]
        constraints = [
            # One item per rule, candidacy and stage, however often the event is seen.
            models.UniqueConstraint(fields=["rule", "candidacy", "stage"],
                                    name="deadline_item_once"),
            models.UniqueConstraint(fields=["rule", "training_class"],
                                    condition=Q(training_class__isnull=False),
                                    name="deadline_item_once_per_class"),
            # An organisation's own items (its budget): once per rule, organisation and date.
            models.UniqueConstraint(fields=["rule", "owner_role", "city", "unit", "event_on"],
                                    condition=Q(candidacy__isnull=True,
                                                training_class__isnull=True,
                                                subject_id__isnull=True),
                                    nulls_distinct=False, name="deadline_item_once_per_org"),
            models.UniqueConstraint(fields=["rule", "subject_type", "subject_id", "stage"],
                                    condition=Q(subject_id__isnull=False),
                                    name="deadline_item_once_per_subject"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="deadline_scan_idx",
                                condition=Q(status__in=["open", "due_soon", "overdue"]))]

    def __str__(self):
        return f"{self.rule} · {self.due_on}"

    def link_for(self, user) -> tuple[str, str]:
        """The 待办 link: 去填报 opens the page where the duty is done, for the organisation
        that owes it; the city and the province, who oversee it, get 查看 instead."""
        from django.urls import reverse
        owner = user.role == self.owner_role
        code = self.rule.code
        if code == "budget":
            return ("去填报" if owner else "查看"), reverse("subsidies:budget_list")
        if self.training_class_id:
            return ("去填报" if owner else "查看"), reverse(
                "training:class_detail", args=[self.training_class_id])
        if self.subject_id:  # the subject's own page is where the duty is done
            return ("去填报" if owner else "查看"), self.subject.get_absolute_url()
        if self.candidacy_id is None:
            return "", ""
        person = reverse("registry:person_detail", args=[self.candidacy.person_id])
        if not owner:
            return "查看", person
        if code == "claim":  # 附件8 is filled on the claim page, not on the person's
            return "去填报", reverse("subsidies:claim_create")
        if code == "stage_data":
            return "去填报", reverse("pipeline:candidacy_record", args=[self.candidacy_id])
        return "去填报", person

    @property
    def state(self) -> str:
        """The state now: from ``with_state`` when annotated, else from the due time (the
        "due soon" edge needs the calendar, so lists should annotate)."""
        annotated = getattr(self, "current_state", None)
        if annotated:
            return annotated
        from django.utils import timezone
        if self.status in (ItemStatus.DONE, ItemStatus.DONE_LATE):
            return self.status
        if self.paused_since or self.outage_paused:
            return ItemStatus.PAUSED
        now = timezone.now()
        if self.due_at < now:
            return ItemStatus.OVERDUE
        return ItemStatus.DUE_SOON if self.due_on <= soon_until(now) else ItemStatus.OPEN

    @property
    def extension_note(self) -> str:
        """Why the due date is later than the rule says: a complaint's holds, outage periods
        (shown on 我的待办 and beside the item on its record's page)."""
        parts = []
        if self.extension_days:
            parts.append(f"顺延{self.extension_days}个工作日（{self.extension_reason or '暂停'}）")
        if self.outage_days or self.outage_paused:
            parts.append(self.outage_reason or f"停机/停工顺延{self.outage_days}个工作日")
        return "；".join(parts)

    @property
    def state_label(self) -> str:
        return ItemStatus(self.state).label

    @property
    def stage_label(self) -> str:
        from apps.pipeline.models import Stage
        # On an item for another record ``stage`` is that record's own key ("first",
        # "followup-2", "resolve-1"): its rule names it; only a repeat number is told.
        if self.stage and self.candidacy_id:
            return Stage(self.stage).label
        number = self.stage.rpartition("-")[2]
        return f"第{number}次" if number.isdigit() else ""


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    EVENT = "event", "通知"


class Notice(models.Model):
    """An inbox entry for an organisation: a deadline item's (noticed once per kind, the item
    says who owes it), or an event sent to one organisation (``deadlines.services.notify``:
    a grade raised, a case escalated), which names its recipient, subject and link."""

    item = models.ForeignKey(DeadlineItem, verbose_name="待办事项", on_delete=models.CASCADE,
                             related_name="notices", null=True, blank=True)
    kind = models.CharField("类型", max_length=10, choices=NoticeKind.choices)
    owner_role = models.CharField("接收角色", max_length=10, blank=True, db_default="")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    text = models.CharField("内容", max_length=300, blank=True, db_default="")
    link = models.CharField("链接", max_length=200, blank=True, db_default="")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="notice_once"),
            # An event notice says whom it is for; an item's notice is for the item's owner.
            models.CheckConstraint(condition=Q(item__isnull=False) | ~Q(owner_role=""),
                                   name="notice_has_recipient"),
        ]

    @property
    def message(self) -> str:
        """One line for the inbox: the event's text, or the item's rule and subject."""
        if self.item_id is None:
            return self.text
        item = self.item
        who = (item.candidacy.person.name if item.candidacy_id else
               item.training_class.name if item.training_class_id else
               str(item.subject) if item.subject_id else "")
        return f"{item.rule.name}{'：' + who if who else ''}（截止 {item.due_on:%Y-%m-%d}）"

    @property
    def url(self) -> str:
        if self.item_id is None:
            return self.link
        if self.item.subject_id:
            return self.item.subject.get_absolute_url()
        return ""
