"""Pages of logistics: shipments, receipts, hubs and the map."""

from django.urls import path

from shieldwall.logistics import views

urlpatterns = [
    path("shipments/", views.shipment_board, name="shipment_board"),
    path("shipments/export/", views.shipment_export, name="shipment_export"),
    path("shipments/new/", views.shipment_create, name="shipment_create"),
    path("shipments/<int:id>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:id>/receive/", views.shipment_receive, name="shipment_receive"),
    path("shipments/<int:id>/<str:verb>/", views.shipment_step, name="shipment_step"),
    path("hubs/", views.hub_list, name="hub_list"),
    path("hubs/new/", views.hub_create, name="hub_create"),
    path("hubs/map/", views.hub_map, name="hub_map"),
    path("hubs/<int:id>/", views.hub_detail, name="hub_detail"),
]
