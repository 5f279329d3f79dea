from django.db import migrations

from apps.deadlines.rules import rules_ensure


def add_rules(apps, schema_editor):
    # The objection window (evaluation_objection, 5 working days) and the province's answer
    # to each objection (evaluation_answer, 10) join the deadline table.
    rules_ensure(apps.get_model("deadlines", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial"), ("deadlines", "0008_evaluation_event")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
