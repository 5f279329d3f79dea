# No Django admin: it would be a second way to every table, around the scoping, the services
# (their rules and audit) and 三员分立. Each role's pages and the administrators' consoles
# cover everything it did; reference data is imported and exported on the province's pages.
from django.urls import include, path

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
]
