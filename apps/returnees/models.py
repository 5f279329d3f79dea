"""Returnees (归国人员, issue 19 item 4; seed 000 §4 service after return, seed 001's 外派返乡
人员资料库): one profile a returnee — what they can do, whether they want to go again, what
support they want and whether they may be contacted — and their referrals to services, each
with a status and an outcome. Entered by the local offices (units, cities), as Bangladesh's
returnee skills database is. Both are tracked (who, when, old and new value)."""
import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Support(models.TextChoices):
    EMPLOYMENT = "employment", "就业推荐"
    TRAINING = "training", "职业培训"
    SKILL_TEST = "skill_test", "技能评价（鉴定）"
    STARTUP = "startup", "返乡创业扶持"
    LEGAL_AID = "legal_aid", "法律援助"
    COUNSELLING = "counselling", "心理疏导"


class GoAgain(models.TextChoices):
    YES = "yes", "愿意再次出国"
    NO = "no", "不再出国"
    UNDECIDED = "undecided", "尚未决定"


@pghistory.track(model_name="ReturneeProfileHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class ReturneeProfile(models.Model):
    person = models.OneToOneField("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                                  related_name="returnee_profile")
    # Scope, copied from the person when saved (who serves and who sees the returnee).
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    skills = models.CharField("技能特长", max_length=200, blank=True)
    occupation_abroad = models.CharField("境外从事工种", max_length=100, blank=True)
    years_abroad = models.DecimalField("境外工作年限（年）", max_digits=4, decimal_places=1,
                                       null=True, blank=True)
    countries = models.CharField("曾工作国家", max_length=100, blank=True)
    certificates = models.CharField("所获证书", max_length=200, blank=True)
    language = models.CharField("外语语种及水平", max_length=100, blank=True)
    go_again = models.CharField("是否愿意再次出国", max_length=10, choices=GoAgain.choices,
                                default=GoAgain.UNDECIDED)
    go_again_country = models.CharField("意向国家或地区", max_length=50, blank=True)
    support_wanted = ArrayField(models.CharField(max_length=15, choices=Support.choices),
                                verbose_name="希望得到的服务", default=list, blank=True)
    consent_contact = models.BooleanField("同意接受回访和服务联系", default=False)
    consent_on = models.DateField("同意日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    @property
    def version(self) -> str:
        """What an edit form carries back to prove it saw the latest save."""
        return self.updated_at.isoformat() if self.updated_at else ""

    class Meta:
        verbose_name = "归国人员信息"
        verbose_name_plural = "归国人员信息"
        ordering = ["-updated_at", "-id"]
        # The register's keyset order, alone (the province) and within a city's or a unit's
        # scope.
        indexes = [models.Index(fields=["updated_at", "id"], name="returnee_list_order"),
                   models.Index(fields=["city", "updated_at", "id"], name="returnee_city_order"),
                   models.Index(fields=["unit", "updated_at", "id"], name="returnee_unit_order"),
                   # The filters 同意联系 (few) and 希望得到的服务 (an array): without these a
                   # filter that matches little read the whole register (70–130 ms).
                   models.Index(fields=["updated_at", "id"], condition=Q(consent_contact=True),
                                name="returnee_consent_order"),
                   GinIndex(fields=["support_wanted"], name="returnee_support_wanted")]
        constraints = [
            # Consent is dated: a "yes" without a day cannot be shown to whoever asks.
            models.CheckConstraint(name="returnee_consent_dated", condition=(
                Q(consent_contact=False) | Q(consent_on__isnull=False)),
                violation_error_message="本人同意接受服务联系时，请填写同意日期。"),
            models.CheckConstraint(name="returnee_years_sane", condition=(
                Q(years_abroad__isnull=True) | Q(years_abroad__gte=0, years_abroad__lte=60)),
                violation_error_message="境外工作年限应在0到60年之间。"),
        ]

    def __str__(self):
        return f"{self.person.name}（归国人员）"

    def get_absolute_url(self):
        return reverse("returnees:profile", args=[self.person_id])

    def support_labels(self) -> list[str]:
        return [Support(s).label for s in self.support_wanted if s in Support.values]


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "已转介"
    ACCEPTED = "accepted", "服务机构已受理"
    COMPLETED = "completed", "服务已完成"
    DECLINED = "declined", "未获得服务"


OPEN_REFERRAL = (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED)


@pghistory.track(model_name="ReferralHistory",
                 obj_field=pghistory.ObjForeignKey(related_name="history"))
class Referral(models.Model):
    """One referral of a returnee to a service; its moves are data (services.MOVES)."""
    profile = models.ForeignKey(ReturneeProfile, verbose_name="归国人员", on_delete=models.PROTECT,
                                related_name="referrals")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    service = models.CharField("服务类型", max_length=15, choices=Support.choices)
    provider = models.CharField("服务机构", max_length=100)
    referred_on = models.DateField("转介日期")
    status = models.CharField("状态", max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.REFERRED)
    status_on = models.DateField("状态日期")
    outcome = models.CharField("服务结果", max_length=300, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="转介人",
                                   on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后办理人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "转介服务"
        verbose_name_plural = "转介服务"
        ordering = ["-referred_on", "-id"]
        constraints = [
            # A double submit (or two staff at once) makes one open referral of a kind.
            models.UniqueConstraint(fields=["profile", "service"],
                                    condition=Q(status__in=["referred", "accepted"]),
                                    name="referral_one_open_per_service"),
            models.CheckConstraint(name="referral_closed_has_outcome", condition=(
                Q(status__in=["referred", "accepted"]) | ~Q(outcome="")),
                violation_error_message="办结转介须填写服务结果。"),
            models.CheckConstraint(name="referral_status_after_referral",
                                   condition=Q(status_on__gte=models.F("referred_on")),
                                   violation_error_message="状态日期不能早于转介日期。"),
        ]

    def __str__(self):
        return f"{self.profile.person.name}：{self.get_service_display()}"

    def get_absolute_url(self):
        return reverse("returnees:profile", args=[self.profile.person_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL
