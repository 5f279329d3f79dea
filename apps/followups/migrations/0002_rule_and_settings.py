from django.db import migrations

from apps.followups.rules import rule_ensure, settings_ensure


def seed(apps, schema_editor):
    rule_ensure(apps.get_model("deadlines", "DeadlineRule"))
    settings_ensure(apps.get_model("followups", "FollowUpSettings"))


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial"), ("deadlines", "0006_generic_subjects_and_notices")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
