"""Deleting contact persons is for Managers (issue 8: Managers "plus … delete"); Sales edit them."""

from django.db import migrations


def managers_only(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    delete_member = Permission.objects.filter(content_type__app_label="organizations", codename="delete_member")
    for group in Group.objects.filter(name="Sales"):
        group.permissions.remove(*delete_member)


def sales_too(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    delete_member = Permission.objects.filter(content_type__app_label="organizations", codename="delete_member")
    for group in Group.objects.filter(name="Sales"):
        group.permissions.add(*delete_member)


class Migration(migrations.Migration):
    dependencies = [("crm", "0004_db_defaults")]

    operations = [migrations.RunPython(managers_only, sales_too)]
