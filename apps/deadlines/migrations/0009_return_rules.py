from django.db import migrations

from apps.deadlines.rules import rules_ensure


def add_rules(apps, schema_editor):
    rules_ensure(apps.get_model("deadlines", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0008_rule_event_contract_end")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
