"""The event's public timeline as an Atom 1.0 feed (RFC 4287).

Retracted lines stay in the feed, titled "[Retracted] …" with the reason first in their
summary, so a reader or a mirror that saw the line learns that it was withdrawn; a corrected
line carries its correction note. Entry ids are tag: URIs (RFC 4151) built from the update's
id and creation date: they survive a renamed event slug and never repeat.
"""

from datetime import datetime
from typing import Any

from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from events.exports.data import ExportData, citation_credit
from events.exports.dates import iso
from events.exports.html import citation_list, update_notes
from events.models import Citation, Update, UpdateStatus

MEDIA_TYPE = "application/atom+xml; charset=utf-8"


class _Feed(Atom1Feed):
    """An Atom feed whose <updated> is the data's last change, not the time of the request
    (Django's default for an empty feed), so the same data gives the same bytes."""

    def __init__(self, *args: Any, updated: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._updated = updated

    def latest_post_date(self) -> datetime:
        return self._updated


def tag_uri(data: ExportData, kind: str, pk: int, created: datetime) -> str:
    return f"tag:{data.authority},{created:%Y-%m-%d}:tracker/{kind}/{pk}"


def render(data: ExportData) -> bytes:
    event = data.event
    feed = _Feed(
        title=f"{event.title}: timeline",
        link=data.event_url(event.slug),
        description=event.summary,
        subtitle=event.summary or None,
        language="en",
        feed_url=data.self_url,
        feed_guid=tag_uri(data, "event", event.pk, event.created_at),
        author_name="Tracker",
        updated=data.last_modified,
    )
    for update in reversed(data.updates):
        _add_entry(feed, data, update)
    return feed.writeString("utf-8").encode("utf-8")


def _add_entry(feed: Atom1Feed, data: ExportData, update: Update) -> None:
    retracted = update.status == UpdateStatus.RETRACTED
    citations = list(update.citations.all())
    credits = dict.fromkeys(credit for c in citations if (credit := citation_credit(c)))
    feed.add_item(
        title=f"[Retracted] {update.headline}" if retracted else update.headline,
        link=f"{data.event_url(data.event.slug)}#update-{update.pk}",
        description=_summary(update, citations),
        unique_id=tag_uri(data, "update", update.pk, update.created_at),
        author_name="; ".join(credits) or None,
        pubdate=update.published_at,
        updateddate=update.updated_at,
        categories=[update.status],
    )


def _summary(update: Update, citations: list[Citation]) -> str:
    """The entry's HTML: the retraction first, when it happened, the body, the correction,
    then the sources."""
    when = format_html("<p>{}</p>", iso(update.occurred_at, update.occurred_precision))
    notes = update_notes(update)
    if update.status == UpdateStatus.RETRACTED:
        notes.insert(1, when)
    else:
        notes.insert(0, when)
    return "".join(notes) + citation_list(citations)
