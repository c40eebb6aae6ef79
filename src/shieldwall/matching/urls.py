"""Pages of matching."""

from django.urls import path

from shieldwall.matching import views

urlpatterns = [
    path("matching/", views.scenario_list, name="matching_scenario_list"),
    path("matching/scenarios/new/", views.scenario_create, name="matching_scenario_create"),
    path("matching/scenarios/<int:id>/", views.scenario_detail, name="matching_scenario_detail"),
    path("matching/scenarios/<int:id>/edit/", views.scenario_edit, name="matching_scenario_edit"),
    path("matching/scenarios/<int:id>/run/", views.scenario_run, name="matching_scenario_run"),
    path("matching/scenarios/<int:id>/what-if/", views.scenario_what_if, name="matching_what_if"),
    path("matching/runs/<int:id>/", views.run_detail, name="matching_run_detail"),
    path("matching/runs/<int:id>/progress/", views.run_progress, name="matching_run_progress"),
    path("matching/runs/<int:id>/approve/", views.run_approve, name="matching_run_approve"),
    path("matching/runs/<int:id>/compare/<int:other_id>/", views.run_compare, name="matching_run_compare"),
]
