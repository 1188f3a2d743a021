"""Organisations made before owners existed get one: their first admin becomes the owner.

Without it nobody could ever make an owner (only an owner may), and the rule "the last owner
stays" would protect nothing.
"""

from django.db import migrations


def promote_first_admins(apps, schema_editor):
    Membership = apps.get_model("orgs", "Membership")
    Organization = apps.get_model("orgs", "Organization")
    for organization in Organization.objects.all():
        members = Membership.objects.filter(organization=organization)
        if members.filter(role="owner").exists():
            continue
        first = members.filter(role="admin").order_by("pk").first()
        if first is not None:
            first.role = "owner"
            first.save(update_fields=["role"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_team_version")]

    operations = [migrations.RunPython(promote_first_admins, migrations.RunPython.noop)]
