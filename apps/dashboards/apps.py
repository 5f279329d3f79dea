from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "apps.dashboards"
    verbose_name = "统计分析"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.dashboards.services import references_changed
        from apps.orgs.models import Agency, City, OrganisingUnit
        from apps.projects.models import JobProject
        from apps.quotas.models import Task
        # What the tables read live beside the figures (``services.figures_version``).
        for model in (Task, City, OrganisingUnit, Agency, JobProject):
            for kind, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(references_changed, sender=model,
                               dispatch_uid=f"dashboard-references-{model.__name__}-{kind}")
