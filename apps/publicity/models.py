"""Policy notices for the public page (SPEC §9: approved projects and policies published)."""
from django.conf import settings
from django.db import models


class Notice(models.Model):
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    source = models.CharField("文号 / 来源", max_length=100, blank=True)
    published = models.BooleanField("公开", default=False)
    published_on = models.DateField("发布日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "政策公告"
        verbose_name_plural = "政策公告"
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title
