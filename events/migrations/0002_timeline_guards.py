"""Database guards for the timeline's two promises.

1. A published (or retracted) update always has at least one citation. Checked by deferred
   constraint triggers, so a service may insert the update and its citations in any order
   inside one transaction; the check runs at commit.
2. A published or retracted update is never deleted (retraction keeps it visible instead).
"""

from django.db import migrations

GUARDS = """
CREATE FUNCTION events_update_cited_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    checked_id bigint;
BEGIN
    IF TG_TABLE_NAME = 'events_update' THEN
        checked_id := NEW.id;
    ELSE
        checked_id := OLD.update_id;
    END IF;
    IF checked_id IS NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM events_update
               WHERE id = checked_id AND status IN ('published', 'retracted'))
       AND NOT EXISTS (SELECT 1 FROM events_citation WHERE update_id = checked_id) THEN
        RAISE EXCEPTION 'update % is published but has no citation', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'update_published_has_citation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER update_published_has_citation
    AFTER INSERT OR UPDATE OF status ON events_update
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION events_update_cited_check();

CREATE CONSTRAINT TRIGGER citation_keeps_update_cited
    AFTER DELETE OR UPDATE OF update_id ON events_citation
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION events_update_cited_check();

CREATE FUNCTION events_update_not_deleted_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('published', 'retracted') THEN
        RAISE EXCEPTION 'update % was published: retract it instead of deleting it', OLD.id
            USING ERRCODE = 'integrity_constraint_violation',
                  CONSTRAINT = 'update_published_not_deleted';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER update_published_not_deleted
    BEFORE DELETE ON events_update
    FOR EACH ROW EXECUTE FUNCTION events_update_not_deleted_check();
"""

DROP_GUARDS = """
DROP TRIGGER IF EXISTS update_published_not_deleted ON events_update;
DROP FUNCTION IF EXISTS events_update_not_deleted_check();
DROP TRIGGER IF EXISTS citation_keeps_update_cited ON events_citation;
DROP TRIGGER IF EXISTS update_published_has_citation ON events_update;
DROP FUNCTION IF EXISTS events_update_cited_check();
"""


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunSQL(GUARDS, DROP_GUARDS)]
