"""Uploaded rosters: every upload is kept with who, when, the file's hash and its counts."""
from django.conf import settings
from django.db import models


class UploadKind(models.TextChoices):
    REGISTRATION = "registration", "报名名册（附件5字段）"
    ROSTER = "roster", "花名表（附件6，更新环节结果）"
    STANDING_CLASS = "standing_class", "非建制班人员花名表（附件9）"
    # Seed 003: the city checks its people against the national system, in bulk.
    POVERTY = "poverty", "脱贫劳动力核实名单"
    # The province's reference data (apps.orgs.reference), through the same front door.
    REF_PLANS = "ref_plans", "基础数据：年度任务计划"
    REF_TASKS = "ref_tasks", "基础数据：任务数（附件1、附件2）"
    REF_CITIES = "ref_cities", "基础数据：各市公共就业服务机构（附件3）"
    REF_UNITS = "ref_units", "基础数据：组织单位（附件1）"
    REF_AGENCIES = "ref_agencies", "基础数据：输出机构（附件4）"


REFERENCE_KINDS = frozenset(k for k in UploadKind if k.value.startswith("ref_"))


class UploadStatus(models.TextChoices):
    PREVIEWED = "previewed", "待确认"
    COMMITTED = "committed", "已导入"
    REFUSED = "refused", "已拒绝"
    FAILED = "failed", "导入失败"


class Upload(models.Model):
    kind = models.CharField("名册类型", max_length=20, choices=UploadKind.choices)
    status = models.CharField("状态", max_length=10, choices=UploadStatus.choices)
    original_name = models.CharField("文件名", max_length=120)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64, db_index=True)
    size = models.PositiveIntegerField("大小（字节）")
    file = models.FileField("文件", upload_to="uploads/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人",
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    # The uploader's organisation: what the upload may touch, and who may see it.
    city = models.ForeignKey("orgs.City", verbose_name="地市", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    unit = models.ForeignKey("orgs.OrganisingUnit", verbose_name="组织单位",
                             on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_count = models.PositiveIntegerField("新增", default=0)
    update_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    message = models.TextField("说明", blank=True)
    stage_date = models.DateField("环节日期", null=True, blank=True,
                                  help_text="花名表中新增环节结果的发生日期")
    # A 非建制班 roster (附件9) puts the people it registers on this class.
    training_class = models.ForeignKey("training.TrainingClass", verbose_name="非建制班",
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="uploads")
    preview = models.JSONField("预览", default=list, blank=True)

    class Meta:
        verbose_name = "名册上传"
        verbose_name_plural = "名册上传"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_reference(self) -> bool:
        return self.kind in REFERENCE_KINDS

    @property
    def noun(self) -> str:
        """What its counts count: people on a roster, rows of reference data."""
        return "条" if self.is_reference else "人"
