"""Editors' decisions on article ↔ event links: confirm or reject a suggestion, or attach an
article to an event by hand.

A decision is final for ingestion: enrichment refreshes only automatic, undecided suggestions
(events/services/enrichment.py), so re-processing an article never undoes what an editor said.
Each decision takes the article's row lock first, the lock enrichment runs under, so a decision
and a re-enrichment of the same article never interleave.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Article, ArticleEvent, ArticleState, Event, LinkOrigin, LinkState, User
from events.services.events import event_live
from events.services.history import acting_as


def _article_locked(article_id: int) -> Article:
    article = Article.objects.select_for_update().only("id", "state").get(pk=article_id)
    if article.state != ArticleState.READY:
        raise ValidationError(
            {"article": "only an article whose text was extracted can be linked to an event"}
        )
    return article


def _decide(link: ArticleEvent, state: str, by: User) -> ArticleEvent:
    if link.state == state:
        # Deciding twice keeps who decided first.
        return link
    link.state = state
    link.decided_by = by
    link.decided_at = timezone.now()
    link.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    return link


def _link_locked(link: ArticleEvent) -> ArticleEvent | None:
    return ArticleEvent.objects.select_for_update().filter(pk=link.pk).first()


def link_confirm(*, link: ArticleEvent, by: User) -> ArticleEvent:
    """Confirm that the article belongs to the event. A suggestion that re-enrichment removed
    meanwhile is re-created as the editor's own link."""
    with acting_as(by):
        _article_locked(link.article_id)
        current = _link_locked(link)
        if current is None:
            return _attach(article_id=link.article_id, event_id=link.event_id, by=by)
        return _decide(current, LinkState.CONFIRMED, by)


def link_reject(*, link: ArticleEvent, by: User) -> ArticleEvent:
    """Reject the link; ingestion never suggests it again for this article."""
    with acting_as(by):
        _article_locked(link.article_id)
        current = _link_locked(link)
        if current is None:
            # Re-enrichment removed the suggestion; keep the rejection so it is not suggested
            # again.
            current, _ = ArticleEvent.objects.select_for_update().get_or_create(
                article_id=link.article_id, event_id=link.event_id
            )
        return _decide(current, LinkState.REJECTED, by)


def link_attach(*, article: Article, event: Event, by: User) -> ArticleEvent:
    """Link the article to the event as the editor's confirmed decision; an existing
    suggestion (or rejection) for the pair is confirmed instead of duplicated."""
    with acting_as(by):
        event_live(event)
        _article_locked(article.pk)
        return _attach(article_id=article.pk, event_id=event.pk, by=by)


def _attach(*, article_id: int, event_id: int, by: User) -> ArticleEvent:
    link, created = ArticleEvent.objects.select_for_update().get_or_create(
        article_id=article_id,
        event_id=event_id,
        defaults={
            "origin": LinkOrigin.EDITOR,
            "state": LinkState.CONFIRMED,
            "decided_by": by,
            "decided_at": timezone.now(),
        },
    )
    return link if created else _decide(link, LinkState.CONFIRMED, by)
