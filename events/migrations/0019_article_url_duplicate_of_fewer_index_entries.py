"""Fewer index entries per registration and store, as 0017 did for other indexes:

- ``events_articleurl.url``'s ``varchar_pattern_ops`` twin, which ``unique=True`` adds for
  ``LIKE 'prefix%'`` queries; nothing sends one (the admin's search goes through the article's
  fields). The field becomes unique by a ``UniqueConstraint`` named as PostgreSQL named the one
  ``unique=True`` made, so the unique index is kept as it is (not rebuilt) and only the twin is
  dropped. Every URL a registration or a store adds wrote an entry in both.
- ``duplicate_of``: now only the copies (``article_duplicate_of``). An original, most
  articles, wrote a null entry when registered and another when stored. What reads the index
  looks copies up by the original's id (``= id``, ``IN (ids)``, the foreign key's ``SET NULL``),
  which the partial index serves.

Both are done in SQL under the state operations Django would run: its ``AlterField`` of a
foreign key's ``db_index`` also drops and re-adds the foreign key's constraint, which locks the
articles against reads too while every row is checked again. The new index is built with a
plain ``CREATE INDEX``: writes to the articles wait while it builds, reads do not (a fraction of
a second for 400k articles, 5% of them copies, measured on a scratch table).
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEX = "events_articleurl_url_d96d39da_like"
DUPLICATE_OF_INDEX = "events_article_duplicate_of_id_4e000117"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_article_claimed_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="articleurl",
                    name="url",
                    field=models.CharField(
                        max_length=2048,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^(https?://[^\\s]+|urn:[a-z0-9][a-z0-9-]*:[^\\s]+)$",
                                "Enter an http(s) URL, or a urn: for an article imported "
                                "without one.",
                            )
                        ],
                    ),
                ),
                migrations.AddConstraint(
                    model_name="articleurl",
                    constraint=models.UniqueConstraint(
                        fields=("url",), name="events_articleurl_url_key"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {LIKE_INDEX}",
                    reverse_sql=f"CREATE INDEX {LIKE_INDEX} ON events_articleurl "
                    "(url varchar_pattern_ops)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="duplicate_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="duplicates",
                        to="events.article",
                    ),
                ),
                migrations.AddIndex(
                    model_name="article",
                    index=models.Index(
                        condition=models.Q(("duplicate_of__isnull", False)),
                        fields=["duplicate_of"],
                        name="article_duplicate_of",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {DUPLICATE_OF_INDEX}; "
                    "CREATE INDEX article_duplicate_of ON events_article (duplicate_of_id) "
                    "WHERE duplicate_of_id IS NOT NULL",
                    reverse_sql="DROP INDEX IF EXISTS article_duplicate_of; "
                    f"CREATE INDEX {DUPLICATE_OF_INDEX} ON events_article (duplicate_of_id)",
                ),
            ],
        ),
    ]
