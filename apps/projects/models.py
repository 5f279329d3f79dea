"""Job projects (岗位项目, SPEC §3). A minimal model: drafting, review and docking come later."""
from django.db import models


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已结束"


class JobProject(models.Model):
    agency = models.ForeignKey("orgs.Agency", verbose_name="输出机构", on_delete=models.PROTECT,
                               related_name="projects")
    name = models.CharField("项目名称", max_length=100)
    country = models.CharField("输出国", max_length=30)
    employer = models.CharField("外方用工企业", max_length=100, blank=True)
    trade = models.CharField("工种", max_length=50)
    headcount = models.PositiveIntegerField("招聘人数", default=0)
    status = models.CharField("状态", max_length=10, choices=ProjectStatus.choices,
                              default=ProjectStatus.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位项目"
        verbose_name_plural = "岗位项目"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.country}·{self.trade}）"
