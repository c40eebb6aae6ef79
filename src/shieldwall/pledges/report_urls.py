"""Pages of the words-to-action reports."""

from django.urls import path

from shieldwall.pledges import report_views

urlpatterns = [
    path("meetings/<int:id>/report/", report_views.meeting_report, name="meeting_report"),
    path("donors/<str:code>/", report_views.donor_detail, name="donor_detail"),
]
