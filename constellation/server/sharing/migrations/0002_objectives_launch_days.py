"""Each launched objective's launch day, from the launches kept so far; every score then
rescored by the daily job (statuses now know drafts, launches and guardrails)."""

from django.db import migrations
from django.utils import timezone


def launch_days(apps, schema_editor):
    """The day of each objective's latest launch; every objective marked for rescoring."""
    Launch = apps.get_model("sharing", "Launch")
    Objective = apps.get_model("okrs", "Objective")
    days: dict[int, object] = {}
    through = Launch.objectives.through
    for objective_id, at in through.objects.order_by("launch__at", "launch_id").values_list(
        "objective_id", "launch__at"
    ):
        days[objective_id] = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    for objective_id, day in days.items():
        Objective.objects.filter(pk=objective_id).update(launched_on=day)
    # Never scored, as far as the daily job knows: it scores them all again.
    Objective.objects.update(scored_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_create_reviews_dependencies_launches"),
        ("okrs", "0006_statuses_from_launch"),
    ]

    operations = [migrations.RunPython(launch_days, migrations.RunPython.noop)]
