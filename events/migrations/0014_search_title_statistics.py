"""Keep small statistics on the titles that searches compare by trigram word similarity.

PostgreSQL estimates a ``title %> 'query'`` condition (pg_trgm's ``matchingsel``) by
evaluating the word similarity against every most-common value and histogram bound of the
column: ~200 values at the default statistics target, 1.4 ms of planning for the timeline
lines' headlines alone, ~5 ms of every search page (event titles, translated titles, lines'
headlines). With a target of 10 (10 values and 11 bounds) each estimate takes ~0.2 ms, and
it is then mostly pg_trgm's default selectivity (1%): the histogram counts in proportion to
its size below 100 bounds. Nothing else filters or groups by these columns, and their
near-miss branches read the trigram indexes at either estimate.

Article titles keep the default: their estimate is part of the one that chooses how an
article list filtered by a query is read (events.selectors.search.article_list_matches), and
1% of the articles would tip a word found nowhere onto the walk that reads every vector.
"""

from django.db import migrations

COLUMNS = (
    ("events_event", "title"),
    ("events_eventtranslation", "title"),
    ("events_update", "headline"),
)


def _set_statistics(target: int) -> str:
    return "\n".join(
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target};"
        f" ANALYZE {table} ({column});"
        for table, column in COLUMNS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_band_key_article_index_dropped"),
    ]

    operations = [
        migrations.RunSQL(sql=_set_statistics(10), reverse_sql=_set_statistics(-1)),
    ]
