"""Training (SPEC §5): intensive pre-departure classes and the standing 非建制班.

A class carries the 附件7 information. An intensive class enrols candidacies that passed 复试
and its results feed the pipeline's 培训 stage; a 非建制班 keeps a roster of people (附件9),
its weekly class hours, and the province's spot checks, which can stop its money."""
import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ClassKind(models.TextChoices):
    INTENSIVE = "intensive", "强化培训"
    STANDING = "standing", "非建制班"


class TrainingMode(models.TextChoices):
    ALONE = "alone", "组织单位单独承担"
    WITH_AGENCY = "with_agency", "与输出机构合作培训"
    COMMISSIONED = "commissioned", "委托培训"


class ClassStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    OPEN = "open", "已开班"
    ENDED = "ended", "已结业"


@pghistory.track(model_name="TrainingClassHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class TrainingClass(models.Model):
    kind = models.CharField("培训类型", max_length=10, choices=ClassKind.choices)
    name = models.CharField("班级名称", max_length=100)
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, related_name="training_classes")
    # The unit's city, kept on the class so that scoping and reports need no join.
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="training_classes")
    mode = models.CharField("培训方式", max_length=12, choices=TrainingMode.choices, blank=True)
    agency = models.ForeignKey("orgs.Agency", verbose_name="合作输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="training_classes")
    commissioned_to = models.CharField("受委托培训机构", max_length=100, blank=True)
    project = models.ForeignKey("projects.JobProject", verbose_name="岗位项目",
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="training_classes")
    # 附件7 培训班信息表
    opens_on = models.DateField("开班时间")
    course_starts_on = models.DateField("开课时间")
    ends_on = models.DateField("培训结束时间")
    place = models.CharField("开班地点", max_length=200)
    courses = models.TextField("开设课程")
    timetable = models.TextField("课时安排")
    hours_per_week = models.DecimalField("每周课时", max_digits=4, decimal_places=1)
    remarks = models.TextField("备注", blank=True)
    # 非建制班: a period is two semesters (opens_on … first_term_ends_on,
    # second_term_starts_on … ends_on) and teaches the destination country's language.
    first_term_ends_on = models.DateField("第一学期结束", null=True, blank=True)
    second_term_starts_on = models.DateField("第二学期开始", null=True, blank=True)
    language = models.CharField("培训语种", max_length=20, blank=True)

    status = models.CharField("状态", max_length=10, choices=ClassStatus.choices,
                              default=ClassStatus.PLANNED)
    # The day the class actually opened, as the unit recorded it (opens_on is the plan).
    # The 开班 money and every training result are dated from it. Once ended, ends_on is
    # the recorded end date (class_end writes it).
    opened_on = models.DateField("实际开班日期", null=True, blank=True)
    roster_filed_at = models.DateTimeField("花名表报送时间", null=True, blank=True)
    info_filed_at = models.DateTimeField("信息表报送时间", null=True, blank=True)
    # Set only by a spot check that found falsification: no money is paid for the class.
    money_stopped = models.BooleanField("停止拨付资金", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(name="class_dates_ordered",
                                   condition=Q(ends_on__gte=F("opens_on"),
                                               course_starts_on__gte=F("opens_on"),
                                               course_starts_on__lte=F("ends_on"))),
            # A 非建制班 has its two semesters and at least 2 class hours a week.
            models.CheckConstraint(
                name="standing_class_two_terms_two_hours",
                condition=Q(kind="intensive") | Q(
                    first_term_ends_on__isnull=False, second_term_starts_on__isnull=False,
                    first_term_ends_on__gt=F("opens_on"),
                    second_term_starts_on__gt=F("first_term_ends_on"),
                    ends_on__gt=F("second_term_starts_on"), hours_per_week__gte=2)),
        ]
        indexes = [models.Index(fields=["unit", "kind"]), models.Index(fields=["city", "kind"])]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_standing(self) -> bool:
        return self.kind == ClassKind.STANDING

    @property
    def period_label(self) -> str:
        """培训周期 as printed on 附件7."""
        if self.is_standing:
            return (f"{self.opens_on:%Y.%m.%d}—{self.first_term_ends_on:%Y.%m.%d}（第一学期），"
                    f"{self.second_term_starts_on:%Y.%m.%d}—{self.ends_on:%Y.%m.%d}（第二学期）")
        days = (self.ends_on - self.opens_on).days + 1
        return f"{self.opens_on:%Y.%m.%d}—{self.ends_on:%Y.%m.%d}（{days}天）"


class ClassPlanChange(models.Model):
    """调整开班计划: moving a class's planned dates is its own recorded action, with a reason."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="plan_changes")
    old_opens_on = models.DateField("原计划开班时间")
    new_opens_on = models.DateField("新计划开班时间")
    old_ends_on = models.DateField("原计划结束时间")
    new_ends_on = models.DateField("新计划结束时间")
    reason = models.CharField("调整原因", max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人",
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "开班计划调整"
        verbose_name_plural = "开班计划调整"
        ordering = ["changed_at", "id"]

    def __str__(self):
        return (f"{self.old_opens_on:%Y-%m-%d}→{self.new_opens_on:%Y-%m-%d}：{self.reason}")


class EnrolmentResult(models.TextChoices):
    PENDING = "", "待考核"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    INCOMPLETE = "incomplete", "未完成"


@pghistory.track(model_name="EnrolmentHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class Enrolment(models.Model):
    """A candidacy in an intensive class: attendance, then the result and 培训合格证."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="enrolments")
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="报名记录",
                                  on_delete=models.PROTECT, related_name="enrolments")
    attended_hours = models.DecimalField("出勤课时", max_digits=6, decimal_places=1, default=0)
    result = models.CharField("培训结果", max_length=10, choices=EnrolmentResult.choices,
                              blank=True, default="")
    certificate_no = models.CharField("培训合格证编号", max_length=50, blank=True)
    result_on = models.DateField("考核日期", null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                    on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        ordering = ["id"]
        constraints = [
            # One pass through the pipeline is trained once: one intensive class per candidacy.
            models.UniqueConstraint(fields=["candidacy"], name="enrolment_once_per_candidacy"),
            models.CheckConstraint(name="enrolment_pass_has_certificate",
                                   condition=~Q(result="pass") | ~Q(certificate_no="")),
        ]


@pghistory.track(model_name="StandingMemberHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class StandingMember(models.Model):
    """A person on a 非建制班's roster (附件9)."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="standing_classes")
    upload = models.ForeignKey("rosters.Upload", verbose_name="来自名册", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    added_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "非建制班学员"
        verbose_name_plural = "非建制班学员"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["training_class", "person"],
                                               name="standing_member_once")]


class WeeklyHours(models.Model):
    """Class hours actually taught in one week of a 非建制班 (at least 2 a week)."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="weekly_hours")
    week_of = models.DateField("周一日期")
    hours = models.DecimalField("课时", max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "每周课时"
        verbose_name_plural = "每周课时"
        ordering = ["week_of"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "week_of"], name="weekly_hours_once"),
            models.CheckConstraint(name="weekly_hours_non_negative", condition=Q(hours__gte=0)),
        ]


class SpotCheckOutcome(models.TextChoices):
    OK = "ok", "未发现问题"
    ISSUES = "issues", "发现问题，限期整改"
    FALSIFIED = "falsified", "弄虚作假（停止拨付资金）"
    SERIOUS = "serious", "弄虚作假，情节严重（停止拨付并取消非建制班经办资格）"


STOPS_MONEY = {SpotCheckOutcome.FALSIFIED, SpotCheckOutcome.SERIOUS}


class SpotCheck(models.Model):
    """抽查 by the province: what it found decides whether the class is still paid."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班",
                                       on_delete=models.PROTECT, related_name="spot_checks")
    checked_on = models.DateField("抽查日期")
    inspector = models.CharField("检查人", max_length=100)
    findings = models.TextField("检查情况")
    outcome = models.CharField("结论", max_length=10, choices=SpotCheckOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人",
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽查记录"
        verbose_name_plural = "抽查记录"
        ordering = ["-checked_on", "-id"]

    @property
    def stops_money(self) -> bool:
        return self.outcome in STOPS_MONEY
