"""Reading the change log in order, resumably, without missing or repeating a row.

Rows are read in ``(txid, id)`` order, strictly after the caller's cursor and strictly below
the oldest transaction still running when the statement's snapshot was taken
(``pg_snapshot_xmin(pg_current_snapshot())``). Every transaction below that horizon has ended,
so all its rows are visible now and none can appear later; every row that becomes visible later
belongs to a transaction at or above it and therefore sorts after the cursor we hand out.
The horizon is taken from the same snapshot the rows are read with (one statement).

Consequences worth knowing: the horizon is the whole PostgreSQL server's (transaction ids
are cluster-wide), so any long transaction, in any database of the server, holds the feed back
until it ends: rows are then late, never lost. And a transaction's own uncommitted writes sit
at or above the horizon of its own snapshot, so a reader never sees its own open changes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import reverse

from events.models import Change, ChangeAction, ChangeKind

Cursor = tuple[int, int]

# Keys of an update's change data that anyone may see; the rest (if the triggers ever add
# more) stays with editors.
PUBLIC_UPDATE_DATA = ("event", "status")

_BELOW_HORIZON = RawSQL(
    "txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint", [], BooleanField()
)


def change_horizon() -> int:
    """The feed's current horizon: every change with a smaller txid is readable now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class ChangePage:
    changes: list[Change]
    cursor: Cursor | None  # resume from here: the last row returned, else the cursor given
    has_more: bool


def changes_since(
    *,
    cursor: Cursor | None,
    limit: int,
    include_private: bool,
    kinds: Iterable[str] = (),
) -> ChangePage:
    """Up to ``limit`` changes after ``cursor`` (None: from the beginning), in one query on
    the ``change_order`` index. ``include_private`` only for editors: others see public rows
    only, and of an update's data only :data:`PUBLIC_UPDATE_DATA`."""
    changes = Change.objects.filter(_BELOW_HORIZON)
    if cursor is not None:
        changes = changes.filter(
            RawSQL("(txid, id) > (%s, %s)", [cursor[0], cursor[1]], BooleanField())
        )
    if not include_private:
        changes = changes.filter(public=True)
    kinds = sorted(set(kinds))
    if kinds:
        changes = changes.filter(kind__in=kinds)
    rows = list(changes.order_by("txid", "id")[: limit + 1])
    page, has_more = rows[:limit], len(rows) > limit
    if not include_private:
        for change in page:
            if change.kind == ChangeKind.UPDATE:
                data = change.data
                change.data = {key: data[key] for key in PUBLIC_UPDATE_DATA if key in data}
    last = (page[-1].txid, page[-1].pk) if page else cursor
    return ChangePage(changes=page, cursor=last, has_more=has_more)


def change_paths() -> Callable[[Change], str | None]:
    """A function giving a change's object's API path (None for a deletion), from the key the
    change recorded: one ``reverse`` per kind, not per row."""

    def pattern(name: str, placeholder: str) -> Callable[[str], str]:
        template = reverse(f"api:{name}", args=[placeholder])
        return lambda value: template.replace(placeholder, value)

    def by_id(name: str) -> Callable[[Change], str]:
        build = pattern(name, "424242")
        return lambda change: build(str(change.object_id))

    event = pattern("event-detail", "slug-placeholder")
    paths: dict[str, Callable[[Change], str]] = {
        ChangeKind.EVENT: lambda change: event(change.object_key),
        ChangeKind.UPDATE: by_id("update-detail"),
        ChangeKind.ARTICLE: by_id("article-detail"),
        ChangeKind.ENTITY: by_id("entity-detail"),
    }

    def path(change: Change) -> str | None:
        if change.action == ChangeAction.DELETED or change.kind not in paths:
            return None
        return paths[change.kind](change)

    return path
