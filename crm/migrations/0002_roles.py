"""Create the groups Sales and Managers with their model permissions.

Sales work with organizations, members, opportunities, tasks, journal entries
and documents; Managers may additionally delete them and approve documents.
(0005 takes deleting members away from Sales, as this always meant.)
Admins are superusers/staff and configure phases, statuses, categories,
sources, tags and custom fields in Django admin. Object-level rules (e.g. only
their own journal entries for Sales) live in crm/permissions.py.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SALES = {
    "organizations": {"organization": ["view", "add", "change"], "member": ["view", "add", "change", "delete"]},
    "opportunities": {
        "opportunity": ["view", "add", "change"],
        "opportunitycontact": ["view", "add", "change", "delete"],
        "task": ["view", "add", "change", "delete"],
        "tag": ["view", "add"],
        "phase": ["view"],
        "status": ["view"],
        "category": ["view"],
        "source": ["view"],
        "customfield": ["view"],
    },
    "journal": {"journalentry": ["view", "add", "change", "delete"]},
    "documents": {"document": ["view", "add", "change"], "documentline": ["view", "add", "change", "delete"]},
}
MANAGER_EXTRA = {
    "organizations": {"organization": ["delete"]},
    "opportunities": {"opportunity": ["delete"], "tag": ["change", "delete"]},
    "documents": {"document": ["delete"]},
}


def _codenames(spec):
    for app_label, models in spec.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, f"{action}_{model}"


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate);
    # create them now so the groups can reference them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(spec):
        result = []
        for app_label, codename in _codenames(spec):
            result.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return result

    sales, _ = Group.objects.get_or_create(name="Sales")
    sales.permissions.set(permissions(SALES))
    managers, _ = Group.objects.get_or_create(name="Managers")
    managers.permissions.set(permissions(SALES) + permissions(MANAGER_EXTRA))
    approve = Permission.objects.get(content_type__app_label="documents", codename="approve_document")
    managers.permissions.add(approve)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_initial"),
        ("organizations", "0001_initial"),
        ("opportunities", "0002_seed_configuration"),
        ("journal", "0001_initial"),
        ("documents", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
