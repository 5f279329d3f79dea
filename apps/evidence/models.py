"""Evidence files (附件6 填表说明 2): scans and photos behind each recorded stage.

Stored under MEDIA_ROOT, which no URL serves; the scoped view in views.py is the only way out.
"""
from django.conf import settings
from django.db import models

from apps.pipeline.models import Stage


class EvidenceKind(models.TextChoices):
    ID_COPY = "id_copy", "身份证复印件"
    FIRST_INTERVIEW_PHOTO = "first_interview_photo", "初试场景照片"
    MEDICAL_REPORT = "medical_report", "体检报告"
    SECOND_INTERVIEW_PHOTO = "second_interview_photo", "复试场景照片"
    SERVICE_CONTRACT = "service_contract", "劳务外派服务合同"
    EMPLOYMENT_CONTRACT = "employment_contract", "雇佣合同"
    TRAINING_PHOTO = "training_photo", "培训照片"
    RESIDENCE_CARD = "residence_card", "在留卡复印件"


# Which evidence belongs to which stage, and which kinds are photos (metadata stripped).
KIND_STAGE = {
    EvidenceKind.ID_COPY: Stage.REGISTERED,
    EvidenceKind.FIRST_INTERVIEW_PHOTO: Stage.FIRST_INTERVIEW,
    EvidenceKind.MEDICAL_REPORT: Stage.MEDICAL,
    EvidenceKind.SECOND_INTERVIEW_PHOTO: Stage.SECOND_INTERVIEW,
    EvidenceKind.SERVICE_CONTRACT: Stage.CONTRACT,
    EvidenceKind.EMPLOYMENT_CONTRACT: Stage.CONTRACT,
    EvidenceKind.TRAINING_PHOTO: Stage.TRAINING,
    EvidenceKind.RESIDENCE_CARD: Stage.DEPARTURE,
}

# Copies that show the full ID or residence number: served like a full number
# (scoping.full_numbers_visible), not to everyone who may see the person.
NUMBER_KINDS = {EvidenceKind.ID_COPY, EvidenceKind.RESIDENCE_CARD}


def evidence_path(instance, filename):
    return f"evidence/{instance.person_id}/{filename}"


class Evidence(models.Model):
    person = models.ForeignKey("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="evidence")
    candidacy = models.ForeignKey("pipeline.Candidacy", verbose_name="报名记录",
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="evidence")
    kind = models.CharField("材料类型", max_length=30, choices=EvidenceKind.choices)
    file = models.FileField("文件", upload_to=evidence_path)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人",
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["uploaded_at"]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"

    @property
    def stage(self):
        return KIND_STAGE[self.kind]
