"""Pages of the coalition registry."""

from django.urls import path

from shieldwall.coalition import views

urlpatterns = [
    path("nations/", views.nation_list, name="nation_list"),
    path("nations/<str:code>/", views.nation_detail, name="nation_detail"),
    path("coalitions/", views.capability_coalition_list, name="capability_coalition_list"),
    path("coalitions/<int:id>/", views.capability_coalition_detail, name="capability_coalition_detail"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:id>/attendance/", views.attendance_add, name="meeting_attendance_add"),
    path("meetings/<int:id>/announcements/", views.announcement_add, name="meeting_announcement_add"),
]
