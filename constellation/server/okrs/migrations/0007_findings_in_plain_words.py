"""Stored coach findings keep the page's words and their fix; every objective is marked for the
daily job to rescore, which writes them (`okr rescore` does it at once)."""

from django.db import migrations, models


def rescore_all(apps, schema_editor):
    """Never scored, as far as the daily job knows: it scores them all again."""
    apps.get_model("okrs", "Objective").objects.update(scored_on=None)


class Migration(migrations.Migration):
    dependencies = [("okrs", "0006_statuses_from_launch")]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="plain_message",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="finding",
            name="plain_hint",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="finding",
            name="fix",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.RunPython(rescore_all, migrations.RunPython.noop),
    ]
