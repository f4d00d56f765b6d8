"""One "granted" RoleChange per existing RoleAssignment, at its time and by whoever granted it, so the
audit log (which reads grants from RoleChange now) keeps the grants made before the table existed."""

from django.db import migrations


def record_existing_grants(apps, schema_editor):
    RoleAssignment = apps.get_model("teams", "RoleAssignment")
    RoleChange = apps.get_model("teams", "RoleChange")
    RoleChange.objects.bulk_create(
        RoleChange(
            user_id=assignment.user_id,
            role=assignment.role,
            change="granted",
            actor_id=assignment.granted_by_id,
            created_at=assignment.created_at,
        )
        for assignment in RoleAssignment.objects.order_by("pk").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [("teams", "0009_role_changes_invitations_vocabulary_changes")]

    operations = [migrations.RunPython(record_existing_grants, migrations.RunPython.noop)]
