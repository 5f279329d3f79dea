from django.urls import path

from apps.training import views

app_name = "training"

urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.class_create, name="class_create"),
    path("<int:pk>/", views.class_detail, name="class_detail"),
    path("<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("<int:pk>/enrol/", views.class_enrol, name="class_enrol"),
    path("<int:pk>/results/", views.class_results, name="class_results"),
    path("<int:pk>/plan/", views.class_plan, name="class_plan"),
    path("<int:pk>/hours/", views.class_hours, name="class_hours"),
    path("<int:pk>/do/<slug:action>/", views.class_action, name="class_action"),
    path("<int:pk>/spot-check/", views.spot_check_create, name="spot_check_create"),
    path("<int:pk>/form7.xlsx", views.export_form7, name="export_form7"),
    path("<int:pk>/form7/print/", views.print_form7, name="print_form7"),
    path("<int:pk>/form9.xlsx", views.export_form9, name="export_form9"),
    path("<int:pk>/form9/print/", views.print_form9, name="print_form9"),
    path("enrolments/<int:pk>/remove/", views.enrolment_remove, name="enrolment_remove"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
