"""The organisations of the programme (SPEC §1–2): cities, organising units, agencies,
their cooperation, and a city's filing (备案) of an extra unit or agency."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.orgs.validators import validate_credit_code


class City(models.Model):
    """One of the 11 cities, with the public employment service institution it names (附件3)."""

    name = models.CharField("地市", max_length=20, unique=True)
    short_name = models.CharField("简称", max_length=10, unique=True)
    code = models.CharField("行政区划代码", max_length=6, unique=True)
    # 附件2 lists the cities in its own order (大同 first), not by code.
    seq = models.PositiveSmallIntegerField("附件2序号", null=True, blank=True, unique=True)
    service_org_name = models.CharField("公共就业服务机构名称", max_length=100, blank=True)
    service_contact = models.CharField("联系人", max_length=50, blank=True)
    service_phone = models.CharField("联系方式", max_length=50, blank=True)

    class Meta:
        verbose_name = "地市"
        verbose_name_plural = "地市"
        ordering = ["code"]

    def __str__(self):
        return self.name


class UnitCategory(models.TextChoices):
    UNDERGRADUATE = "普通本科院校", "普通本科院校"
    VOCATIONAL_UNDERGRADUATE = "职业本科院校", "职业本科院校"
    HIGHER_VOCATIONAL = "高职高专院校", "高职高专院校"
    SECONDARY = "普通中专学校", "普通中专学校"
    TECHNICAL = "技工院校", "技工院校"
    HR_COMPANY = "经营性人力资源公司", "经营性人力资源公司"
    TRAINING_INSTITUTION = "培训机构", "培训机构"

    @classmethod
    def schools(cls):
        """Only schools may run 非建制班 (seed 000 §2(7))."""
        return [c for c in cls if c not in (cls.HR_COMPANY, cls.TRAINING_INSTITUTION)]


class Source(models.TextChoices):
    PROVINCE = "province", "省推荐"
    CITY = "city", "市备案"


class FilingStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已备案"
    REFUSED = "refused", "未通过"


class OrganisingUnit(models.Model):
    """A school, HR company or training institution that registers and trains people (附件1)."""

    seq = models.PositiveSmallIntegerField("附件1序号", null=True, blank=True, unique=True)
    name = models.CharField("单位名称", max_length=100, unique=True)
    category = models.CharField("类别", max_length=20, choices=UnitCategory.choices)
    city = models.ForeignKey(City, verbose_name="地点", on_delete=models.PROTECT,
                             related_name="units")
    source = models.CharField("来源", max_length=10, choices=Source.choices,
                              default=Source.PROVINCE)
    filing_status = models.CharField("备案状态", max_length=10, choices=FilingStatus.choices,
                                     default=FilingStatus.APPROVED)
    standing_class_allowed = models.BooleanField(
        "可开办非建制班", default=True,
        help_text="仅学校可开办；抽查发现严重弄虚作假时由省专项办取消",
    )
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["seq", "id"]
        constraints = [
            # HR companies and training institutions may never run 非建制班.
            models.CheckConstraint(
                name="unit_standing_class_only_schools",
                condition=Q(standing_class_allowed=False)
                | ~Q(category__in=[UnitCategory.HR_COMPANY, UnitCategory.TRAINING_INSTITUTION]),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_school(self) -> bool:
        return self.category in UnitCategory.schools()


class AgencyStatus(models.TextChoices):
    RECOMMENDED = "recommended", "省推荐"
    FILED = "filed", "市备案"
    SUSPENDED = "suspended", "暂停合作"
    BLACKLISTED = "blacklisted", "列入黑名单"


class Agency(models.Model):
    """A licensed foreign labour-cooperation company (附件4)."""

    seq = models.PositiveSmallIntegerField("附件4序号", null=True, blank=True)
    name = models.CharField("企业名称", max_length=100, unique=True)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code],
    )
    licence_no = models.CharField("对外劳务合作经营资格证书编号", max_length=50, blank=True)
    licence_valid_until = models.DateField("经营资格有效期至", null=True, blank=True)
    home_province = models.CharField("注册地（省）", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=AgencyStatus.choices,
                              default=AgencyStatus.RECOMMENDED)
    filing_status = models.CharField("备案状态", max_length=10, choices=FilingStatus.choices,
                                     default=FilingStatus.APPROVED)
    batch = models.PositiveSmallIntegerField("推荐批次", null=True, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "输出机构"
        verbose_name_plural = "输出机构"
        ordering = ["batch", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="agency_credit_code_unique"),
            models.UniqueConstraint(fields=["batch", "seq"], name="agency_batch_seq_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def batch_label(self) -> str:
        numerals = "一二三四五六七八九十"
        if self.batch and self.batch <= len(numerals):
            return f"第{numerals[self.batch - 1]}批"
        return ""

    @property
    def licence_expired(self) -> bool:
        # An unknown validity (the seed lists names only) is not an expired licence.
        return self.licence_valid_until is not None and self.licence_valid_until < timezone.localdate()

    @property
    def can_cooperate(self) -> bool:
        return (
            self.filing_status == FilingStatus.APPROVED
            and self.status in (AgencyStatus.RECOMMENDED, AgencyStatus.FILED)
            and not self.licence_expired
        )


def agreement_path(instance, filename):
    # Private storage (MEDIA_ROOT is not served); the scoped view is the only way out.
    return f"agreements/{instance._meta.model_name}/{instance.pk or 'new'}/{filename}"


class Cooperation(models.Model):
    """Common fields of a pairing with an agency and its 对外劳务输出合作协议."""

    agency = models.ForeignKey(Agency, verbose_name="输出机构", on_delete=models.PROTECT)
    agreement = models.FileField("合作协议", upload_to=agreement_path, blank=True)
    agreement_name = models.CharField("协议文件名", max_length=200, blank=True)
    # Decided from the file's bytes (apps.common.files); blank for files stored before.
    agreement_type = models.CharField("协议文件类型", max_length=50, blank=True, editable=False)
    signed_on = models.DateField("协议签订日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="终止人",
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class CityAgencyCooperation(Cooperation):
    """A city chose this agency as a cooperating unit (seed 000 §2(1))."""

    city = models.ForeignKey(City, verbose_name="地市", on_delete=models.PROTECT,
                             related_name="agency_cooperations")

    class Meta:
        verbose_name = "地市合作机构"
        verbose_name_plural = "地市合作机构"
        ordering = ["city__code", "agency__seq"]
        constraints = [
            models.UniqueConstraint(fields=["city", "agency"], condition=Q(ended_at__isnull=True),
                                    name="city_agency_one_active"),
        ]
        default_related_name = "city_cooperations"

    def __str__(self):
        return f"{self.city} — {self.agency}"


class UnitAgencyCooperation(Cooperation):
    """A unit chose this agency as its matching (对口) agency."""

    unit = models.ForeignKey(OrganisingUnit, verbose_name="组织单位", on_delete=models.PROTECT,
                             related_name="agency_cooperations")

    class Meta:
        verbose_name = "单位对口机构"
        verbose_name_plural = "单位对口机构"
        ordering = ["unit__seq", "agency__seq"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "agency"], condition=Q(ended_at__isnull=True),
                                    name="unit_agency_one_active"),
        ]
        default_related_name = "unit_cooperations"

    def __str__(self):
        return f"{self.unit} — {self.agency}"


class FilingKind(models.TextChoices):
    UNIT = "unit", "组织单位备案"
    AGENCY = "agency", "合作机构备案"


class FilingRequest(models.Model):
    """A city's 备案 of a unit (人社厅 + 教育厅) or an agency (人社厅 + 商务厅)."""

    kind = models.CharField("类型", max_length=10, choices=FilingKind.choices)
    city = models.ForeignKey(City, verbose_name="报备地市", on_delete=models.PROTECT,
                             related_name="filings")
    unit = models.OneToOneField(OrganisingUnit, verbose_name="组织单位", on_delete=models.PROTECT,
                                null=True, blank=True, related_name="filing")
    agency = models.OneToOneField(Agency, verbose_name="输出机构", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="filing")
    reason = models.TextField("考察情况及理由")
    status = models.CharField("状态", max_length=10, choices=FilingStatus.choices,
                              default=FilingStatus.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报备人",
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报备时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人",
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "备案申请"
        verbose_name_plural = "备案申请"
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                name="filing_target_matches_kind",
                condition=Q(kind=FilingKind.UNIT, unit__isnull=False, agency__isnull=True)
                | Q(kind=FilingKind.AGENCY, agency__isnull=False, unit__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.city} {self.get_kind_display()}：{self.target}"

    @property
    def target(self):
        return self.unit if self.kind == FilingKind.UNIT else self.agency


def years_later(day, years: int):
    """The same calendar day ``years`` on (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class BarQuerySet(models.QuerySet):
    def in_force(self, today):
        """Bars that hold on ``today``: begun, not past their end day, not lifted."""
        return self.filter(starts_on__lte=today, ends_on__gte=today).filter(
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=today))


class QualificationBar(models.Model):
    """Seed 002 第八条: an organisation whose qualification the province withdrew (a one-vote
    veto, or two failed years) 2年内不得重新申报. While a bar is in force, every path that would
    restore the organisation refuses, naming its end day (orgs.services.bar_problem). The
    withdrawal itself is published (予以公布), so the bar is shown with the organisation."""

    unit = models.ForeignKey(OrganisingUnit, verbose_name="组织单位", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="bars")
    agency = models.ForeignKey(Agency, verbose_name="输出机构", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="bars")
    starts_on = models.DateField("取消资格日期")
    # The last day of the bar, included: the day after it, the organisation may apply again.
    ends_on = models.DateField("不得重新申报至")
    reason = models.CharField("原因", max_length=300)
    lifted_on = models.DateField("提前解除日期", null=True, blank=True)
    lifted_reason = models.CharField("解除原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="决定人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = BarQuerySet.as_manager()

    class Meta:
        verbose_name = "取消资格（限制重新申报）"
        verbose_name_plural = "取消资格（限制重新申报）"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False, agency__isnull=True)
                                   | Q(unit__isnull=True, agency__isnull=False),
                                   name="bar_one_organisation"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="bar_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.unit or self.agency}：{self.ends_on:%Y-%m-%d}前不得重新申报"

    def in_force_on(self, today) -> bool:
        return (self.starts_on <= today <= self.ends_on
                and (self.lifted_on is None or today < self.lifted_on))
