"""Links from words to action: which meeting announcement a package came of, and which security agreement it
counts towards. Both are services (they change a package, audited through `core.writes`) kept apart from the
package services so the reports can be built on them.

The actor must see the package and may change it (a donor officer of its nation), and must see the
announcement or agreement; the announcing nation, or the agreement's donor, must be one of the package's
funders, so a package cannot be credited to somebody else's words.
"""

from __future__ import annotations

from django.db import transaction

from shieldwall.coalition.models import Announcement, SecurityAgreement
from shieldwall.core import writes
from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, ValidationFailed
from shieldwall.pledges.models import Package, PackageFunder


def _funder_ids(package: Package) -> set[int]:
    # A package without funder rows is wholly its originator's.
    ids = set(PackageFunder.objects.filter(package=package).values_list("nation_id", flat=True))
    return ids or {package.originator_id}


def package_link_announcement(
    *, actor: Actor, package_id: int, announcement_id: int | None, expected_version: int | None = None
) -> Package:
    """Record that the package came of this announcement (or of none, with `announcement_id=None`)."""
    with transaction.atomic():
        announcement = None
        if announcement_id is not None:
            announcement = Announcement.objects.visible_to(actor).filter(pk=announcement_id).first()
            if announcement is None:
                raise NotFound(f"announcement {announcement_id} not found")
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=package_id)
        writes.require(actor, "change", package)
        if announcement is not None and announcement.nation_id not in _funder_ids(package):
            raise ValidationFailed({"announcement": [
                "the announcing nation does not fund this package; link the announcement of one of its funders"]})
        return writes.update(actor=actor, obj=package, changes={"announcement": announcement},
                             expected_version=expected_version, action="package.link_announcement")


def package_link_agreement(
    *, actor: Actor, package_id: int, agreement_id: int | None, expected_version: int | None = None
) -> Package:
    """Record that the package counts towards this security agreement (or none, with `agreement_id=None`)."""
    with transaction.atomic():
        agreement = None
        if agreement_id is not None:
            agreement = SecurityAgreement.objects.visible_to(actor).filter(pk=agreement_id).first()
            if agreement is None:
                raise NotFound(f"security agreement {agreement_id} not found")
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=package_id)
        writes.require(actor, "change", package)
        if agreement is not None and agreement.donor_id not in _funder_ids(package):
            raise ValidationFailed({"agreement": [
                "the agreement's donor does not fund this package, so it cannot count towards it"]})
        return writes.update(actor=actor, obj=package, changes={"agreement": agreement},
                             expected_version=expected_version, action="package.link_agreement")


def package_unlink_agreement(
    *, actor: Actor, package_id: int, agreement_id: int, expected_version: int | None = None
) -> Package:
    """Stop counting the package towards this agreement (404 unless it is linked to it and both are visible)."""
    with transaction.atomic():
        if not SecurityAgreement.objects.visible_to(actor).filter(pk=agreement_id).exists():
            raise NotFound(f"security agreement {agreement_id} not found")
        package: Package = writes.get_visible_for_update(Package.objects, actor=actor, pk=package_id)
        if package.agreement_id != agreement_id:
            raise NotFound(f"package {package_id} does not count towards agreement {agreement_id}")
        return package_link_agreement(actor=actor, package_id=package_id, agreement_id=None,
                                      expected_version=expected_version)
