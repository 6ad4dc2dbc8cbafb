"""Seed the sales process with the product description's examples.

Admins rename, reorder, deactivate or add values in Django admin afterwards.
"""

from django.db import migrations

PHASES = [
    # name, colour, default probability, kind
    ("Uncontacted", "#94a3b8", 5, "open"),
    ("Research", "#60a5fa", 10, "open"),
    ("Contact made", "#38bdf8", 20, "open"),
    ("Reminder", "#f59e0b", 30, "open"),
    ("Implementation", "#a78bfa", 60, "open"),
    ("Won", "#22c55e", 100, "won"),
    ("Finished", "#0d9488", 100, "won"),
    ("Lost", "#ef4444", 0, "lost"),
]
STATUSES = ["Sales", "Implementation", "On hold", "Finished", "Lost"]
CATEGORIES = ["Onboarding", "Maintenance", "Consulting"]
SOURCES = ["Website", "Referral", "Trade fair", "Cold call", "Partner"]


def seed(apps, schema_editor):
    Phase = apps.get_model("opportunities", "Phase")
    for position, (name, color, probability, kind) in enumerate(PHASES, start=1):
        Phase.objects.get_or_create(
            name=name,
            defaults={"position": position * 10, "color": color, "default_probability": probability, "kind": kind},
        )
    for model_name, names in [("Status", STATUSES), ("Category", CATEGORIES), ("Source", SOURCES)]:
        model = apps.get_model("opportunities", model_name)
        for position, name in enumerate(names, start=1):
            model.objects.get_or_create(name=name, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
