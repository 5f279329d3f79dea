from django.db import migrations

from apps.incidents.rules import rules_ensure


def add_rules(apps, schema_editor):
    rules_ensure(apps.get_model("deadlines", "DeadlineRule"),
                 apps.get_model("incidents", "IncidentReportRule"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial"),
                    ("deadlines", "0006_generic_subjects_and_notices")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
