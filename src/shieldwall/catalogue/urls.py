"""Pages of the catalogue."""

from django.urls import path

from shieldwall.catalogue import views

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/classes/<int:id>/", views.item_class_detail, name="item_class_detail"),
]
