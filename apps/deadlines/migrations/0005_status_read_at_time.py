from django.db import migrations


def forward(apps, schema_editor):
    # Due soon and overdue are read from the due time now; stored ones are just open.
    apps.get_model("deadlines", "DeadlineItem").objects.filter(
        status__in=["due_soon", "overdue"]).update(status="open")


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0004_deadlineitem_deadline_item_once_per_org"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
