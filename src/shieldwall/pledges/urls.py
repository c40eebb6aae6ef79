"""Pages of pledges: packages and pledge lines."""

from django.urls import path

from shieldwall.pledges import views

urlpatterns = [
    path("pledges/", views.package_list, name="package_list"),
    path("pledges/export/", views.package_export, name="package_export"),
    path("pledges/new/", views.package_create, name="package_create"),
    path("pledges/<int:id>/", views.package_detail, name="package_detail"),
    path("pledges/<int:id>/edit/", views.package_edit, name="package_edit"),
    path("pledges/<int:id>/delete/", views.package_delete, name="package_delete"),
    path("pledges/<int:id>/lines/new/", views.line_create, name="line_create"),
    path("pledges/<int:id>/import/", views.package_import, name="package_import"),
    path("pledge-lines/", views.line_list, name="line_list"),
    path("pledge-lines/export/", views.line_export, name="line_export"),
    path("pledge-lines/<int:id>/", views.line_detail, name="line_detail"),
    path("pledge-lines/<int:id>/edit/", views.line_edit, name="line_edit"),
    path("pledge-lines/<int:id>/<str:verb>/", views.line_step, name="line_step"),
]
