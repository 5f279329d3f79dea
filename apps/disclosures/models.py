"""A decision to let full ID, phone and passport numbers leave the system (docs/DISCLOSURE.md).

One row is one request for one official form, for exactly the people named in it: granted at
once for a few people (or for the province), otherwise waiting for the province's decision;
once granted it is downloaded once, within a short validity."""
from django.conf import settings
from django.db import models


class DisclosureForm(models.TextChoices):
    FORM5 = "form5", "附件5 对外劳务输出人员报名表"
    FORM6 = "form6", "附件6 对外劳务输出花名表"
    FORM9 = "form9", "附件9 非建制班人员花名表"


class Purpose(models.TextChoices):
    PASSPORT_VISA = "passport_visa", "办理护照/签证"
    MEDICAL = "medical", "出境体检"
    INSURANCE = "insurance", "保险"
    CONTRACT = "contract", "合同签订"
    OTHER = "other", "其他"


class DisclosureStatus(models.TextChoices):
    PENDING = "pending", "待省专项办审批"
    GRANTED = "granted", "已批准，待下载"
    REFUSED = "refused", "已拒绝"
    USED = "used", "已下载"


class Disclosure(models.Model):
    form = models.CharField("表格", max_length=10, choices=DisclosureForm.choices)
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices)
    purpose_text = models.CharField("用途说明", max_length=200)
    # Exactly the people asked for: the download never carries anyone else's full numbers.
    people = models.ManyToManyField("registry.Person", verbose_name="人员", related_name="+")
    people_count = models.PositiveIntegerField("人数")
    # The selection the form was made from, frozen: the download takes no filter of its own.
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位", null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.JobProject", verbose_name="岗位项目", null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    training_class = models.ForeignKey("training.TrainingClass", verbose_name="培训班",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    org_name = models.CharField("填报单位", max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=DisclosureStatus.choices,
                              default=DisclosureStatus.PENDING)
    auto_granted = models.BooleanField("即时批准", default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.CharField("审批意见", max_length=200, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    used_at = models.DateTimeField("下载时间", null=True, blank=True)

    class Meta:
        verbose_name = "完整号码导出申请"
        verbose_name_plural = "完整号码导出申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A decision always names who took it (or that the rule granted it at once).
            models.CheckConstraint(
                name="disclosure_decided_names_decider",
                condition=models.Q(status="pending")
                | models.Q(decided_at__isnull=False)
                & (models.Q(decided_by__isnull=False) | models.Q(auto_granted=True))),
            # Nobody decides their own request.
            models.CheckConstraint(
                name="disclosure_not_self_decided",
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by"))),
        ]

    def __str__(self):
        return f"{self.get_form_display()} {self.people_count}人（{self.get_status_display()}）"

    @property
    def expired(self) -> bool:
        from django.utils import timezone
        return self.status == DisclosureStatus.GRANTED and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        """Granted and still within its validity (the download service checks it again)."""
        return self.status == DisclosureStatus.GRANTED and not self.expired

    @property
    def state_label(self) -> str:
        return "已过期" if self.expired else self.get_status_display()
