"""Who made a change. Services wrap their writes in :func:`acting_as`; the change-log triggers
read the actor from the transaction-local setting ``tracker.actor``, so every row they record
(events, updates, articles, entities) says who and when, whatever path the write took."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from events.models import User


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Run the block in a transaction whose change-log rows name ``user`` (None: the system,
    e.g. ingestion workers)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('tracker.actor', %s, true)",
                [str(user.pk) if user is not None and user.pk is not None else ""],
            )
        yield
