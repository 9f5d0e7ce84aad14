"""Store the articles' search vectors out of line without compression (``STORAGE EXTERNAL``).

A vector of a typical article is ~3 kB, TOASTed (out of line) and, for 60% of the benchmark
corpus's articles, compressed with pglz, which saves little on a vector (~15%). A search reads
hundreds of them per page (the newest matches are found by testing each row's vector, then 500
candidates are ranked with ``ts_rank_cd``), and decompression was most of that: ranking 500
candidates took 10-14 ms against 6-7 ms uncompressed (lz4 measured about the same as
uncompressed, but not every PostgreSQL build has it: the embedded one has not). Storing an
article also skips the compression (~60 µs per vector). The cost is disk: the articles' table
with its TOAST and indexes grows by a tenth (632 → 694 MB at 100k articles).

Only vectors written from now on are stored this way; the stored ones are rewritten uncompressed when
their article is next written. To convert them all at once (a full rewrite of the table's
TOAST, heavy on a large table): ``UPDATE events_article SET title = title``.
"""

from django.db import migrations


def _storage(kind: str) -> str:
    return f"ALTER TABLE events_article ALTER COLUMN search SET STORAGE {kind};"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0015_article_ids_matching"),
    ]

    operations = [
        migrations.RunSQL(sql=_storage("EXTERNAL"), reverse_sql=_storage("EXTENDED")),
    ]
