"""A few shared saved views every user sees in the table's "Views" menu."""

from django.db import migrations

DEFAULT_VIEWS = [
    ("My open opportunities", "owner=me&state=open&sort=expected_close_date", 10),
    ("Follow-ups overdue", "reminder=overdue&state=open&sort=next_reminder_date", 20),
    ("Open pipeline by phase", "state=open&group=phase&sort=-value", 30),
    ("Closing in the next 30 days", "state=open&close_within=30&sort=expected_close_date", 40),
    ("Won", "state=won&sort=-value", 50),
]


def create(apps, schema_editor):
    SavedView = apps.get_model("opportunities", "SavedView")
    for name, query, position in DEFAULT_VIEWS:
        SavedView.objects.get_or_create(owner=None, name=name, defaults={"query": query, "position": position})


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0004_denormalized_triggers")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
