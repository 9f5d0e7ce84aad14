"""The event page's timeline: a page of lines at a time, the newest lines first, and each
rendered page kept in the cache under the change-log validators of what it shows.

A long timeline (a hundred lines, two hundred citations) cost ~100 ms to read and render on
every request. Now a request reads the validators (one indexed query, the API's
``TIMELINE_SQL``: the lines the viewer may see, their citations' articles, speakers and
outlets) and, while nothing it shows has changed, answers with the HTML rendered before.
Nothing is invalidated by hand: a published line, a retraction or a new citation moves the
validators, so the next request asks for another key and renders afresh (the old entry
expires unread). The key also holds everything else the HTML depends on: the role (editors
see drafts and lines in review, and their changes move only editors' validators), the UI
language (headings, labels), the reader's time zone (day headings, clocks), the database
(test runs and restored copies share Redis) and the page.

Pages count lines from the newest: page 1 is the latest :data:`PAGE_LINES` lines, page 2 the
ones before them. Each page reads in time order, "Earlier lines" above it and "Later lines"
below, plain links (``?page=N#timeline``) that htmx turns into a swap of this fragment. The
whole timeline, for printing or reading through, has a page of its own (cached the same
way)."""

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The API's validators: the same query, the same guarantees (events/api/conditional.py).
from events.api.conditional import TIMELINE_SQL, read_validators
from events.api.permissions import Role
from events.models import Event, Update
from events.selectors.events import event_timeline
from events.templatetags.tracker import day_heading
from events.web.access import viewer_is_editor

PAGE_LINES = 30
# A cached page is never stale (its key moves with every change); the time only bounds how
# long unread variants stay in Redis.
CACHE_SECONDS = 3600
# Bump when the fragment's template changes shape, so no older HTML is served after a deploy.
CACHE_VERSION = 1
WHOLE = "all"


def page_number(raw: str | None) -> int:
    """The requested page as a positive number; anything else is the first (newest) page.
    A number past the end shows the last (oldest) page."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return max(number, 1)


@dataclass(frozen=True)
class TimelineView:
    """What the fragment template shows: the lines grouped by day, in time order, and where
    they sit in the whole timeline (1 is the oldest line)."""

    event: Event
    days: list[tuple[str, list[Update]]]
    count: int
    first: int
    last: int
    number: int
    earlier: int | None
    later: int | None
    whole: bool


def _by_day(updates: list[Update]) -> list[tuple[str, list[Update]]]:
    return [
        (heading, list(lines))
        for heading, lines in groupby(
            updates, key=lambda u: day_heading(u.occurred_at, u.occurred_precision)
        )
    ]


def _timeline_view(event: Event, *, editor: bool, number: int | None) -> TimelineView:
    """The lines of page ``number`` (None: all of them): three queries (count, lines,
    citations with their articles, outlets and speakers) whatever the page's size."""
    lines = event_timeline(event=event, include_drafts=editor)
    if number is None:
        updates = list(lines)
        count = len(updates)
        return TimelineView(event, _by_day(updates), count, 1, count, 1, None, None, whole=True)
    # Newest first to cut the pages, so page 1 is always the latest lines; shown in time order.
    page = Paginator(lines.reverse(), PAGE_LINES).get_page(number)
    updates = list(reversed(page.object_list))
    count = page.paginator.count
    return TimelineView(
        event=event,
        days=_by_day(updates),
        count=count,
        first=count - page.end_index() + 1 if updates else 0,
        last=count - page.start_index() + 1 if updates else 0,
        number=page.number,
        earlier=page.next_page_number() if page.has_next() else None,
        later=page.previous_page_number() if page.has_previous() else None,
        whole=False,
    )


def _render(event: Event, *, editor: bool, number: int | None) -> str:
    view = _timeline_view(event, editor=editor, number=number)
    return render_to_string("events/_timeline.html", {"timeline": view})


def timeline_html(request: HttpRequest, event: Event, *, page: str | None) -> SafeString:
    """The timeline fragment (``page`` as the query gave it; :data:`WHOLE` for every line),
    from the cache while the lines the viewer may see, their sources and their speakers are
    unchanged: one query then, the validators."""
    editor = viewer_is_editor(request)
    number = None if page == WHOLE else page_number(page)
    role = Role.EDITOR if editor else Role.READER
    found = read_validators(TIMELINE_SQL, event.slug, role, with_database=True)
    if found is None:  # the event went away since it was read: nothing to keep
        return _safe(_render(event, editor=editor, number=number))
    state, _last_modified, database = found
    key = _key(
        database,
        event.slug,
        "editor" if editor else "public",
        get_language() or "",
        timezone.get_current_timezone_name(),
        WHOLE if number is None else number,
        state,
    )
    html = cache.get(key)
    if html is None:
        html = _render(event, editor=editor, number=number)
        cache.set(key, html, CACHE_SECONDS)
    return _safe(html)


def _key(*parts: Any) -> str:
    return ":".join(["page-timeline", str(CACHE_VERSION), *(str(part) for part in parts)])


def _safe(html: str) -> SafeString:
    # Rendered above by an auto-escaping template (or read back from where it was stored).
    return mark_safe(html)  # noqa: S308
