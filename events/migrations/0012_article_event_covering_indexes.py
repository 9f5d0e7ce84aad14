"""Covering indexes for the coverage counts of home and the event page and for the review
queue's header counts (see the models' comments): an event's links with their articles, and
the ready articles by id with their dates and originals, each read without the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_trigram_operator_cost"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("state", "ready")),
                fields=["id"],
                include=("published_at", "duplicate_of"),
                name="article_ready",
            ),
        ),
        migrations.AddIndex(
            model_name="articleevent",
            index=models.Index(
                fields=["event", "state", "-score"],
                include=("article",),
                name="article_event_by_event",
            ),
        ),
        # After its replacement is built: the event pages never go without one.
        migrations.RemoveIndex(
            model_name="articleevent",
            name="events_arti_event_i_2f663b_idx",
        ),
    ]
