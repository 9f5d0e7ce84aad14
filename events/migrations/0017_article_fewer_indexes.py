"""Fewer index entries per article write: four indexes of ``events_article`` that every
registration, claim and store paid for, and nothing read that another index does not serve.

- ``canonical_url``'s ``varchar_pattern_ops`` twin, which ``unique=True`` adds for
  ``LIKE 'prefix%'`` queries; nothing sends one (the admin's search is ``UPPER(…) LIKE
  '%…%'``, which no B-tree serves). The field becomes unique by a ``UniqueConstraint`` named
  as PostgreSQL named the one ``unique=True`` made, so the unique index is kept as it is (not
  rebuilt) and only the twin is dropped.
- ``outlet_id``'s own index: the (outlet_id, published_at DESC) index serves every lookup by
  outlet, the foreign key's ``SET NULL`` included.
- ``state``: now only the rows not ready (``article_unready``): ready ones are found by
  ``article_ready`` and ``article_listed``; the sweep of stalled pending articles and the
  admin's filter by state read the rest.
- ``updated_at``: now only ready rows (``article_changed``), which is all the API's
  ``updated_since`` lists; the sweep finds stalled pending articles through the pending
  rows' index above.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEX = "events_article_canonical_url_913c8884_like"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_article_search_vector_uncompressed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="canonical_url",
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
                    model_name="article",
                    constraint=models.UniqueConstraint(
                        fields=("canonical_url",), name="events_article_canonical_url_key"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX IF EXISTS {LIKE_INDEX}",
                    reverse_sql=f"CREATE INDEX {LIKE_INDEX} ON events_article "
                    "(canonical_url varchar_pattern_ops)",
                ),
            ],
        ),
        migrations.AlterField(
            model_name="article",
            name="outlet",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="events.outlet",
            ),
        ),
        migrations.RemoveIndex(
            model_name="article",
            name="events_arti_state_19f0be_idx",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("state", "ready"), _negated=True),
                fields=["state"],
                name="article_unready",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("state", "ready")),
                fields=["updated_at"],
                name="article_changed",
            ),
        ),
    ]
