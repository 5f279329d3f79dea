# No Django admin: it would be a second way to every table, around the scoping, the services
# (their rules and audit) and 三员分立. Each role's pages and the administrators' consoles
# cover everything it did; reference data is imported and exported on the province's pages.
from django.urls import include, path

from apps.common import views as common_views

handler400 = "apps.common.views.bad_request"
handler403 = "apps.common.views.permission_denied"
handler404 = "apps.common.views.page_not_found"
handler500 = "apps.common.views.server_error"

urlpatterns = [
    path("favicon.ico", common_views.favicon, name="favicon"),
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
    path("abroad/", include("apps.abroad.urls")),
    path("complaints/", include("apps.complaints.urls")),
    path("evaluations/", include("apps.evaluations.urls")),
    path("incidents/", include("apps.incidents.urls")),
    path("followups/", include("apps.followups.urls")),
    # The REST API (issue 23) and the administrators' pages for its clients.
    path("api/v1/", include("apps.api.urls")),
    path("api-clients/", include("apps.api.console_urls")),
    path("returnees/", include("apps.returnees.urls")),
    path("outages/", include("apps.outages.urls")),
]
