"""Parameters of the hand-written SQL of the hot paths."""

from collections.abc import Iterable


def array_literal(values: Iterable[int | float]) -> str:
    """The numbers as one PostgreSQL array literal (``{1,2,3}``), for a parameter the SQL
    casts (``%(name)s::bigint[]``). psycopg2 adapts a Python list element by element into
    ``ARRAY[...]`` (~2 µs an element in the worker: 0.25 ms for a stored article's 128-value
    MinHash signature), and the server then parses as many constants; a literal is one string
    to quote and one array input for the server. The same values: ``str`` of an int is its
    digits, of a float its shortest repr, which the server reads back to the same double."""
    return "{" + ",".join(map(str, values)) + "}"
