"""Pages of the coalition registry."""

from django.urls import path

from shieldwall.coalition import agreement_views, views

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
    path("agreements/", agreement_views.agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_views.agreement_create, name="agreement_create"),
    path("agreements/<int:id>/", agreement_views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:id>/edit/", agreement_views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:id>/delete/", agreement_views.agreement_delete, name="agreement_delete"),
    path("agreements/<int:id>/packages/", agreement_views.agreement_link_package, name="agreement_link_package"),
    path("agreements/<int:id>/packages/<int:package_id>/unlink/", agreement_views.agreement_unlink_package,
         name="agreement_unlink_package"),
]
