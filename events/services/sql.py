"""Pieces of the hand-written SQL of the hot paths."""

from collections.abc import Iterable

# Lets a transaction's commit return before its WAL reaches the disk: the first statement of
# a message that a worker's own transaction runs. Only for those transactions, which are
# idempotent: if the database crashes within the next fraction of a second and loses one, the
# article is still pending (or its attempt is not counted) and the sweep re-enqueues it;
# nothing half-written is possible, and any later ordinary commit flushes everything before
# it. Saves a disk flush per transaction.
COMMIT_ASYNC = "SET LOCAL synchronous_commit = off;\n"


def array_literal(values: Iterable[int | float]) -> str:
    """The numbers as one PostgreSQL array literal (``{1,2,3}``), for a parameter the SQL
    casts (``%(name)s::bigint[]``). psycopg2 adapts a Python list element by element into
    ``ARRAY[...]`` (~2 µs an element in the worker: 0.25 ms for a stored article's 128-value
    MinHash signature), and the server then parses as many constants; a literal is one string
    to quote and one array input for the server. The same values: ``str`` of an int is its
    digits, of a float its shortest repr, which the server reads back to the same double."""
    return "{" + ",".join(map(str, values)) + "}"
