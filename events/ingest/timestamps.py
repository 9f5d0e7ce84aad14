"""Timestamps as pages and feeds write them, read as aware UTC datetimes."""

import datetime as dt
import email.utils


def parse_timestamp(value: str | None) -> dt.datetime | None:
    """An ISO 8601 (RFC 3339) or RFC 822 timestamp as aware UTC, or None. A time without a
    zone is taken as UTC: wrong by the site's offset at worst, and a zone cannot be guessed."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        return None
