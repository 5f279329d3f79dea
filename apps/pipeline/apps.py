from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "apps.pipeline"
    verbose_name = "筛选输出流程"
