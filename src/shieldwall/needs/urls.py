"""Pages of the requirements list and its coverage."""

from django.urls import path

from shieldwall.needs import views

urlpatterns = [
    path("requirements/", views.requirement_list, name="requirement_list"),
    path("requirements/export/", views.requirement_export, name="requirement_export"),
    path("requirements/new/", views.requirement_create, name="requirement_create"),
    path("requirements/<int:id>/", views.requirement_detail, name="requirement_detail"),
    path("requirements/<int:id>/edit/", views.requirement_edit, name="requirement_edit"),
    path("requirements/<int:id>/<slug:action>/", views.requirement_transition, name="requirement_transition"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
]
