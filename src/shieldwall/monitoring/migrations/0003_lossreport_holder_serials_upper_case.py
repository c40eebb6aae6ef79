"""Loss reports record the nation that held their items; serial numbers are stored upper-cased.

Data only, before the constraints of 0004 (each migration runs in its own transaction, so PostgreSQL adds the
constraints after these updates are committed). A report's holder is its items' custodian (a loss leaves the
custody as it was), else its recipient. Serial numbers typed in lower case are upper-cased; two numbers of one item
type that differ only in case cannot both be kept, so the migration stops and names them instead of guessing which
item is which.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Upper


def backfill_holder(apps: Any, schema_editor: Any) -> None:
    LossReport = apps.get_model("monitoring", "LossReport")
    SerialItem = apps.get_model("monitoring", "SerialItem")
    first_holder = (SerialItem._base_manager.filter(loss_reports=OuterRef("pk")).order_by("pk")
                    .values("custodian_nation_id"))
    LossReport._base_manager.update(holder_id=Coalesce(Subquery(first_holder[:1]), "recipient_id"))


def upper_case_serials(apps: Any, schema_editor: Any) -> None:
    SerialItem = apps.get_model("monitoring", "SerialItem")
    items = SerialItem._base_manager
    clashes = list(items.annotate(upper=Upper("serial_number")).values("item_type_id", "upper")
                   .annotate(n=Count("id")).filter(n__gt=1).order_by("item_type_id", "upper")[:20])
    if clashes:
        listed = ", ".join(f"{c['upper']} (item type {c['item_type_id']})" for c in clashes)
        raise RuntimeError(f"serial numbers that differ only in letter case are recorded for the same item type: "
                           f"{listed}; correct them before migrating, since serial numbers are now compared "
                           "without regard to case")
    items.exclude(serial_number=Upper("serial_number")).update(serial_number=Upper("serial_number"))


class Migration(migrations.Migration):

    dependencies = [
        ("coalition", "0002_securityagreement_obligation"),
        ("monitoring", "0002_itemmarking_compliancecell"),
    ]

    operations = [
        migrations.AddField(
            model_name="lossreport",
            name="holder",
            field=models.ForeignKey(null=True, help_text="The nation holding the items when they were lost or "
                                    "destroyed", on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="coalition.nation"),
        ),
        migrations.RunPython(backfill_holder, migrations.RunPython.noop),
        migrations.RunPython(upper_case_serials, migrations.RunPython.noop),
    ]
