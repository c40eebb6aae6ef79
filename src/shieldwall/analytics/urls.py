"""Pages of the analytics app, and the public transparency page under /public/ (no login)."""

from django.urls import path

from shieldwall.analytics import views

urlpatterns = [
    path("analytics/", views.donors, name="analytics_donors"),
    path("analytics/series/", views.series, name="analytics_series"),
    path("analytics/weapons/", views.weapons, name="analytics_weapons"),
    path("analytics/charts/<slug:name>.<slug:fmt>", views.chart, name="analytics_chart"),
    path("analytics/export/<slug:name>.<slug:fmt>", views.export, name="analytics_export"),
    path("public/", views.public, name="public_transparency"),
    path("public/charts/<slug:name>.<slug:fmt>", views.public_chart, name="public_chart"),
    path("public/export/<slug:name>.<slug:fmt>", views.public_export, name="public_export"),
]
