"""境外突发事件 (issue 18, item 2): incidents involving people abroad, their grade and its
history, and the reports the plans require (首次报告 / 续报 N / 终报), each owed by a deadline.

Grades follow the city plans for 境外劳务事件: Ⅰ–Ⅱ are led by the province, Ⅲ–Ⅳ by the city.
A grade is provisional until its owner confirms it; it may rise (or be confirmed) at any time,
and every change is kept in ``GradeChange``. Report deadlines are rules as data
(``IncidentReportRule``), counted in hours except the final report (working days)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.accounts.models import Role


class Category(models.TextChoices):
    DISPUTE = "dispute", "劳务纠纷"
    INJURY = "injury", "伤病（工伤、疾病）"
    ACCIDENT = "accident", "安全事故"
    DISASTER = "disaster", "自然灾害"
    WAR_TERROR = "war_terror", "战争或恐怖袭击"
    PUBLIC_SECURITY = "public_security", "社会治安事件"
    PUBLIC_HEALTH = "public_health", "公共卫生事件"
    COLLECTIVE = "collective", "群体性事件"


class Grade(models.IntegerChoices):
    # A smaller number is a graver event: "raising" a grade lowers the number.
    I = 1, "Ⅰ级（特别重大）"
    II = 2, "Ⅱ级（重大）"
    III = 3, "Ⅲ级（较大）"
    IV = 4, "Ⅳ级（一般）"


class GradeGroup(models.TextChoices):
    HIGH = "high", "Ⅰ–Ⅱ级（省级牵头）"
    LOW = "low", "Ⅲ–Ⅳ级（市级牵头）"


def grade_group(grade: int) -> str:
    return GradeGroup.HIGH if grade <= Grade.II else GradeGroup.LOW


def owner_role(grade: int) -> str:
    """Who leads the response and confirms the grade: the province for Ⅰ–Ⅱ, the city else."""
    return Role.PROVINCE if grade <= Grade.II else Role.CITY


class IncidentStatus(models.TextChoices):
    RESPONDING = "responding", "处置中"
    ENDED = "ended", "处置结束"
    CLOSED = "closed", "已终报"


class ReportKind(models.TextChoices):
    FIRST = "first", "首次报告"
    FOLLOWUP = "followup", "续报"
    FINAL = "final", "终报"


class Incident(models.Model):
    category = models.CharField("事件类别", max_length=20, choices=Category.choices)
    grade = models.PositiveSmallIntegerField("事件等级", choices=Grade.choices)
    grade_confirmed = models.BooleanField("等级已确认", default=False)
    occurred_at = models.DateTimeField("发生时间")
    # The report clocks count from the moment the recording organisation learned of it.
    learned_at = models.DateTimeField("获知时间")
    country = models.CharField("发生国家（地区）", max_length=30)
    place = models.CharField("发生地点", max_length=100)
    summary = models.TextField("事件简况", max_length=2000)
    status = models.CharField("状态", max_length=12, choices=IncidentStatus.choices,
                              default=IncidentStatus.RESPONDING)
    response_ended_at = models.DateTimeField("处置结束时间", null=True, blank=True)
    # The recording (reporting) organisation: it files the reports.
    reported_by_role = models.CharField("报告单位类型", max_length=10, choices=Role.choices)
    # Scope: the leading city and the recording unit / agency (workers add theirs).
    city = models.ForeignKey("orgs.City", verbose_name="牵头地市", on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "突发事件"
        verbose_name_plural = "突发事件"
        ordering = ["-learned_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(learned_at__gte=models.F("occurred_at")),
                                   name="incident_learned_after_occurred"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=4),
                                   name="incident_grade_i_to_iv"),
        ]

    def __str__(self):
        return (f"突发事件{self.pk}：{self.country}{self.place} {self.get_category_display()}"
                f"（{self.get_grade_display()}{'' if self.grade_confirmed else '，暂定'}）")

    def get_absolute_url(self):
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def owner_role(self) -> str:
        return owner_role(self.grade)

    @property
    def owner_label(self) -> str:
        return "省专项办" if self.owner_role == Role.PROVINCE else f"{self.city.name}人社局"

    @property
    def grade_group(self) -> str:
        return grade_group(self.grade)

    @property
    def reporter_label(self) -> str:
        if self.reported_by_role == Role.AGENCY:
            return str(self.agency)
        if self.reported_by_role == Role.UNIT:
            return str(self.unit)
        if self.reported_by_role == Role.CITY:
            return f"{self.city.name}人社局"
        return "省专项办"


class IncidentWorker(models.Model):
    """A person abroad concerned by the incident (a candidacy of the 在外人员 register)."""
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="workers")
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="在外人员",
                                  on_delete=models.PROTECT, related_name="incident_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="添加人",
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "涉事人员"
        verbose_name_plural = "涉事人员"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["incident", "candidacy"],
                                               name="incident_worker_once")]


class GradeChange(models.Model):
    """Every grade set, raised, lowered or confirmed: who, when, old and new, why."""
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="grade_changes")
    old_grade = models.PositiveSmallIntegerField("原等级", choices=Grade.choices, null=True,
                                                 blank=True)
    new_grade = models.PositiveSmallIntegerField("新等级", choices=Grade.choices)
    confirmed = models.BooleanField("确认")
    reason = models.CharField("理由", max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人",
                                   on_delete=models.PROTECT, related_name="+")
    changed_by_role = models.CharField("操作人角色", max_length=20, choices=Role.choices)
    changed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "事件等级变更"
        verbose_name_plural = "事件等级变更"
        ordering = ["changed_at", "id"]

    @property
    def action_label(self) -> str:
        if self.old_grade is None:
            return "初报等级"
        if self.new_grade < self.old_grade:
            return "升级"
        if self.new_grade > self.old_grade:
            return "降级"
        return "确认等级"


class IncidentReport(models.Model):
    """One report as the plans name its fields; ``late`` is decided by the service from the
    due time of its deadline item, never taken from a form."""
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices)
    seq = models.PositiveSmallIntegerField("续报序号", default=0,
                                           help_text="续报为第N次续报；首次报告、终报为0")
    event_time = models.DateTimeField("事发时间")
    place = models.CharField("事发地点", max_length=100)
    nature = models.CharField("事件性质", max_length=200)
    people_affected = models.PositiveIntegerField("涉及人数")
    dead = models.PositiveIntegerField("死亡人数", default=0)
    injured = models.PositiveIntegerField("受伤人数", default=0)
    missing = models.PositiveIntegerField("失踪人数", default=0)
    losses = models.DecimalField("经济损失（元）", max_digits=14, decimal_places=2, default=0)
    measures = models.TextField("已采取的措施", max_length=3000)
    requests = models.TextField("请求事项", max_length=2000, blank=True)
    signed_by = models.CharField("签发人（报告单位负责人）", max_length=50)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人",
                                 on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报送时间")
    due_at = models.DateTimeField("应报时间")
    late = models.BooleanField("迟报")
    # 补录 (issue 22): reported on paper (phone, fax) during a declared outage period and
    # entered afterwards; ``filed_at`` is then the paper report's moment.
    paper_form_no = models.CharField("纸质表单编号（补录）", max_length=50, blank=True,
                                     db_default="")

    class Meta:
        verbose_name = "突发事件报告"
        verbose_name_plural = "突发事件报告"
        ordering = ["filed_at", "id"]
        constraints = [
            # One 首次报告, one 终报, one 续报 of each number: a double submit fails here.
            models.UniqueConstraint(fields=["incident", "kind", "seq"], name="incident_report_once"),
        ]

    def __str__(self):
        return f"{self.title}（{self.incident}）"

    @property
    def title(self) -> str:
        if self.kind == ReportKind.FOLLOWUP:
            return f"续报{self.seq}"
        return self.get_kind_display()

    @property
    def stage(self) -> str:
        return report_stage(self.kind, self.seq)


def report_stage(kind: str, seq: int = 0) -> str:
    """The DeadlineItem.stage key of a report: first / followup-N / final."""
    return f"followup-{seq}" if kind == ReportKind.FOLLOWUP else kind


class IncidentReportRule(models.Model):
    """How long after its starting moment a report is due, per grade group and kind. The
    province edits them; first and follow-up reports count hours, the final working days."""
    grade_group = models.CharField("事件等级", max_length=4, choices=GradeGroup.choices)
    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices)
    amount = models.PositiveSmallIntegerField("时限")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "突发事件报告时限"
        verbose_name_plural = "突发事件报告时限"
        ordering = ["kind", "grade_group"]
        constraints = [
            models.UniqueConstraint(fields=["grade_group", "kind"], name="incident_rule_once"),
            models.CheckConstraint(condition=Q(amount__gte=1), name="incident_rule_positive"),
        ]

    def __str__(self):
        return f"{self.get_grade_group_display()}{self.get_kind_display()}"

    @property
    def in_working_days(self) -> bool:
        return self.kind == ReportKind.FINAL

    @property
    def unit_label(self) -> str:
        return "个工作日" if self.in_working_days else "小时"

    @property
    def starts_label(self) -> str:
        return {ReportKind.FIRST: "获知事件后", ReportKind.FOLLOWUP: "上一次报告报送后",
                ReportKind.FINAL: "处置结束后"}[self.kind]

    @property
    def description(self) -> str:
        return f"{self.starts_label}{self.amount}{self.unit_label}内"
