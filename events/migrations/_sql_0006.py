"""SQL of migration 0006: the full-text functions and the change-log triggers.

Kept beside the migration (a leading underscore keeps Django's loader from taking it for a
migration); the migration must keep importing exactly this text once it has shipped."""

# One text configuration per language: PostgreSQL's stemmer where it has one, 'simple'
# (lower-cased words, no stemming) elsewhere: Bulgarian, Macedonian, Ukrainian, Belarusian,
# Kazakh and Polish have none. Both functions are IMMUTABLE so stored generated columns
# and expression indexes may use them.
SEARCH_FUNCTIONS = """
CREATE FUNCTION tracker_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE language
        WHEN 'en' THEN 'english' WHEN 'ru' THEN 'russian' WHEN 'de' THEN 'german'
        WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish' WHEN 'it' THEN 'italian'
        WHEN 'ro' THEN 'romanian' WHEN 'el' THEN 'greek' WHEN 'tr' THEN 'turkish'
        WHEN 'sr' THEN 'serbian' WHEN 'pt' THEN 'portuguese' WHEN 'nl' THEN 'dutch'
        ELSE 'simple'
    END::regconfig
$$;

-- Title weighs A, body B; the body is cut at 100,000 characters (tsvector's 1 MB limit and
-- the cost of indexing a page that is mostly not an article).
CREATE FUNCTION tracker_search_vector(language text, title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector(tracker_search_config(language), coalesce(title, '')), 'A')
        || setweight(to_tsvector(tracker_search_config(language),
                                 left(coalesce(body, ''), 100000)), 'B')
$$;
"""

SEARCH_FUNCTIONS_DROP = """
DROP FUNCTION IF EXISTS tracker_search_vector(text, text, text);
DROP FUNCTION IF EXISTS tracker_search_config(text);
"""

CHANGE_TRIGGERS = """
CREATE FUNCTION tracker_change_record(
    p_kind text, p_id bigint, p_key text, p_action text, p_public boolean, p_data jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_actor text := nullif(current_setting('tracker.actor', true), '');
BEGIN
    INSERT INTO events_change
        (txid, kind, object_id, object_key, action, public, actor_id, at, data)
    VALUES (pg_current_xact_id()::text::bigint, p_kind, p_id, coalesce(p_key, ''), p_action,
            p_public, v_actor::bigint, clock_timestamp(), coalesce(p_data, '{}'::jsonb));
END $$;

-- Events: created, updated, merged (merged_into newly set), deleted. All events are public.
CREATE FUNCTION tracker_event_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_change_record('event', NEW.id, NEW.slug, 'created', true, '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM tracker_change_record('event', OLD.id, OLD.slug, 'deleted', true, '{}');
    ELSIF NEW.merged_into_id IS NOT NULL
          AND NEW.merged_into_id IS DISTINCT FROM OLD.merged_into_id THEN
        PERFORM tracker_change_record('event', NEW.id, NEW.slug, 'merged', true,
            jsonb_build_object('merged_into',
                               (SELECT slug FROM events_event WHERE id = NEW.merged_into_id)));
    ELSE
        PERFORM tracker_change_record('event', NEW.id, NEW.slug, 'updated', true,
            CASE WHEN NEW.slug <> OLD.slug
                 THEN jsonb_build_object('previous_slug', OLD.slug) ELSE '{}' END);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_event_insert_delete AFTER INSERT OR DELETE ON events_event
    FOR EACH ROW EXECUTE FUNCTION tracker_event_changed();
CREATE TRIGGER tracker_event_update AFTER UPDATE ON events_event
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION tracker_event_changed();

-- An event's translations, participants and relations are part of what a mirror shows of it.
CREATE FUNCTION tracker_event_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_row record;
    v_ids bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN v_row := OLD; ELSE v_row := NEW; END IF;
    IF TG_TABLE_NAME = 'events_eventrelation' THEN
        v_ids := ARRAY[v_row.source_id, v_row.target_id];
    ELSE
        v_ids := ARRAY[v_row.event_id];
    END IF;
    PERFORM tracker_change_record('event', e.id, e.slug, 'updated', true, '{}')
       FROM events_event e WHERE e.id = ANY (v_ids);
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_event_translation_changed
    AFTER INSERT OR UPDATE OR DELETE ON events_eventtranslation
    FOR EACH ROW EXECUTE FUNCTION tracker_event_part_changed();
CREATE TRIGGER tracker_participant_changed
    AFTER INSERT OR UPDATE OR DELETE ON events_participant
    FOR EACH ROW EXECUTE FUNCTION tracker_event_part_changed();
CREATE TRIGGER tracker_relation_changed
    AFTER INSERT OR UPDATE OR DELETE ON events_eventrelation
    FOR EACH ROW EXECUTE FUNCTION tracker_event_part_changed();

-- Timeline updates: public only once published (drafts and lines in review stay with editors).
CREATE FUNCTION tracker_update_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_row record;
    v_action text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_row := OLD;
        v_action := 'deleted';
    ELSE
        v_row := NEW;
        IF TG_OP = 'INSERT' THEN
            v_action := CASE WHEN NEW.status = 'published' THEN 'published' ELSE 'created' END;
        ELSIF NEW.status = 'published' AND OLD.status <> 'published' THEN
            v_action := 'published';
        ELSIF NEW.status = 'retracted' AND OLD.status <> 'retracted' THEN
            v_action := 'retracted';
        ELSE
            v_action := 'updated';
        END IF;
    END IF;
    PERFORM tracker_change_record('update', v_row.id, v_row.id::text, v_action,
        v_row.status IN ('published', 'retracted'),
        jsonb_build_object('event', (SELECT slug FROM events_event WHERE id = v_row.event_id),
                           'status', v_row.status));
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_update_insert_delete AFTER INSERT OR DELETE ON events_update
    FOR EACH ROW EXECUTE FUNCTION tracker_update_changed();
CREATE TRIGGER tracker_update_update AFTER UPDATE ON events_update
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION tracker_update_changed();

-- A citation added to or removed from an update changes the update.
CREATE FUNCTION tracker_citation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_update_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_update_id := OLD.update_id;
    ELSE
        v_update_id := NEW.update_id;
    END IF;
    PERFORM tracker_change_record('update', u.id, u.id::text, 'updated',
        u.status IN ('published', 'retracted'),
        jsonb_build_object('event', e.slug, 'status', u.status))
       FROM events_update u JOIN events_event e ON e.id = u.event_id
      WHERE u.id = v_update_id;
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_citation_changed AFTER INSERT OR UPDATE OR DELETE ON events_citation
    FOR EACH ROW EXECUTE FUNCTION tracker_citation_changed();

-- Articles exist for readers once ready: becoming ready is their creation; a change of what
-- readers see is an update; leaving the list (or the table) is a deletion. Processing
-- bookkeeping (attempts, fetch times, fingerprints) is not a change.
CREATE FUNCTION tracker_article_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_ready_before boolean := TG_OP <> 'INSERT' AND OLD.state = 'ready';
    v_ready_after boolean := TG_OP <> 'DELETE' AND NEW.state = 'ready';
BEGIN
    IF v_ready_after AND NOT v_ready_before THEN
        PERFORM tracker_change_record('article', NEW.id, NEW.canonical_url, 'created', true, '{}');
    ELSIF v_ready_before AND NOT v_ready_after THEN
        PERFORM tracker_change_record('article', OLD.id, OLD.canonical_url, 'deleted', true, '{}');
    ELSIF v_ready_after AND (
            NEW.canonical_url, NEW.title, NEW.byline, NEW.text_version, NEW.language,
            NEW.published_at, NEW.modified_at, NEW.duplicate_of_id, NEW.outlet_id
          ) IS DISTINCT FROM (
            OLD.canonical_url, OLD.title, OLD.byline, OLD.text_version, OLD.language,
            OLD.published_at, OLD.modified_at, OLD.duplicate_of_id, OLD.outlet_id) THEN
        PERFORM tracker_change_record('article', NEW.id, NEW.canonical_url, 'updated', true, '{}');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_article_insert AFTER INSERT ON events_article
    FOR EACH ROW WHEN (NEW.state = 'ready') EXECUTE FUNCTION tracker_article_changed();
CREATE TRIGGER tracker_article_update AFTER UPDATE ON events_article
    FOR EACH ROW WHEN (OLD.state = 'ready' OR NEW.state = 'ready')
    EXECUTE FUNCTION tracker_article_changed();
CREATE TRIGGER tracker_article_delete AFTER DELETE ON events_article
    FOR EACH ROW WHEN (OLD.state = 'ready') EXECUTE FUNCTION tracker_article_changed();

-- An editor's decision on an article's event (confirm, reject, attach) changes the article.
-- Scored suggestions written by ingestion are not changes of their own.
CREATE FUNCTION tracker_article_event_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_article_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_article_id := OLD.article_id;
    ELSE
        v_article_id := NEW.article_id;
    END IF;
    PERFORM tracker_change_record('article', a.id, a.canonical_url, 'updated', true, '{}')
       FROM events_article a WHERE a.id = v_article_id AND a.state = 'ready';
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_article_event_insert AFTER INSERT ON events_articleevent
    FOR EACH ROW WHEN (NEW.state <> 'suggested')
    EXECUTE FUNCTION tracker_article_event_changed();
CREATE TRIGGER tracker_article_event_update AFTER UPDATE ON events_articleevent
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.event_id <> NEW.event_id)
    EXECUTE FUNCTION tracker_article_event_changed();
CREATE TRIGGER tracker_article_event_delete AFTER DELETE ON events_articleevent
    FOR EACH ROW WHEN (OLD.state <> 'suggested')
    EXECUTE FUNCTION tracker_article_event_changed();

-- Entities and their aliases.
CREATE FUNCTION tracker_entity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'events_entityalias' THEN
        PERFORM tracker_change_record('entity', e.id, e.id::text, 'updated', true, '{}')
           FROM events_entity e
          WHERE e.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.entity_id ELSE NEW.entity_id END;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM tracker_change_record('entity', NEW.id, NEW.id::text, 'created', true, '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM tracker_change_record('entity', OLD.id, OLD.id::text, 'deleted', true, '{}');
    ELSE
        PERFORM tracker_change_record('entity', NEW.id, NEW.id::text, 'updated', true, '{}');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tracker_entity_insert_delete AFTER INSERT OR DELETE ON events_entity
    FOR EACH ROW EXECUTE FUNCTION tracker_entity_changed();
CREATE TRIGGER tracker_entity_update AFTER UPDATE ON events_entity
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION tracker_entity_changed();
CREATE TRIGGER tracker_entity_alias_changed AFTER INSERT OR UPDATE OR DELETE ON events_entityalias
    FOR EACH ROW EXECUTE FUNCTION tracker_entity_changed();
"""

CHANGE_TRIGGERS_DROP = """
DROP TRIGGER IF EXISTS tracker_event_insert_delete ON events_event;
DROP TRIGGER IF EXISTS tracker_event_update ON events_event;
DROP TRIGGER IF EXISTS tracker_event_translation_changed ON events_eventtranslation;
DROP TRIGGER IF EXISTS tracker_participant_changed ON events_participant;
DROP TRIGGER IF EXISTS tracker_relation_changed ON events_eventrelation;
DROP TRIGGER IF EXISTS tracker_update_insert_delete ON events_update;
DROP TRIGGER IF EXISTS tracker_update_update ON events_update;
DROP TRIGGER IF EXISTS tracker_citation_changed ON events_citation;
DROP TRIGGER IF EXISTS tracker_article_insert ON events_article;
DROP TRIGGER IF EXISTS tracker_article_update ON events_article;
DROP TRIGGER IF EXISTS tracker_article_delete ON events_article;
DROP TRIGGER IF EXISTS tracker_article_event_insert ON events_articleevent;
DROP TRIGGER IF EXISTS tracker_article_event_update ON events_articleevent;
DROP TRIGGER IF EXISTS tracker_article_event_delete ON events_articleevent;
DROP TRIGGER IF EXISTS tracker_entity_insert_delete ON events_entity;
DROP TRIGGER IF EXISTS tracker_entity_update ON events_entity;
DROP TRIGGER IF EXISTS tracker_entity_alias_changed ON events_entityalias;
DROP FUNCTION IF EXISTS tracker_event_changed();
DROP FUNCTION IF EXISTS tracker_event_part_changed();
DROP FUNCTION IF EXISTS tracker_update_changed();
DROP FUNCTION IF EXISTS tracker_citation_changed();
DROP FUNCTION IF EXISTS tracker_article_changed();
DROP FUNCTION IF EXISTS tracker_article_event_changed();
DROP FUNCTION IF EXISTS tracker_entity_changed();
DROP FUNCTION IF EXISTS tracker_change_record(text, bigint, text, text, boolean, jsonb);
"""
