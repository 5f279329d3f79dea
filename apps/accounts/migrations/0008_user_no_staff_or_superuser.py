# The CHECK is added in its own migration (its own transaction): ALTER TABLE refuses to run
# after the data step's UPDATE in the same transaction when deferred triggers are pending.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_no_staff_or_superuser"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(('is_staff', False), ('is_superuser', False)), name='user_no_staff_or_superuser'),
        ),
    ]
