"""A "created" history row for every opportunity that existed before history was tracked.

Each "changed" row is compared with the row before it; without this baseline
the first change to an older opportunity could not say what it changed from.
"""

from django.db import migrations

COLUMNS = [
    "organization_id",
    "name",
    "category_id",
    "status_id",
    "phase_id",
    "owner_id",
    "description",
    "probability",
    "source_id",
    "value",
    "currency",
    "expected_close_date",
    "custom_values",
    "won_at",
    "lost_at",
    "lost_reason",
    "updated_by_id",
]

SQL = f"""
INSERT INTO opportunities_opportunityevent (pgh_created_at, pgh_label, pgh_obj_id, {", ".join(COLUMNS)})
SELECT o.created_at, 'created', o.id, {", ".join("o." + column for column in COLUMNS)}
  FROM opportunities_opportunity o
 WHERE NOT EXISTS (SELECT 1 FROM opportunities_opportunityevent e WHERE e.pgh_obj_id = o.id);
"""


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0008_history")]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
