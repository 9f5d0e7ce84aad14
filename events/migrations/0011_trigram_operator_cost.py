"""Price pg_trgm's similarity operators as what they are: a trigram set built per row.

pg_trgm declares the functions behind ``%``, ``<%`` and ``%>`` with COST 1 (as cheap as an
integer comparison), while each call splits a title into trigrams: ~8 µs for an article
title, some 300 times ``cpu_operator_cost``'s idea of one operator. Priced at 1, the planner
preferred testing every row to the trigram indexes (event_title_trgm,
event_translation_title_trgm, update_headline_trgm, article_title_trgm): a sequential scan of
the 1,000 event translations (9 ms) and of the timeline lines (12 ms) for every search, and,
for the newest near misses of a title, a walk down the articles' id index testing 16,000
titles (130 ms at 100k articles). At COST 100 (what PostgreSQL gives ``text @@ tsquery``,
which likewise parses text per row) those branches read their indexes.

Altering a function needs its owner. pg_trgm's functions belong to whoever installed the
extension (the bootstrap superuser when a non-superuser installed it, pg_trgm being
trusted); where the migrating role is not that owner the planner keeps pg_trgm's default and
this migration only says so (a NOTICE): the searches stay correct, just slower, and
events.selectors.search never lets a near-miss branch walk a big table in id order whatever
the costs. An extension update that replaces these functions resets their cost.
"""

from django.db import migrations

FUNCTIONS = (
    "similarity_op(text, text)",
    "word_similarity_op(text, text)",
    "word_similarity_commutator_op(text, text)",
)


def _set_cost(cost: int) -> str:
    statements = "\n".join(f"    ALTER FUNCTION {name} COST {cost};" for name in FUNCTIONS)
    return f"""
DO $$
BEGIN
{statements}
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm operator costs left as they are: % (see migration 0011)', SQLERRM;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunSQL(sql=_set_cost(100), reverse_sql=_set_cost(1)),
    ]
