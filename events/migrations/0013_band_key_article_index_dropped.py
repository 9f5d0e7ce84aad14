"""Drop the band keys' own index of the article column: the unique (article, key) index
serves every lookup by article (the storing transaction's delete, cascades), and each stored
article inserts 42 band-key rows, each paying for every index of the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_article_event_covering_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="articlebandkey",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="band_keys",
                to="events.article",
            ),
        ),
    ]
