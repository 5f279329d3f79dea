"""Job projects (岗位项目, SPEC §3): drafted by an agency, reviewed and published by the
province with the commerce department's 项目审查表, docked (对接) by units and cities."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已结束"


def project_file_path(instance, filename):
    # Private storage (MEDIA_ROOT is not served); scoped views are the only way out.
    return f"projects/{instance._meta.model_name}/{instance.pk or 'new'}/{filename}"


class JobProject(models.Model):
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               related_name="projects")
    name = models.CharField("项目名称", max_length=100)
    country = models.CharField("输出国", max_length=30)
    employer = models.CharField("外方用工企业", max_length=100, blank=True)
    trade = models.CharField("工种", max_length=50)
    headcount = models.PositiveIntegerField("招聘人数", default=0)
    requirements = models.TextField("招聘条件", blank=True,
                                    help_text="年龄、性别、学历、外语等")
    pay = models.CharField("薪资待遇", max_length=200, blank=True)
    hours = models.CharField("工作时间", max_length=100, blank=True)
    contract_term = models.CharField("合同期限", max_length=50, blank=True)
    service_fee = models.DecimalField("服务费（元）", max_digits=10, decimal_places=2,
                                      null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=ProjectStatus.choices,
                              default=ProjectStatus.DRAFT)
    # The commerce department's 项目审查表: the province publishes nothing without it.
    review_no = models.CharField("项目审查表编号", max_length=50, blank=True)
    review_form = models.FileField("项目审查表", upload_to=project_file_path, blank=True)
    review_form_name = models.CharField("审查表文件名", max_length=200, blank=True)
    # Decided from the file's bytes (apps.common.files); blank for files stored before.
    review_form_type = models.CharField("审查表文件类型", max_length=50, blank=True,
                                        editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位项目"
        verbose_name_plural = "岗位项目"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.country}·{self.trade}）"


class ProjectDocking(models.Model):
    """A unit or a city docks (对接) with a published project, with its 合作协议."""

    project = models.ForeignKey(JobProject, verbose_name="岗位项目", on_delete=models.PROTECT,
                                related_name="dockings")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True,
                             related_name="project_dockings")
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             related_name="project_dockings")
    planned = models.PositiveIntegerField("拟推荐人数", null=True, blank=True)
    agreement = models.FileField("合作协议", upload_to=project_file_path, blank=True)
    agreement_name = models.CharField("协议文件名", max_length=200, blank=True)
    agreement_type = models.CharField("协议文件类型", max_length=50, blank=True, editable=False)
    signed_on = models.DateField("协议签订日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目对接"
        verbose_name_plural = "项目对接"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit"], condition=Q(unit__isnull=False),
                                    name="docking_once_per_unit"),
            models.UniqueConstraint(fields=["project", "city"], condition=Q(unit__isnull=True),
                                    name="docking_once_per_city"),
        ]

    def __str__(self):
        return f"{self.unit or self.city} — {self.project.name}"
