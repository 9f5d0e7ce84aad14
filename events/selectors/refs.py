"""Rows a request names by their id or by their slug (``?entity=12``, ``?entity=nato``)."""

from django.db.models import Q


def is_id(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes "²" and "٣", which ``int`` refuses or reads
    as another number."""
    return value.isascii() and value.isdigit()


def id_or_slug(value: str, prefix: str = "") -> Q:
    """The row ``value`` names: by id when it is all digits, else by slug. ``prefix`` reaches a
    related row (``"entity__"``). An id too large for the column simply matches nothing."""
    if is_id(value):
        return Q(**{f"{prefix}id": int(value)})
    return Q(**{f"{prefix}slug": value})
