"""Returns recorded before issue 19 carry one free-text 归国原因: read each into a kind and a
cause through the same reading the 花名表 upload uses (apps.pipeline.returns.from_text);
what it cannot tell is "其他". The text itself is kept as the reason's explanation. Who
reported them and how they were checked was never asked: "其他" / "尚未核实", said honestly."""
from django.db import migrations


def map_reasons(apps, schema_editor):
    from apps.pipeline.returns import from_text
    Candidacy = apps.get_model("pipeline", "Candidacy")
    for c in Candidacy.objects.filter(returned_on__isnull=False, return_kind="").iterator():
        kind, cause = from_text(c.return_reason)
        Candidacy.objects.filter(pk=c.pk).update(
            return_kind=kind, return_cause=cause, return_reported_by="other",
            return_verified_by="unverified")


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0007_returns")]
    operations = [migrations.RunPython(map_reasons, migrations.RunPython.noop)]
