"""Who may write analytics records: data sets are reference data kept by administrators and analysts (imports,
refreshes); nobody edits a fact or a cell by hand — they come from an import or from the pledges they summarise."""

from __future__ import annotations

from django.db import models

from shieldwall.analytics.models import (
    ChannelAllocation,
    Contribution,
    ContributionCell,
    DataSource,
    DonorFigure,
    WeaponDelivery,
)
from shieldwall.core.access import write_rule
from shieldwall.core.actor import Actor
from shieldwall.core.roles import Role


@write_rule(DataSource)
@write_rule(DonorFigure)
@write_rule(Contribution)
@write_rule(ContributionCell)
@write_rule(WeaponDelivery)
@write_rule(ChannelAllocation)
def data_sets(actor: Actor, action: str, obj: models.Model | None) -> bool:
    return actor.has_role(Role.ADMIN, Role.ANALYST)
