"""Entity mentions and event suggestions for a stored article.

The alias matcher and the event profiles are built once per process and rebuilt only when
the curated data changes, so the cost per article does not grow with the corpus. How a
process learns of a change (see :class:`CuratedCache`):

- every save or delete of a curated row through the ORM (entities, aliases, events, their
  translations and participants, timeline updates, editors' link decisions, outlets and their
  domains) bumps a version counter in Redis when its transaction commits, and a process-local
  counter at once; an article reads the Redis counter (one round trip) and rebuilds on a change;
- changes that send no signal (``QuerySet.update``, ``bulk_create``, raw SQL, a restored
  dump) are caught by comparing cheap aggregates of the tables, at most every
  :data:`RECHECK_SECONDS` seconds: that is the staleness bound for them;
- a process whose own curated change is still uncommitted, or was rolled back, compares the
  aggregates on every read (what every read did before the counter existed), so it never
  keeps a value built from rows that were never committed.
"""

import datetime as dt
import logging
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import redis
from django.apps import AppConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Max, Model
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

from events.ingest.entities import AliasMatcher, AliasSpec, EntityMatch
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
    Outlet,
    OutletDomain,
    Participant,
    Update,
)
from events.services.fetching import redis_client
from events.services.sql import array_literal
from events.services.statements import Statement, execute, statements_of

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Terms of an event come from its labels, its public timeline and the titles and leads of its
# confirmed articles; this many characters of each article are enough to characterise it.
ARTICLE_SAMPLE_CHARS = 1500
# The longest a change made without an ORM signal can go unnoticed by a worker.
RECHECK_SECONDS = 30.0


# --- knowing when curated data changed --------------------------------------------------------


class _Curation:
    """This process's view of the curation version: the Redis counter every process shares,
    a local counter bumped at once by this process's own changes, and the transaction (its
    outermost atomic block) holding a change of this process not yet committed."""

    def __init__(self) -> None:
        self.local = 0
        self.uncommitted: weakref.ReferenceType[Any] | None = None
        self.lock = threading.Lock()

    def key(self) -> str:
        return f"{settings.REDIS_KEY_PREFIX}:curation-version"

    def stamp(self) -> tuple[int, object] | None:
        """The version to compare with, or None when it cannot be trusted (Redis unreachable,
        or this process saw its own change that is not committed)."""
        if self._unsettled():
            return None
        try:
            shared = redis_client().get(self.key())
        except redis.RedisError as error:
            logger.warning("ingest.curation_version_unavailable", extra={"error": str(error)})
            return None
        return self.local, shared

    def _unsettled(self) -> bool:
        if self.uncommitted is None:
            return False
        blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
        if blocks and blocks[0] is self.uncommitted():
            return True  # still inside the transaction that changed curated rows
        # That transaction ended without its commit callback: rolled back. Values built
        # meanwhile may hold its rows; a new local version drops them.
        with self.lock:
            self.uncommitted = None
            self.local += 1
        return False

    def changed(self, using: str) -> None:
        with self.lock:
            self.local += 1
        connection = connections[using]
        if connection.in_atomic_block and using == DEFAULT_DB_ALIAS:
            self.uncommitted = weakref.ref(connection.atomic_blocks[0])
        # robust: a Redis outage must not turn an editor's committed save into an error; the
        # aggregate recheck still reaches the workers.
        transaction.on_commit(self._committed, using=using, robust=True)

    def _committed(self) -> None:
        self.uncommitted = None
        redis_client().incr(self.key())


_curation = _Curation()


def curation_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Tell every process that curated rows changed (when the current transaction commits).
    The ORM signals call it; call it after a ``QuerySet.update`` or ``bulk_create`` of curated
    rows to spare workers the :data:`RECHECK_SECONDS` wait."""
    _curation.changed(using)


def _on_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if isinstance(instance, ArticleEvent) and not _decision_saved(instance, **kwargs):
        return
    _curation.changed(kwargs.get("using") or DEFAULT_DB_ALIAS)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    _curation.changed(kwargs.get("using") or DEFAULT_DB_ALIAS)


def _decision_saved(link: ArticleEvent, *, created: bool, update_fields: Any, **_: Any) -> bool:
    """Whether a link's save can change the event profiles (built from confirmed links): not
    the automatic suggestions every stored article writes."""
    if created:
        return link.state == LinkState.CONFIRMED
    return update_fields is None or not set(update_fields) <= {"score", "updated_at"}


_CURATED = (Entity, EntityAlias, Event, EventTranslation, Participant, Update, Outlet, OutletDomain)


def _on_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # ``migrate`` and ``flush`` (also the tests' flush between transactional tests) change
    # rows without model signals.
    curation_changed(using=using)


def connect_curation_signals(app: AppConfig) -> None:
    """Connect the receivers that announce curated changes; ``EventsConfig.ready`` calls it,
    so every process that loads the app (web, workers, management commands) has them whether
    or not it imports this module. Idempotent (each receiver has its ``dispatch_uid``)."""
    post_migrate.connect(_on_migrate, sender=app, dispatch_uid="curation-migrate")
    for model in _CURATED:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"curation-save-{model.__name__}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"curation-del-{model.__name__}")
    # Not post_delete: links go with their article or event (whose own signal or the recheck
    # tells), and a receiver would stop Django deleting stale suggestions in one statement.
    post_save.connect(_on_save, sender=ArticleEvent, dispatch_uid="curation-save-ArticleEvent")


class CuratedCache(Generic[T]):
    """A value built from curated rows, shared by the threads of a process. Rebuilt when the
    curation version moves, or when the aggregates ``version`` returns differ from those at
    the last build (compared on every read while the version cannot be trusted, else at most
    every :data:`RECHECK_SECONDS`)."""

    def __init__(self, version: Callable[[], Hashable], build: Callable[[], T]):
        self._version, self._build = version, build
        self._key: Hashable = None
        self._stamp: object = None
        self._recheck_at = 0.0
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, stamp: object = ...) -> T:
        """The value; ``stamp`` is :func:`curation_stamp` when the caller read it already."""
        if stamp is ...:
            stamp = curation_stamp()
        now = time.monotonic()
        with self._lock:
            fresh = stamp is not None and stamp == self._stamp and now < self._recheck_at
            if self._value is not None and fresh:
                return self._value
            key = self._version()
            if self._value is None or key != self._key or stamp != self._stamp:
                self._value = self._build()
            self._key, self._stamp, self._recheck_at = key, stamp, now + RECHECK_SECONDS
            return self._value


def curation_stamp() -> object:
    """The curation version to hand to :meth:`CuratedCache.get` (one Redis round trip)."""
    return _curation.stamp()


# --- the cached matcher and profiles --------------------------------------------------------


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
        Event.objects.exclude(status=EventStatus.CANCELLED)
        .filter(merged_into__isnull=True)
        .prefetch_related("translations", "participations")
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


_matcher = CuratedCache(_aliases_version, _matcher_build)
_profiles = CuratedCache(_profiles_version, _profiles_build)


@dataclass(frozen=True)
class Enrichment:
    """What enrichment found in an article's text: its entity mentions and the events it fits."""

    matches: tuple[EntityMatch, ...]
    suggestions: list[tuple[int, float]]  # (event_id, score), best first


def enrichment_compute(
    *, title: str, text: str, published_at: dt.datetime | None, stamp: object = ...
) -> Enrichment:
    """Mentions and event suggestions for a text, from the cached matcher and profiles (no
    query while they are fresh); ``stamp`` is the :func:`curation_stamp` read already."""
    if stamp is ...:
        stamp = curation_stamp()
    # Spans are offsets into the text, where a citation's quote is found too.
    matches = _matcher.get(stamp).match(text)
    profile = ArticleProfile(
        entity_ids=frozenset(m.entity_id for m in matches),
        terms=terms_of(f"{title} {text}"),
        published_at=published_at,
    )
    return Enrichment(matches=matches, suggestions=suggest(profile, _profiles.get(stamp)))


# The writes of an enrichment, run in order in one round trip. The unique (article, event)
# constraint is the arbiter: a suggestion whose pair an editor (or a racing worker) wrote
# meanwhile only refreshes the score of an undecided automatic one, never a decision.
_ENRICH_SQL = """
DELETE FROM events_mention WHERE article_id = %(article)s;
INSERT INTO events_mention (article_id, entity_id, count, first_start, first_end)
SELECT %(article)s, * FROM unnest(
    %(entities)s::bigint[], %(counts)s::integer[], %(starts)s::integer[], %(ends)s::integer[]);
DELETE FROM events_articleevent
WHERE article_id = %(article)s AND state = %(suggested)s AND origin = %(auto)s
  AND NOT (event_id = ANY(%(events)s::bigint[]));
INSERT INTO events_articleevent
    (created_at, updated_at, article_id, event_id, score, origin, state)
SELECT %(now)s, %(now)s, %(article)s, event_id, score, %(auto)s, %(suggested)s
FROM unnest(%(events)s::bigint[], %(scores)s::double precision[]) AS s (event_id, score)
ON CONFLICT (article_id, event_id) DO UPDATE
SET score = EXCLUDED.score, updated_at = EXCLUDED.updated_at
WHERE events_articleevent.state = %(suggested)s AND events_articleevent.origin = %(auto)s
"""


_ENRICH = statements_of("tracker_enrichment", _ENRICH_SQL)


def enrichment_writes(
    article_id: int, enrichment: Enrichment
) -> tuple[tuple[Statement, ...], dict[str, Any]]:
    """The SQL (several statements) and parameters that replace the article's mentions and
    refresh its automatic suggestions; decisions and editors' links are never touched. Run
    inside the article's row lock, as :func:`article_enrich` does."""
    matches, suggestions = enrichment.matches, enrichment.suggestions
    return _ENRICH, {
        "article": article_id,
        "entities": array_literal(m.entity_id for m in matches),
        "counts": array_literal(m.count for m in matches),
        "starts": array_literal(m.first_start for m in matches),
        "ends": array_literal(m.first_end for m in matches),
        "events": array_literal(event_id for event_id, _ in suggestions),
        "scores": array_literal(round(score, 4) for _, score in suggestions),
        "now": timezone.now(),
        "suggested": str(LinkState.SUGGESTED),
        "auto": str(LinkOrigin.AUTO),
    }


def article_enrich(*, article: Article, stamp: object = ...) -> None:
    """Replace the article's mentions and refresh its automatic event suggestions. An editor's
    confirmation or rejection is never touched. Call inside the article's row lock; ``stamp``
    is the :func:`curation_stamp` the caller read already."""
    enrichment = enrichment_compute(
        title=article.title, text=article.text, published_at=article.published_at, stamp=stamp
    )
    writes, params = enrichment_writes(article.pk, enrichment)
    with transaction.atomic(), connection.cursor() as cursor:
        execute(cursor, writes, params)
