"""Linking packages to the announcement they came of and the agreement they count towards."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.core.actor import Actor
from shieldwall.core.errors import NotFound, PermissionDenied, ValidationFailed
from shieldwall.core.models import AuditEvent
from shieldwall.pledges import links
from shieldwall.pledges.models import Package

pytestmark = pytest.mark.django_db


def test_donor_links_its_package_to_its_announcement(words: dict[str, Any], deu_officer: Actor) -> None:
    p3 = words["p3"]
    links.package_link_announcement(actor=deu_officer, package_id=p3.pk, announcement_id=None)
    assert Package.objects.visible_to(deu_officer).get(pk=p3.pk).announcement_id is None
    links.package_link_announcement(actor=deu_officer, package_id=p3.pk, announcement_id=words["deu_ann"].pk)
    assert Package.objects.visible_to(deu_officer).get(pk=p3.pk).announcement_id == words["deu_ann"].pk
    event = AuditEvent.objects.filter(action="package.link_announcement").latest("seq")
    assert event.changes == {"announcement": [None, words["deu_ann"].pk]}


def test_links_are_refused_with_the_reason(words: dict[str, Any], deu_officer: Actor, fra_officer: Actor,
                                           gbr_analyst: Actor) -> None:
    p3 = words["p3"].pk
    with pytest.raises(ValidationFailed) as exc:  # France did not fund the German package
        links.package_link_announcement(actor=deu_officer, package_id=p3, announcement_id=words["fra_ann"].pk)
    assert exc.value.errors == {"announcement": [
        "the announcing nation does not fund this package; link the announcement of one of its funders"]}
    with pytest.raises(NotFound):  # REL TO GBR, UKR: Germany cannot see it, so cannot link to it
        links.package_link_announcement(actor=deu_officer, package_id=p3, announcement_id=words["gbr_ann"].pk)
    with pytest.raises(PermissionDenied):  # France sees the German package but may not change it
        links.package_link_agreement(actor=fra_officer, package_id=p3, agreement_id=None)
    with pytest.raises(NotFound):  # the package REL TO DEU does not exist for France
        links.package_link_agreement(actor=fra_officer, package_id=words["p2"].pk, agreement_id=None)
    with pytest.raises(PermissionDenied):
        links.package_link_announcement(actor=gbr_analyst, package_id=p3, announcement_id=None)
    # The PURL package is co-funded by Germany, so it may count towards the German agreement; the French package
    # is not Germany's.
    with pytest.raises(ValidationFailed) as exc:
        links.package_link_agreement(actor=fra_officer, package_id=words["p1"].pk,
                                     agreement_id=words["agreement"].pk)
    assert exc.value.errors == {"agreement": [
        "the agreement's donor does not fund this package, so it cannot count towards it"]}
