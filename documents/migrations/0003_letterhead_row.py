from django.db import migrations


def create_letterhead(apps, schema_editor):
    # The one letterhead row exists from the start; admins only ever edit it.
    apps.get_model("documents", "Letterhead").objects.get_or_create(pk=1, defaults={"company_name": ""})


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_letterhead_approval")]

    operations = [migrations.RunPython(create_letterhead, migrations.RunPython.noop)]
