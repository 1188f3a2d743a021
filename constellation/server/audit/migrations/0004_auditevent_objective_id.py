"""File every audit event under its objective: a real, indexed column for an objective's history.

The existing events are filed in batches: an objective's own events under it; an event whose
before or after snapshot names an objective by id under that one; the other events of a key
result, an initiative or a check-in under the objective their row still belongs to. An event
of a row deleted since, whose snapshots do not name the objective, stays unfiled.
"""

from collections import defaultdict

from django.db import migrations, models

BATCH = 2000

# object_type → the model of the row and the lookup of its objective's id.
OWNERS = {
    "keyresult": ("okrs", "KeyResult", "objective_id"),
    "initiative": ("okrs", "Initiative", "objective_id"),
    "checkin": ("tracking", "CheckIn", "key_result__objective_id"),
}


def _named(snapshot):
    """The objective id a snapshot names (`"objective": 12`), if any; a slug is not an id."""
    if not isinstance(snapshot, dict):
        return None
    value = snapshot.get("objective")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _filed(apps, rows):
    """Event id → objective id for one batch of (id, object_type, object_id, before, after)."""
    found = {}
    unknown = defaultdict(lambda: defaultdict(list))  # object_type → object id → event ids
    for pk, kind, object_id, before, after in rows:
        named = object_id if kind == "objective" else _named(after) or _named(before)
        if named is not None:
            found[pk] = named
        elif kind in OWNERS and object_id is not None:
            unknown[kind][object_id].append(pk)
    for kind, events in unknown.items():
        app, name, lookup = OWNERS[kind]
        owner = apps.get_model(app, name)
        pairs = owner.objects.filter(pk__in=list(events)).values_list("pk", lookup)
        for object_id, objective_id in pairs:
            for pk in events[object_id]:
                found[pk] = objective_id
    return found


def file_events_under_objectives(apps, schema_editor):
    """Fill `objective_id` on the existing events, BATCH events at a time."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    pending = AuditEvent.objects.filter(objective_id__isnull=True).order_by("id")
    last = 0
    while True:
        columns = ("id", "object_type", "object_id", "before", "after")
        rows = list(pending.filter(id__gt=last).values_list(*columns)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        found = _filed(apps, rows)
        AuditEvent.objects.bulk_update(
            [AuditEvent(id=pk, objective_id=objective_id) for pk, objective_id in found.items()],
            ["objective_id"],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_delete_auditrevision"),
        ("okrs", "0002_initial"),
        ("tracking", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="objective_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(file_events_under_objectives, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["organization", "objective_id", "created_at"],
                name="audit_event_objective_idx",
            ),
        ),
    ]
