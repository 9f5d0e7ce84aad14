"""When a worker last claimed an article (counted an attempt), in a column of its own.

The claim set ``updated_at``, which the ``article_changed`` index names: every claim then wrote
a new entry in each of the table's indexes. ``claimed_at`` is in none, so the claim is a HOT
update. The sweep of stalled articles reads it beside ``updated_at``. Adding a nullable column
without a default rewrites nothing.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0017_article_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
