"""Pages of the catalogue."""

from django.urls import path

from shieldwall.catalogue import views

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/classes/new/", views.item_class_create, name="item_class_create"),
    path("catalogue/classes/<int:id>/", views.item_class_detail, name="item_class_detail"),
    path("catalogue/classes/<int:id>/edit/", views.item_class_edit, name="item_class_edit"),
    path("catalogue/types/new/", views.item_type_create, name="item_type_create"),
    path("catalogue/types/<int:id>/edit/", views.item_type_edit, name="item_type_edit"),
    path("catalogue/types/<int:id>/compatibility/", views.compatibility_add, name="compatibility_add"),
    path("catalogue/types/<int:id>/compatibility/remove/", views.compatibility_remove,
         name="compatibility_remove"),
]
