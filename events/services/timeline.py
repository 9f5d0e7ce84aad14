"""Writes to the timeline: updates move draft → in_review → published → retracted, each change
is kept as a version, and nothing is published without a citation.

Every interface (admin, API, web pages, load_demo) calls these; none writes Update rows itself.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import (
    Article,
    Citation,
    Event,
    Precision,
    Update,
    UpdateRevision,
    UpdateStatus,
    UpdateVersion,
    User,
)
from events.services.events import event_live
from events.services.history import attributed


@dataclass(frozen=True, kw_only=True)
class CitationData:
    """What an editor says backs a line. ``span`` is located from ``quote`` when not given."""

    article_id: int | None = None
    outlet_id: int | None = None
    speaker_id: int | None = None
    quote: str = ""
    quote_language: str = ""
    translation: str = ""
    translation_language: str = ""
    span_start: int | None = None
    span_end: int | None = None
    retrieved_at: datetime | None = None


def _citation_span(data: CitationData) -> tuple[int | None, int | None]:
    """The quote's character span in the article text, checked when given, found when not."""
    if data.article_id is None or not data.quote:
        if data.span_start is not None or data.span_end is not None:
            raise ValidationError({"span_start": "a span needs an article and a quote"})
        return None, None
    text = Article.objects.values_list("text", flat=True).get(pk=data.article_id)
    if data.span_start is not None and data.span_end is not None:
        if text[data.span_start : data.span_end] != data.quote:
            raise ValidationError({"span_start": "the span does not hold the quote in the article"})
        return data.span_start, data.span_end
    start = text.find(data.quote)
    return (start, start + len(data.quote)) if start >= 0 else (None, None)


def _citation_snapshot(citation: Citation) -> dict[str, object]:
    return {
        "article": citation.article_id,
        "outlet": citation.outlet_id,
        "speaker": citation.speaker_id,
        "quote": citation.quote,
        "translation": citation.translation,
        "span": [citation.span_start, citation.span_end],
    }


def _version_record(*, update: Update, by: User | None, note: str = "") -> UpdateVersion:
    """Snapshot ``update`` as version ``update.version``. Call inside the transaction that
    changed it, after saving it with its version bumped (see :func:`_next_version`)."""
    return UpdateVersion.objects.create(
        update=update,
        version=update.version,
        status=update.status,
        occurred_at=update.occurred_at,
        occurred_precision=update.occurred_precision,
        headline=update.headline,
        body=update.body,
        citations=[_citation_snapshot(c) for c in update.citations.order_by("position", "id")],
        note=note,
        changed_by=by,
    )


def _save_as_next_version(update: Update, *fields: str) -> None:
    update.version += 1
    update.save(update_fields=[*fields, "version", "updated_at"])


def _locked(update: Update) -> Update:
    return Update.objects.select_for_update().get(pk=update.pk)


def _citation_create(*, update: Update, data: CitationData, position: int) -> Citation:
    if data.article_id is None and data.outlet_id is None:
        raise ValidationError({"article": "a citation needs an article or an outlet"})
    if data.translation and not data.quote:
        raise ValidationError({"translation": "a translation needs the quote it translates"})
    span_start, span_end = _citation_span(data)
    citation = Citation(
        update=update,
        article_id=data.article_id,
        outlet_id=data.outlet_id,
        speaker_id=data.speaker_id,
        quote=data.quote,
        quote_language=data.quote_language,
        translation=data.translation,
        translation_language=data.translation_language,
        span_start=span_start,
        span_end=span_end,
        retrieved_at=data.retrieved_at or timezone.now(),
        position=position,
    )
    citation.full_clean(exclude=["update", "relation"])
    citation.save()
    return citation


@attributed
def update_create(
    *,
    event: Event,
    occurred_at: datetime,
    headline: str,
    by: User | None,
    precision: str = Precision.DAY,
    body: str = "",
    language: str = "en",
    citations: Sequence[CitationData] = (),
) -> Update:
    """A new draft line on ``event``'s timeline, with its citations, as version 1. Refused on
    an event merged into another."""
    event_live(event)
    update = Update(
        event=event,
        occurred_at=occurred_at,
        occurred_precision=precision,
        headline=headline.strip(),
        body=body.strip(),
        language=language,
        author=by,
    )
    update.full_clean()
    update.save()
    for position, data in enumerate(citations):
        _citation_create(update=update, data=data, position=position)
    _version_record(update=update, by=by, note="created")
    return update


@attributed
def citation_add(*, update: Update, data: CitationData, by: User | None) -> Citation:
    update = _locked(update)
    if update.status == UpdateStatus.RETRACTED:
        raise ValidationError("a retracted update cannot gain citations")
    citation = _citation_create(update=update, data=data, position=update.citations.count())
    _save_as_next_version(update)
    _version_record(update=update, by=by, note="citation added")
    return citation


@attributed
def update_submit(*, update: Update, by: User | None) -> Update:
    """Send a draft for review."""
    update = _locked(update)
    if update.status != UpdateStatus.DRAFT:
        raise ValidationError(f"only a draft can be sent for review, this one is {update.status}")
    update.status = UpdateStatus.IN_REVIEW
    _save_as_next_version(update, "status")
    _version_record(update=update, by=by, note="sent for review")
    return update


@attributed
def update_publish(*, update: Update, by: User | None) -> Update:
    """Publish a draft or reviewed update; refused while it has no citation."""
    update = _locked(update)
    if update.status not in (UpdateStatus.DRAFT, UpdateStatus.IN_REVIEW):
        raise ValidationError(
            f"only a draft or an update in review can be published, not {update.status}"
        )
    if not update.citations.exists():
        raise ValidationError("an update needs at least one citation before it can be published")
    update.status = UpdateStatus.PUBLISHED
    update.published_at = timezone.now()
    _save_as_next_version(update, "status", "published_at")
    _version_record(update=update, by=by, note="published")
    return update


@attributed
def update_retract(*, update: Update, by: User | None, reason: str) -> Update:
    """Retract a published update: it stays on the timeline, struck through, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"retraction_reason": "a retraction needs a reason"})
    update = _locked(update)
    if update.status != UpdateStatus.PUBLISHED:
        raise ValidationError(f"only a published update can be retracted, not {update.status}")
    UpdateRevision.objects.filter(update=update).delete()
    update.status = UpdateStatus.RETRACTED
    update.retraction_reason = reason
    update.retracted_at = timezone.now()
    _save_as_next_version(update, "status", "retraction_reason", "retracted_at")
    _version_record(update=update, by=by, note=f"retracted: {reason}")
    return update


@attributed
def update_edit(
    *,
    update: Update,
    by: User | None,
    headline: str | None = None,
    body: str | None = None,
    occurred_at: datetime | None = None,
    precision: str | None = None,
    correction_note: str = "",
) -> Update:
    """Change an update's text or time. A published update is corrected in the open: the
    change needs a correction note, which readers see. Refused while a revision of the update
    is waiting (see :func:`update_revision_propose`)."""
    update = _locked(update)
    if update.status == UpdateStatus.RETRACTED:
        raise ValidationError("a retracted update cannot be edited")
    if update.status == UpdateStatus.PUBLISHED and not correction_note.strip():
        raise ValidationError({"correction_note": "correcting a published update needs a note"})
    if UpdateRevision.objects.filter(update=update).exists():
        # Publishing the revision later would silently undo this edit (it was based on the
        # line before it).
        raise ValidationError(
            "a correction of this update is waiting: publish or discard it before editing"
        )
    changes = {
        "headline": headline.strip() if headline is not None else None,
        "body": body.strip() if body is not None else None,
        "occurred_at": occurred_at,
        "occurred_precision": precision,
    }
    for field, value in changes.items():
        if value is not None:
            setattr(update, field, value)
    if correction_note.strip():
        update.correction_note = correction_note.strip()
    update.full_clean()
    update.version += 1
    update.save()
    _version_record(update=update, by=by, note=correction_note.strip() or "edited")
    return update


@attributed
def update_revision_propose(
    *,
    update: Update,
    by: User | None,
    correction_note: str,
    headline: str | None = None,
    body: str | None = None,
    occurred_at: datetime | None = None,
    precision: str | None = None,
) -> UpdateRevision:
    """Prepare an edit of a published update without changing what readers see. Proposing
    again replaces the waiting revision. Publish it with :func:`update_revision_publish`."""
    update = _locked(update)
    if update.status != UpdateStatus.PUBLISHED:
        raise ValidationError(
            f"only a published update is revised before publication; this one is {update.status}:"
            " edit it directly"
        )
    if not correction_note.strip():
        raise ValidationError({"correction_note": "correcting a published update needs a note"})
    current = UpdateRevision.objects.filter(update=update).first()
    base: Update | UpdateRevision = current or update
    revision = current or UpdateRevision(update=update)
    revision.headline = (headline if headline is not None else base.headline).strip()
    revision.body = (body if body is not None else base.body).strip()
    revision.occurred_at = occurred_at or base.occurred_at
    revision.occurred_precision = precision or base.occurred_precision
    revision.correction_note = correction_note.strip()
    revision.proposed_by = by
    revision.full_clean(exclude=["update"])
    revision.save()
    return revision


@attributed
def update_revision_publish(*, update: Update, by: User | None) -> Update:
    """Make the waiting revision the live line: a correction with its note, one new version."""
    update = _locked(update)
    revision = UpdateRevision.objects.filter(update=update).first()
    if revision is None:
        raise ValidationError("this update has no revision waiting")
    revision.delete()  # before the edit, which refuses while a revision waits
    return update_edit(
        update=update,
        by=by,
        headline=revision.headline,
        body=revision.body,
        occurred_at=revision.occurred_at,
        precision=revision.occurred_precision,
        correction_note=revision.correction_note,
    )


@attributed
def update_revision_discard(*, update: Update, by: User | None) -> None:
    """Drop the waiting revision; the live line is unchanged."""
    deleted, _ = UpdateRevision.objects.filter(update=update).delete()
    if not deleted:
        raise ValidationError("this update has no revision waiting")
