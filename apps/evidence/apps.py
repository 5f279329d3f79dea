from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "apps.evidence"
    verbose_name = "证明材料"
