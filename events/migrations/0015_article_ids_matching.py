"""A function that collects the ids of the articles whose vector matches a query from the GIN
index (article_search), whatever the planner estimates.

Testing a row's vector reads it from TOAST (~9 µs a row at 100k articles), which PostgreSQL
does not price (``tsvector @@ tsquery`` costs 1 ``cpu_operator_cost``, and its cost is not
ours to change), while it prices a GIN scan by the query's entries: a query widened by the
names of the entities it names (``'entity':* & '5':* | 'ентитет':* & '5' | ...``, a dozen
prefix alternatives) came out cheaper as a sequential scan, 0.9 s to find no article instead
of 10 ms from the index. Sequential scans are off inside the function only (its SET clause);
events.selectors.search calls it where the matches are few by PostgreSQL's estimate.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION tracker_article_ids_matching(query tsquery) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
    SELECT id FROM events_article WHERE search @@ query
$$;
"""

DROP = "DROP FUNCTION IF EXISTS tracker_article_ids_matching(tsquery);"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0014_search_title_statistics"),
    ]

    operations = [
        migrations.RunSQL(sql=CREATE, reverse_sql=DROP),
    ]
