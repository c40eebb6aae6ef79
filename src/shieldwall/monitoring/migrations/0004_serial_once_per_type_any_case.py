"""Serial numbers are unique per item type whatever their letter case, and stored upper-cased; every loss report
names the nation that held its items."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0003_lossreport_holder_serials_upper_case"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lossreport",
            name="holder",
            field=models.ForeignKey(help_text="The nation holding the items when they were lost or destroyed",
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="coalition.nation"),
        ),
        migrations.RemoveConstraint(
            model_name="serialitem",
            name="serial_once_per_type",
        ),
        migrations.AddConstraint(
            model_name="serialitem",
            constraint=models.UniqueConstraint(django.db.models.functions.text.Upper("serial_number"),
                                               models.F("item_type"), name="serial_once_per_type",
                                               violation_error_message="this serial number is already recorded "
                                                                       "for this item type"),
        ),
        migrations.AddConstraint(
            model_name="serialitem",
            constraint=models.CheckConstraint(condition=models.Q(("serial_number",
                                                                  django.db.models.functions.text.Upper(
                                                                      "serial_number"))),
                                              name="serial_upper_case",
                                              violation_error_message="serial numbers are recorded in upper case"),
        ),
    ]
