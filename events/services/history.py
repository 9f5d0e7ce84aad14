"""Who made a change. Services wrap their writes in :func:`acting_as`; the change-log triggers
read the actor from the transaction-local setting ``tracker.actor``, so every row they record
(events, updates, articles, entities) says who and when, whatever path the write took."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

from events.models import User


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Run the block in a transaction whose change-log rows name ``user`` (None: the system,
    e.g. ingestion workers)."""
    actor = str(user.pk) if user is not None and user.pk is not None else ""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The setting lasts to the end of the outermost transaction: put back what was
            # there before, so writes after the block (same transaction) are not misattributed.
            cursor.execute(
                "SELECT coalesce(current_setting('tracker.actor', true), ''),"
                " set_config('tracker.actor', %s, true)",
                [actor],
            )
            (previous, _) = cursor.fetchone() or ("", "")
        yield
        # On an exception the block's savepoint or transaction is rolled back, and the
        # setting with it; only a normal exit needs it put back.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('tracker.actor', %s, true)", [previous])


P = ParamSpec("P")
R = TypeVar("R")


def attributed(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service in one transaction, acting as its ``by`` keyword argument."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        by = kwargs.get("by")
        with acting_as(by if isinstance(by, User) else None):
            return service(*args, **kwargs)

    return wrapper
