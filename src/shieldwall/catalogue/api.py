"""REST API of the catalogue (`/api/v1/catalogue/…`): everyone signed in reads it, admins edit it."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from shieldwall.catalogue import selectors, services
from shieldwall.catalogue.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    CompatibilityIn,
    CompatibilityOut,
    CompatibilityPatch,
    ItemClassDetailOut,
    ItemClassIn,
    ItemClassOut,
    ItemClassPatch,
    ItemTypeIn,
    ItemTypeOut,
    ItemTypePatch,
)
from shieldwall.coalition.schemas import AreaCode
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.schemas import InSchema

router = Router(auth=AUTH, tags=["catalogue"])


class ClassQuery(InSchema):
    q: str = ""
    area: AreaCode | None = None
    family: str = ""
    serial_tracked: bool | None = None


class TypeQuery(InSchema):
    q: str = ""
    item_class: int | None = None
    area: AreaCode | None = None
    satisfies: int | None = None


class CompatibilityQuery(InSchema):
    item_type: int | None = None
    item_class: int | None = None


# --- capability areas ---------------------------------------------------------------------------------------


@router.get("/catalogue/areas", response=list[AreaOut])
@paginate(CursorPagination, ordering=("id",))
def list_areas(request: HttpRequest) -> object:
    return selectors.capability_area_list(actor=actor_of(request))


@router.get("/catalogue/areas/{area_id}", response=AreaOut)
def get_area(request: HttpRequest, area_id: int, response: HttpResponse) -> object:
    area = selectors.capability_area_get(actor=actor_of(request), id=area_id)
    set_etag(response, area)
    return area


@router.post("/catalogue/areas", response={201: AreaOut})
def create_area(request: HttpRequest, payload: AreaIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> AreaOut:
        area = services.capability_area_create(actor=actor, **payload.model_dump())
        return AreaOut.from_orm(selectors.capability_area_get(actor=actor, id=area.pk))

    return idempotent_create(request, actor, create)


@router.patch("/catalogue/areas/{area_id}", response=AreaOut)
def update_area(request: HttpRequest, area_id: int, payload: AreaPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.capability_area_get(actor=actor, id=area_id)
    services.capability_area_update(actor=actor, id=area_id, expected_version=expected_version(request, area_id),
                                    **payload.model_dump(exclude_unset=True))
    area = selectors.capability_area_get(actor=actor, id=area_id)
    set_etag(response, area)
    return area


# --- item classes ---------------------------------------------------------------------------------------------


@router.get("/catalogue/classes", response=list[ItemClassOut])
@paginate(CursorPagination, ordering=("id",))
def list_classes(request: HttpRequest, filters: Query[ClassQuery]) -> object:
    f = selectors.ItemClassFilters(q=filters.q, area=filters.area or "", family=filters.family,
                                   serial_tracked=filters.serial_tracked)
    return selectors.item_class_list(actor=actor_of(request), filters=f)


@router.get("/catalogue/classes/{class_id}", response=ItemClassDetailOut)
def get_class(request: HttpRequest, class_id: int, response: HttpResponse) -> object:
    obj = selectors.item_class_get(actor=actor_of(request), id=class_id)
    set_etag(response, obj)
    return obj


@router.post("/catalogue/classes", response={201: ItemClassDetailOut})
def create_class(request: HttpRequest, payload: ItemClassIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> ItemClassDetailOut:
        obj = services.item_class_create(actor=actor, **payload.model_dump())
        return ItemClassDetailOut.from_orm(selectors.item_class_get(actor=actor, id=obj.pk))

    return idempotent_create(request, actor, create)


@router.patch("/catalogue/classes/{class_id}", response=ItemClassDetailOut)
def update_class(request: HttpRequest, class_id: int, payload: ItemClassPatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.item_class_get(actor=actor, id=class_id)
    services.item_class_update(actor=actor, id=class_id, expected_version=expected_version(request, class_id),
                               **payload.model_dump(exclude_unset=True))
    obj = selectors.item_class_get(actor=actor, id=class_id)
    set_etag(response, obj)
    return obj


# --- item types -----------------------------------------------------------------------------------------------


@router.get("/catalogue/types", response=list[ItemTypeOut])
@paginate(CursorPagination, ordering=("id",))
def list_types(request: HttpRequest, filters: Query[TypeQuery]) -> object:
    f = selectors.ItemTypeFilters(q=filters.q, item_class=filters.item_class, area=filters.area or "",
                                  satisfies=filters.satisfies)
    return selectors.item_type_list(actor=actor_of(request), filters=f)


@router.get("/catalogue/types/{type_id}", response=ItemTypeOut)
def get_type(request: HttpRequest, type_id: int, response: HttpResponse) -> object:
    obj = selectors.item_type_get(actor=actor_of(request), id=type_id)
    set_etag(response, obj)
    return obj


@router.post("/catalogue/types", response={201: ItemTypeOut})
def create_type(request: HttpRequest, payload: ItemTypeIn) -> HttpResponse:
    actor = actor_of(request)

    def create() -> ItemTypeOut:
        obj = services.item_type_create(actor=actor, **payload.model_dump())
        return ItemTypeOut.from_orm(selectors.item_type_get(actor=actor, id=obj.pk))

    return idempotent_create(request, actor, create)


@router.patch("/catalogue/types/{type_id}", response=ItemTypeOut)
def update_type(request: HttpRequest, type_id: int, payload: ItemTypePatch, response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.item_type_get(actor=actor, id=type_id)
    services.item_type_update(actor=actor, id=type_id, expected_version=expected_version(request, type_id),
                              **payload.model_dump(exclude_unset=True))
    obj = selectors.item_type_get(actor=actor, id=type_id)
    set_etag(response, obj)
    return obj


# --- compatibility --------------------------------------------------------------------------------------------


@router.get("/catalogue/compatibility", response=list[CompatibilityOut])
@paginate(CursorPagination, ordering=("id",))
def list_compatibility(request: HttpRequest, filters: Query[CompatibilityQuery]) -> object:
    return selectors.compatibility_list(actor=actor_of(request), item_type=filters.item_type,
                                        item_class=filters.item_class)


@router.get("/catalogue/compatibility/{compatibility_id}", response=CompatibilityOut)
def get_compatibility(request: HttpRequest, compatibility_id: int, response: HttpResponse) -> object:
    obj = selectors.compatibility_get(actor=actor_of(request), id=compatibility_id)
    set_etag(response, obj)
    return obj


@router.post("/catalogue/compatibility", response={201: CompatibilityOut})
def create_compatibility(request: HttpRequest, payload: CompatibilityIn) -> HttpResponse:
    """Say that an item type also satisfies another item class (a 155 mm shell never satisfies 152 mm)."""
    actor = actor_of(request)

    def create() -> CompatibilityOut:
        obj = services.compatibility_create(actor=actor, **payload.model_dump())
        return CompatibilityOut.from_orm(selectors.compatibility_get(actor=actor, id=obj.pk))

    return idempotent_create(request, actor, create)


@router.patch("/catalogue/compatibility/{compatibility_id}", response=CompatibilityOut)
def update_compatibility(request: HttpRequest, compatibility_id: int, payload: CompatibilityPatch,
                         response: HttpResponse) -> object:
    actor = actor_of(request)
    selectors.compatibility_get(actor=actor, id=compatibility_id)
    services.compatibility_update(actor=actor, id=compatibility_id, note=payload.note,
                                  expected_version=expected_version(request, compatibility_id))
    obj = selectors.compatibility_get(actor=actor, id=compatibility_id)
    set_etag(response, obj)
    return obj


@router.delete("/catalogue/compatibility/{compatibility_id}", response={204: None})
def delete_compatibility(request: HttpRequest, compatibility_id: int) -> Status[None]:
    actor = actor_of(request)
    selectors.compatibility_get(actor=actor, id=compatibility_id)
    services.compatibility_delete(actor=actor, id=compatibility_id,
                                  expected_version=expected_version(request, compatibility_id))
    return Status(204, None)
