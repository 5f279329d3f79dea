from django.urls import path

from apps.api import endpoints as e
from apps.api import views

app_name = "api"

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("cities/", e.CityList.as_view(), name="city_list"),
    path("cities/<int:pk>/", e.CityDetail.as_view(), name="city_detail"),
    path("units/", e.UnitList.as_view(), name="unit_list"),
    path("units/<int:pk>/", e.UnitDetail.as_view(), name="unit_detail"),
    path("agencies/", e.AgencyList.as_view(), name="agency_list"),
    path("agencies/<int:pk>/", e.AgencyDetail.as_view(), name="agency_detail"),
    path("projects/", e.ProjectList.as_view(), name="project_list"),
    path("projects/<int:pk>/", e.ProjectDetail.as_view(), name="project_detail"),
    path("tasks/", e.TaskList.as_view(), name="task_list"),
    path("persons/", e.PersonList.as_view(), name="person_list"),
    path("persons/<int:pk>/", e.PersonDetail.as_view(), name="person_detail"),
    path("candidacies/", e.CandidacyList.as_view(), name="candidacy_list"),
    path("candidacies/<int:pk>/", e.CandidacyDetail.as_view(), name="candidacy_detail"),
    path("candidacies/<int:pk>/stages/", e.StageRecord.as_view(), name="stage_record"),
    path("stage-events/", e.StageEventList.as_view(), name="stage_event_list"),
    path("abroad/", e.AbroadList.as_view(), name="abroad_list"),
    path("returns/", e.ReturnList.as_view(), name="return_list"),
    path("deadline-items/", e.DeadlineItemList.as_view(), name="deadline_item_list"),
    path("figures/departures/", e.DepartureFigureList.as_view(), name="departure_figure_list"),
]
