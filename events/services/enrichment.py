"""Entity mentions and event suggestions for a stored article.

The alias matcher and the event profiles are built once per process and rebuilt only when
the curated data changes (one cheap aggregate query per article tells), so the cost per
article does not grow with the corpus.
"""

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db.models import Count, Max, Q
from django.utils import timezone

from events.ingest.entities import AliasMatcher, AliasSpec
from events.ingest.linking import ArticleProfile, EventProfile, suggest, terms_of
from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleEvent,
    Entity,
    EntityAlias,
    Event,
    EventStatus,
    EventTranslation,
    LinkOrigin,
    LinkState,
    Mention,
    Participant,
    Update,
)

T = TypeVar("T")
# Terms of an event come from its labels, its public timeline and the titles and leads of its
# confirmed articles; this many characters of each article are enough to characterise it.
ARTICLE_SAMPLE_CHARS = 1500


class _Cached(Generic[T]):
    """A value rebuilt when its version key changes; shared by the threads of a process."""

    def __init__(self, version: Callable[[], object], build: Callable[[], T]):
        self._version, self._build = version, build
        self._key: object = None
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        key = self._version()
        with self._lock:
            if self._value is None or key != self._key:
                self._value, self._key = self._build(), key
            return self._value


def _aliases_version() -> object:
    return (
        EntityAlias.objects.aggregate(n=Count("id"), last=Max("id")),
        Entity.objects.aggregate(n=Count("id"), changed=Max("updated_at")),
    )


def _matcher_build() -> AliasMatcher:
    specs = [
        AliasSpec(entity_id=e, alias=name, language=language, is_acronym=acronym)
        for e, name, language, acronym in EntityAlias.objects.values_list(
            "entity_id", "name", "language", "is_acronym"
        )
    ]
    specs += [
        AliasSpec(
            entity_id=pk, alias=name, language="", is_acronym=name.isupper() and len(name) <= 6
        )
        for pk, name in Entity.objects.values_list("id", "name")
    ]
    return AliasMatcher(specs)


def _profiles_version() -> object:
    # Everything _profiles_build reads: publishing an update or adding a participant does not
    # touch its event's updated_at.
    return (
        Event.objects.aggregate(n=Count("id"), changed=Max("updated_at")),
        ArticleEvent.objects.filter(state=LinkState.CONFIRMED).aggregate(
            n=Count("id"), changed=Max("updated_at")
        ),
        Update.objects.filter(status__in=PUBLIC_STATUSES).aggregate(
            n=Count("id"), changed=Max("updated_at")
        ),
        Participant.objects.aggregate(n=Count("id"), last=Max("id")),
        EventTranslation.objects.aggregate(n=Count("id"), last=Max("id")),
    )


def _profiles_build() -> list[EventProfile]:
    events = list(
        Event.objects.exclude(status=EventStatus.CANCELLED).prefetch_related(
            "translations", "participations"
        )
    )
    texts: dict[int, list[str]] = defaultdict(list)
    weights: dict[int, Counter[int]] = defaultdict(Counter)
    for event in events:
        texts[event.pk] += [event.title, event.summary]
        texts[event.pk] += [f"{t.title} {t.summary}" for t in event.translations.all()]
        for participation in event.participations.all():
            weights[event.pk][participation.entity_id] += 3
        if event.place_entity_id:
            weights[event.pk][event.place_entity_id] += 2
    for event_id, headline, body in Update.objects.filter(status__in=PUBLIC_STATUSES).values_list(
        "event_id", "headline", "body"
    ):
        texts[event_id].append(f"{headline} {body}")
    confirmed = ArticleEvent.objects.filter(state=LinkState.CONFIRMED)
    for event_id, title, text in confirmed.values_list(
        "event_id", "article__title", "article__text"
    ):
        texts[event_id].append(f"{title} {text[:ARTICLE_SAMPLE_CHARS]}")
    for event_id, entity_id in confirmed.values_list("event_id", "article__mentions__entity_id"):
        if entity_id is not None:
            weights[event_id][entity_id] += 1
    return [
        EventProfile(
            event_id=event.pk,
            entity_weights=dict(weights[event.pk]),
            terms=terms_of(" ".join(texts[event.pk])),
            start=event.start,
            end=event.end,
        )
        for event in events
    ]


_matcher = _Cached(_aliases_version, _matcher_build)
_profiles = _Cached(_profiles_version, _profiles_build)


def article_enrich(*, article: Article) -> None:
    """Replace the article's mentions and refresh its automatic event suggestions. An editor's
    confirmation or rejection is never touched. Call inside the article's row lock."""
    # Spans are offsets into article.text, where a citation's quote is found too.
    matches = _matcher.get().match(article.text)
    Mention.objects.filter(article=article).delete()
    Mention.objects.bulk_create(
        Mention(
            article=article,
            entity_id=m.entity_id,
            count=m.count,
            first_start=m.first_start,
            first_end=m.first_end,
        )
        for m in matches
    )
    profile = ArticleProfile(
        entity_ids=frozenset(m.entity_id for m in matches),
        terms=terms_of(f"{article.title} {article.text}"),
        published_at=article.published_at,
    )
    _suggestions_store(article, suggest(profile, _profiles.get()))


def _suggestions_store(article: Article, suggestions: list[tuple[int, float]]) -> None:
    existing = {link.event_id: link for link in ArticleEvent.objects.filter(article=article)}
    now = timezone.now()
    for event_id, score in suggestions:
        link = existing.get(event_id)
        if link is None:
            ArticleEvent.objects.create(article=article, event_id=event_id, score=round(score, 4))
        elif link.state == LinkState.SUGGESTED and link.origin == LinkOrigin.AUTO:
            link.score = round(score, 4)
            link.updated_at = now
            link.save(update_fields=["score", "updated_at"])
    # Automatic suggestions the new text no longer supports go; decisions stay.
    stale = set(existing) - {event_id for event_id, _ in suggestions}
    ArticleEvent.objects.filter(
        Q(article=article, event_id__in=stale, state=LinkState.SUGGESTED, origin=LinkOrigin.AUTO)
    ).delete()
