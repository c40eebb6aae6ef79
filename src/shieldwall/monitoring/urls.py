"""Pages of end-use monitoring: serial items, capture, compliance, inspections, disposition and loss reports."""

from django.urls import path

from shieldwall.monitoring import views

urlpatterns = [
    path("serials/", views.serial_item_list, name="serial_item_list"),
    path("serials/export/", views.serial_item_export, name="serial_item_export"),
    path("serials/<int:id>/", views.serial_item_detail, name="serial_item_detail"),
    path("serials/<int:id>/<str:verb>/", views.serial_item_action, name="serial_item_action"),
    path("shipments/<int:id>/lines/<int:line_id>/serials/", views.serial_capture, name="serial_capture"),
    path("compliance/", views.compliance_dashboard, name="compliance_dashboard"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:id>/", views.inspection_detail, name="inspection_detail"),
    path("dispositions/", views.disposition_list, name="disposition_list"),
    path("dispositions/import/", views.disposition_import, name="disposition_import"),
    path("dispositions/<int:id>/", views.disposition_detail, name="disposition_detail"),
    path("loss-reports/", views.loss_report_list, name="loss_report_list"),
    path("loss-reports/new/", views.loss_report_create, name="loss_report_create"),
    path("loss-reports/<int:id>/", views.loss_report_detail, name="loss_report_detail"),
]
