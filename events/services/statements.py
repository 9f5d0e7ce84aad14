"""Server-side prepared statements for the ingestion's hot SQL (the claim, the row lock with its
lookups, the article's writes): PostgreSQL parses, analyses and plans each of these large
statements once per connection instead of once per article.

psycopg2 has no protocol-level prepare, so this uses SQL ``PREPARE name AS …`` once per
physical connection and ``EXECUTE name (…)`` after it; several EXECUTEs still go in one message
(the simple-query protocol allows it), so the round trips stay as they were. The statements
keep psycopg2's named parameters (``%(article)s``), so the same parameters serve both ways.

Prepared statements belong to a server session. A reconnect (Django's ``CONN_MAX_AGE``, a
health check) is a new session: what is prepared is recorded per psycopg2 connection object.
If the server no longer knows a statement anyway (``DEALLOCATE``/``DISCARD ALL`` by someone
else, a pooler that switched server sessions), :func:`execute` forgets what it recorded, the
next use drops the session's prepared statements (``DEALLOCATE ALL``: nothing else here
prepares any) and prepares them again. Outside a transaction it retries at once; inside one,
which the error aborted, it raises and the caller retries from its savepoint (the storing
transaction does: see ``article_store_page``; the claim inside a caller's transaction does
not, and fails that transaction).
Behind PgBouncer in transaction or statement pooling mode (SQL-level ``PREPARE`` does not
survive a change of server session there) set ``DATABASE_PREPARED_STATEMENTS=false``: the
plain statements are sent instead.
"""

import re
import weakref
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper

_PARAMETER = re.compile(r"%\((\w+)\)s")
# SQLSTATE invalid_sql_statement_name: "prepared statement … does not exist".
_UNKNOWN_STATEMENT = "26000"


class Statement:
    """One SQL statement with psycopg2 named parameters, to prepare under ``name``."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name
        self.sql = sql.strip()
        names = list(dict.fromkeys(_PARAMETER.findall(self.sql)))
        numbered = _PARAMETER.sub(lambda m: f"${names.index(m[1]) + 1}", self.sql)
        # Sent without parameters, so psycopg2 leaves a literal %% as it is.
        self.prepare = f"PREPARE {name} AS {numbered.replace('%%', '%')}"
        arguments = ", ".join(f"%({n})s" for n in names)
        self.execute = f"EXECUTE {name} ({arguments})" if names else f"EXECUTE {name}"


def statements_of(name: str, sql: str) -> tuple[Statement, ...]:
    """The statements of ``sql`` (one per line-ending semicolon), named ``name_1``, ``name_2``…"""
    texts = [text for text in sql.split(";\n") if text.strip()]
    return tuple(Statement(f"{name}_{n}", text) for n, text in enumerate(texts, 1))


# Names prepared on each psycopg2 connection (gone with it).
_prepared: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()
# Connections whose server forgot some of them: the rest are dropped before preparing again.
_stale: "weakref.WeakSet[Any]" = weakref.WeakSet()


def statements_sql(cursor: CursorWrapper, statements: tuple[Statement, ...]) -> str:
    """The text running ``statements`` in order in one message, preparing (in a round trip of
    its own, once per connection) those this connection has not prepared yet."""
    if not settings.DATABASE_PREPARED_STATEMENTS:
        return ";\n".join(s.sql for s in statements)
    raw = connection.connection
    done = _prepared.setdefault(raw, set())
    missing = [s for s in statements if s.name not in done]
    if missing:
        # Not transactional: a later rollback does not undo it.
        reset = ["DEALLOCATE ALL"] if raw in _stale else []
        cursor.execute(";\n".join([*reset, *(s.prepare for s in missing)]))
        _stale.discard(raw)
        done.update(s.name for s in missing)
    return ";\n".join(s.execute for s in statements)


def statement_lost(error: BaseException) -> bool:
    """Whether ``error`` says the server no longer knows a prepared statement."""
    return getattr(error.__cause__, "pgcode", None) == _UNKNOWN_STATEMENT


def execute(
    cursor: CursorWrapper,
    statements: tuple[Statement, ...],
    params: dict[str, Any],
    *,
    prefix: str = "",
    plans: str = "",
) -> None:
    """Run ``statements`` (after ``prefix``, plain SQL without parameters, in the same message)
    with the named ``params``. ``plans``, a ``plan_cache_mode`` (``force_custom_plan``,
    ``auto``), is set for the rest of the transaction in the same message when the statements
    are prepared; plain SQL is planned each time anyway, so it is not sent then."""
    if plans and settings.DATABASE_PREPARED_STATEMENTS:
        prefix += f"SET LOCAL plan_cache_mode = {plans};\n"
    try:
        cursor.execute(prefix + statements_sql(cursor, statements), params)
    except DatabaseError as error:
        if not statement_lost(error):
            raise
        _prepared.pop(connection.connection, None)
        _stale.add(connection.connection)
        if connection.in_atomic_block:
            raise  # the transaction is aborted: the caller retries from its savepoint
        cursor.execute(prefix + statements_sql(cursor, statements), params)
