"""Triggers that keep Opportunity's derived columns current.

- open_task_count from opportunities_task,
- last_activity_at, latest_mood and next_reminder_date from journal_journalentry,
- search_document (full-text: short name, name, organization name, description).

Statement-level triggers with transition tables recompute each affected
opportunity once per statement, so bulk writes (COPY, bulk_create, bulk
updates, admin, raw SQL) stay both correct and fast. Built-in full-text search
('simple' configuration: no stemming, fine for mixed German and English) needs
no extension, so it also works on the embedded PostgreSQL, which has no pg_trgm.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION crm_refresh_task_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE opportunities_opportunity o
           SET open_task_count = (SELECT count(*) FROM opportunities_task t
                                   WHERE t.opportunity_id = o.id AND t.done_at IS NULL)
         WHERE o.id IN (SELECT opportunity_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE opportunities_opportunity o
           SET open_task_count = (SELECT count(*) FROM opportunities_task t
                                   WHERE t.opportunity_id = o.id AND t.done_at IS NULL)
         WHERE o.id IN (SELECT opportunity_id FROM new_rows UNION SELECT opportunity_id FROM old_rows);
    ELSE
        UPDATE opportunities_opportunity o
           SET open_task_count = (SELECT count(*) FROM opportunities_task t
                                   WHERE t.opportunity_id = o.id AND t.done_at IS NULL)
         WHERE o.id IN (SELECT opportunity_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER task_counts_insert AFTER INSERT ON opportunities_task
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_refresh_task_counts();
CREATE TRIGGER task_counts_update AFTER UPDATE ON opportunities_task
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_refresh_task_counts();
CREATE TRIGGER task_counts_delete AFTER DELETE ON opportunities_task
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_refresh_task_counts();

CREATE FUNCTION crm_refresh_journal_summary(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE opportunities_opportunity o
       SET last_activity_at = s.last_at,
           latest_mood = coalesce(s.mood, ''),
           next_reminder_date = s.next_reminder
      FROM (
        SELECT x.id,
               (SELECT max(j.created_at) FROM journal_journalentry j WHERE j.opportunity_id = x.id) AS last_at,
               (SELECT j.mood FROM journal_journalentry j WHERE j.opportunity_id = x.id
                 ORDER BY j.created_at DESC, j.id DESC LIMIT 1) AS mood,
               (SELECT min(j.reminder_date) FROM journal_journalentry j
                 WHERE j.opportunity_id = x.id AND j.reminder_date IS NOT NULL AND j.reminder_done_at IS NULL)
                 AS next_reminder
          FROM unnest(ids) AS x(id)
      ) s
     WHERE o.id = s.id;
$$;

CREATE FUNCTION crm_journal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM crm_refresh_journal_summary(ARRAY(SELECT DISTINCT opportunity_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM crm_refresh_journal_summary(
            ARRAY(SELECT opportunity_id FROM new_rows UNION SELECT opportunity_id FROM old_rows));
    ELSE
        PERFORM crm_refresh_journal_summary(ARRAY(SELECT DISTINCT opportunity_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_summary_insert AFTER INSERT ON journal_journalentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_journal_changed();
CREATE TRIGGER journal_summary_update AFTER UPDATE ON journal_journalentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_journal_changed();
CREATE TRIGGER journal_summary_delete AFTER DELETE ON journal_journalentry
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_journal_changed();

CREATE FUNCTION crm_opportunity_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('simple', coalesce(NEW.short_name, '') || ' ' || replace(coalesce(NEW.short_name, ''), '-', ' ')), 'A')
        || setweight(to_tsvector('simple', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(
               (SELECT name FROM organizations_organization WHERE id = NEW.organization_id), '')), 'B')
        || setweight(to_tsvector('simple', left(coalesce(NEW.description, ''), 100000)), 'C');
    RETURN NEW;
END $$;

CREATE TRIGGER opportunity_search_document
    BEFORE INSERT OR UPDATE OF short_name, name, description, organization_id ON opportunities_opportunity
    FOR EACH ROW EXECUTE FUNCTION crm_opportunity_search_document();

CREATE FUNCTION crm_organization_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Touching "name" re-fires the opportunity search-document trigger.
    UPDATE opportunities_opportunity SET name = name WHERE organization_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER organization_renamed AFTER UPDATE OF name ON organizations_organization
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION crm_organization_renamed();
"""

REVERSE_SQL = r"""
DROP TRIGGER IF EXISTS organization_renamed ON organizations_organization;
DROP FUNCTION IF EXISTS crm_organization_renamed();
DROP TRIGGER IF EXISTS opportunity_search_document ON opportunities_opportunity;
DROP FUNCTION IF EXISTS crm_opportunity_search_document();
DROP TRIGGER IF EXISTS journal_summary_insert ON journal_journalentry;
DROP TRIGGER IF EXISTS journal_summary_update ON journal_journalentry;
DROP TRIGGER IF EXISTS journal_summary_delete ON journal_journalentry;
DROP FUNCTION IF EXISTS crm_journal_changed();
DROP FUNCTION IF EXISTS crm_refresh_journal_summary(bigint[]);
DROP TRIGGER IF EXISTS task_counts_insert ON opportunities_task;
DROP TRIGGER IF EXISTS task_counts_update ON opportunities_task;
DROP TRIGGER IF EXISTS task_counts_delete ON opportunities_task;
DROP FUNCTION IF EXISTS crm_refresh_task_counts();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0003_derived_columns_saved_views"),
        ("journal", "0001_initial"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
