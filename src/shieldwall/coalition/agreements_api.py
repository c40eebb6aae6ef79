"""REST API of security agreements (`/api/v1/agreements`): CRUD with the yearly schedule in one call, the
fulfilment per year from the packages the agreement covers, and linking packages to it. Thin over the
coalition services and selectors and `pledges.reports` / `pledges.links`."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from shieldwall.coalition import selectors, services
from shieldwall.coalition.agreement_schemas import AgreementIn, AgreementOut, AgreementPackageIn, AgreementPatch
from shieldwall.coalition.schemas import patch_changes
from shieldwall.core.api_support import AUTH, actor_of, expected_version, idempotent_create, set_etag
from shieldwall.core.schemas import InSchema
from shieldwall.pledges import links, reports
from shieldwall.pledges.report_schemas import FulfilmentOut, fulfilment_out

router = Router(auth=AUTH, tags=["agreements"])


class AgreementQuery(InSchema):
    q: str = ""
    donor: str = ""
    partner: str = ""


@router.get("/agreements", response=list[AgreementOut])
@paginate(CursorPagination, ordering=("-id",))
def list_agreements(request: HttpRequest, filters: Query[AgreementQuery]) -> object:
    f = selectors.AgreementFilters(q=filters.q, donor=filters.donor, partner=filters.partner)
    return selectors.agreement_list(actor=actor_of(request), filters=f)


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request: HttpRequest, agreement_id: int, response: HttpResponse) -> object:
    agreement = selectors.agreement_get(actor=actor_of(request), id=agreement_id)
    set_etag(response, agreement)
    return agreement


@router.post("/agreements", response={201: AgreementOut})
def create_agreement(request: HttpRequest, payload: AgreementIn) -> HttpResponse:
    actor = actor_of(request)
    fields = payload.model_dump(exclude={"classification", "releasability", "rel_to", "obligations"})

    def create() -> AgreementOut:
        row = services.agreement_create(actor=actor, **fields, obligations=payload.schedule(),
                                        **payload.marking_kwargs())
        return AgreementOut.from_orm(selectors.agreement_get(actor=actor, id=row.pk))

    return idempotent_create(request, actor, create)


@router.patch("/agreements/{agreement_id}", response=AgreementOut)
def update_agreement(request: HttpRequest, agreement_id: int, payload: AgreementPatch,
                     response: HttpResponse) -> object:
    """Change fields; `obligations`, when sent, replaces the whole yearly schedule. Needs If-Match."""
    actor = actor_of(request)
    selectors.agreement_get(actor=actor, id=agreement_id)
    changes, rel_to = patch_changes(payload)
    schedule = changes.pop("obligations", None)
    services.agreement_update(
        actor=actor, id=agreement_id, expected_version=expected_version(request, agreement_id), rel_to=rel_to,
        obligations=None if schedule is None else [(o["year"], o["amount_eur"]) for o in schedule], **changes)
    agreement = selectors.agreement_get(actor=actor, id=agreement_id)
    set_etag(response, agreement)
    return agreement


@router.delete("/agreements/{agreement_id}", response={204: None})
def delete_agreement(request: HttpRequest, agreement_id: int) -> Status[None]:
    actor = actor_of(request)
    selectors.agreement_get(actor=actor, id=agreement_id)
    services.agreement_delete(actor=actor, id=agreement_id, expected_version=expected_version(request, agreement_id))
    return Status(204, None)


@router.get("/agreements/{agreement_id}/fulfilment", response=FulfilmentOut)
def agreement_fulfilment(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    """Per year: the obligation, the donor's committed value (by the year of commitment) and delivered value
    (by the year of delivery) from the visible packages the agreement covers, and the % fulfilled."""
    return fulfilment_out(reports.agreement_fulfilment(actor=actor_of(request), agreement_id=agreement_id))


@router.post("/agreements/{agreement_id}/packages", response=FulfilmentOut)
def link_package(request: HttpRequest, agreement_id: int, payload: AgreementPackageIn) -> dict[str, Any]:
    """Count a package (one the agreement's donor funds, and you may change) towards the agreement."""
    actor = actor_of(request)
    links.package_link_agreement(actor=actor, package_id=payload.package_id, agreement_id=agreement_id)
    return fulfilment_out(reports.agreement_fulfilment(actor=actor, agreement_id=agreement_id))


@router.delete("/agreements/{agreement_id}/packages/{package_id}", response={204: None})
def unlink_package(request: HttpRequest, agreement_id: int, package_id: int) -> Status[None]:
    links.package_unlink_agreement(actor=actor_of(request), package_id=package_id, agreement_id=agreement_id)
    return Status(204, None)
