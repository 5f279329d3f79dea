from django.db import migrations

from apps.deadlines.rules import rules_ensure


def add_rules(apps, schema_editor):
    # The complaint rules (reply, resolution, reopen window) join the deadline table.
    rules_ensure(apps.get_model("deadlines", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"),
                    ("deadlines", "0006_generic_subjects_and_notices")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
