from django.urls import path

from apps.subsidies import views

app_name = "subsidies"

urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("new/", views.claim_create, name="claim_create"),
    path("reward/<int:consequence_pk>/", views.claim_create_reward, name="claim_create_reward"),
    path("<int:pk>/", views.claim_detail, name="claim_detail"),
    path("<int:pk>/do/<slug:action>/", views.claim_action, name="claim_action"),
    path("<int:pk>/form8.xlsx", views.export_form8, name="export_form8"),
    path("<int:pk>/form8/print/", views.print_form8, name="print_form8"),
    path("standards/", views.standard_list, name="standard_list"),
    path("budgets/", views.budget_list, name="budget_list"),
]
