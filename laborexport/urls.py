from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "对外劳务输出管理信息系统 · 后台"
admin.site.site_title = "对外劳务输出管理信息系统"

urlpatterns = [
    path("", include("apps.accounts.urls")),
    path("orgs/", include("apps.orgs.urls")),
    path("tasks/", include("apps.quotas.urls")),
    path("projects/", include("apps.projects.urls")),
    path("registry/", include("apps.registry.urls")),
    path("pipeline/", include("apps.pipeline.urls")),
    path("evidence/", include("apps.evidence.urls")),
    path("rosters/", include("apps.rosters.urls")),
    path("calendar/", include("apps.workdays.urls")),
    path("todo/", include("apps.deadlines.urls")),
    path("training/", include("apps.training.urls")),
    path("subsidies/", include("apps.subsidies.urls")),
    path("audit/", include("apps.audit.urls")),
    path("dashboards/", include("apps.dashboards.urls")),
    path("public/", include("apps.publicity.urls")),
    path("disclosures/", include("apps.disclosures.urls")),
    path("admin/", admin.site.urls),
]
