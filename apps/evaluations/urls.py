from django.urls import path

from apps.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/criteria/new/", views.criterion_edit, name="criterion_create"),
    path("schemes/<int:pk>/criteria/<int:criterion_pk>/", views.criterion_edit,
         name="criterion_edit"),
    path("schemes/<int:pk>/<slug:action>/", views.scheme_action, name="scheme_action"),
    path("", views.scorecard_list, name="scorecard_list"),
    path("export.xlsx", views.scorecard_export, name="scorecard_export"),
    path("<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("<int:pk>/print/", views.scorecard_print, name="scorecard_print"),
    path("<int:pk>/objection/", views.objection_create, name="objection_create"),
    path("<int:pk>/<slug:action>/", views.scorecard_action, name="scorecard_action"),
    path("scores/<int:pk>/", views.score_records, name="score_records"),
    path("scores/<int:pk>/enter/", views.score_enter, name="score_enter"),
    path("scores/<int:pk>/evidence/", views.score_evidence, name="score_evidence"),
    path("scores/<int:pk>/correct/", views.score_correct, name="score_correct"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("consequences/<int:pk>/", views.consequence_detail, name="consequence_detail"),
    path("consequences/<int:pk>/decide/", views.consequence_decide, name="consequence_decide"),
    path("consequences/<int:pk>/review/", views.consequence_review, name="consequence_review"),
]
