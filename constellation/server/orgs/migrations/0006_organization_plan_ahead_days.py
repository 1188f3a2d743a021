from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_first_admin_of_each_organisation_becomes_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="plan_ahead_days",
            field=models.PositiveSmallIntegerField(default=42),
        ),
    ]
