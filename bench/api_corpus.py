"""The corpus the API benchmark reads: outlets, entities with aliases, events with
translations, participants and typed relations, ready articles (with syndicated copies, and a
few failed or pending ones that lists must skip) with entity mentions and event links, and
timelines with citations: one benchmarked event with a long timeline and many linked articles,
a few lines on every other event.

Rows are bulk-inserted in batches (as ``bench.corpus`` does for the ingestion benchmark), from a
pool of generated bg/ru/en texts (``bench.pages.TextWriter``); 100k articles take well under a
minute. Reproducible from the seed.
"""

import datetime as dt
import hashlib
import random
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from bench.pages import LANGUAGES, Text, TextWriter
from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    EntityAlias,
    EntityKind,
    Event,
    EventKind,
    EventRelation,
    EventStatus,
    EventTranslation,
    LinkState,
    Mention,
    Outlet,
    OutletDomain,
    Participant,
    ParticipantRole,
    Precision,
    RelationKind,
    Update,
    UpdateStatus,
)

BENCH_EVENT = "bench-timeline"
BATCH = 5000
TEXT_POOL = 600
COPY_SHARE = 0.1
FAILED_SHARE = 0.03
PENDING_SHARE = 0.02
MENTION_SHARE = 0.6
LINK_SHARE = 0.3
# Of all articles, the share linked to the benchmarked event (a big story: ~3,000 of 100k).
BENCH_EVENT_SHARE = 0.03
STATE_WEIGHTS = {LinkState.SUGGESTED: 0.8, LinkState.CONFIRMED: 0.15, LinkState.REJECTED: 0.05}
START = dt.datetime(2021, 6, 1, tzinfo=dt.UTC)
DAYS = 400


@dataclass(frozen=True)
class CorpusSize:
    """What was stored, counted in the database."""

    articles: int
    listed_articles: int  # ready originals: what GET /articles/ lists without filters
    events: int
    entities: int
    outlets: int
    mentions: int
    article_event_links: int
    updates: int
    citations: int
    bench_event_updates: int  # public lines on the benchmarked event's timeline
    bench_event_articles: int  # articles GET /articles/?event=<slug> lists


K = TypeVar("K", bound=str)


def _weighted(rng: random.Random, weights: dict[K, float]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class ApiCorpus:
    def __init__(self, *, seed: int = 11) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data
        writer = TextWriter(seed)
        self.texts: list[Text] = [
            writer.text(LANGUAGES[i % len(LANGUAGES)]) for i in range(TEXT_POOL)
        ]
        self.now = timezone.now()
        self.serial = 0

    def build(
        self,
        *,
        articles: int,
        events: int,
        timeline: int = 120,
        workers: int = 1,
        progress: Callable[[str], None],
    ) -> CorpusSize:
        """Store the whole corpus; ``timeline``: lines on the benchmarked event. With
        ``workers`` > 1, batches of articles are stored by that many threads, each on a
        database connection of its own (PostgreSQL does most of the work: full-text vectors,
        trigram index, change-log triggers); the rows are the same for the same seed."""
        with transaction.atomic():
            outlets = self._outlets(max(3, min(80, articles // 1000 + 5)))
            entities = self._entities(max(10, min(600, events // 2 + 10)))
            event_ids = self._events(max(1, events), entities)
        progress(f"{len(outlets)} outlets, {len(entities)} entities, {len(event_ids)} events")
        # Ids are given, not drawn from the sequence, so batches can be written in any order.
        self.serial = Article.objects.aggregate(last=Max("id"))["last"] or 0
        bench_articles: list[int] = []
        stored = 0
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[Future[None], int]] = deque()
            for start in range(0, articles, BATCH):
                rows = self._articles(min(BATCH, articles - start), outlets)
                mentions, links, linked = self._related(rows, entities, event_ids)
                bench_articles += linked
                if workers == 1:
                    _store(rows, mentions, links)
                    stored += len(rows)
                    progress(f"{stored:,} articles")
                    continue
                pending.append((pool.submit(_store_in_thread, rows, mentions, links), len(rows)))
                while pending and (len(pending) > workers or start + BATCH >= articles):
                    future, count = pending.popleft()
                    future.result()
                    stored += count
                    progress(f"{stored:,} articles")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Article]):
                cursor.execute(sql)
        speakers = [pk for pk, kind in entities if kind == EntityKind.PERSON]
        with transaction.atomic():
            self._timeline(event_ids[0], timeline, bench_articles, outlets, speakers)
            for event in event_ids[1:]:
                self._timeline(event, self.rng.randint(0, 3), [], outlets, speakers)
        return size()

    # --- reference rows -------------------------------------------------------------------

    def _outlets(self, count: int) -> list[int]:
        rng = self.rng
        rows = Outlet.objects.bulk_create(
            Outlet(
                name=f"Outlet {i}",
                slug=f"bench-outlet-{i}",
                kind=rng.choice(["wire", "broadcaster", "newspaper", "online"]),
                country=rng.choice(["BG", "RU", "GB", "US", "KZ"]),
                languages=[LANGUAGES[i % len(LANGUAGES)]],
                homepage=f"https://outlet-{i}.example/",
            )
            for i in range(count)
        )
        OutletDomain.objects.bulk_create(
            OutletDomain(outlet_id=row.pk, domain=f"outlet-{i}.example")
            for i, row in enumerate(rows)
        )
        return [row.pk for row in rows]

    def _entities(self, count: int) -> list[tuple[int, str]]:
        kinds = [EntityKind.PERSON, EntityKind.ORGANISATION, EntityKind.PLACE]
        rows = Entity.objects.bulk_create(
            Entity(
                name=f"Entity {i}",
                slug=f"bench-entity-{i}",
                kind=kinds[i % len(kinds)],
                description=f"generated entity {i}",
            )
            for i in range(count)
        )
        EntityAlias.objects.bulk_create(
            EntityAlias(entity_id=row.pk, name=f"{prefix} {i}", language=language)
            for i, row in enumerate(rows)
            for prefix, language in (("Ентитет", "bg"), ("Сущность", "ru"))
        )
        return [(row.pk, row.kind) for row in rows]

    def _events(self, count: int, entities: list[tuple[int, str]]) -> list[int]:
        rng = self.rng
        rows = []
        for i in range(count):
            start = START + dt.timedelta(days=rng.randrange(DAYS), hours=rng.randrange(24))
            text = self.texts[rng.randrange(len(self.texts))]
            end = start + dt.timedelta(days=rng.randrange(30)) if rng.random() < 0.5 else None
            rows.append(
                Event(
                    slug=BENCH_EVENT if i == 0 else f"bench-event-{i}",
                    title=f"Event {i}: {text.title}"[:300],
                    summary=text.paragraphs[0],
                    kind=rng.choice(EventKind.values),
                    status=rng.choice(EventStatus.values),
                    start=start,
                    start_precision=Precision.DAY,
                    end=end,
                    place=rng.choice(["Almaty", "Brussels", "Moscow", "Sofia", ""]),
                )
            )
        events = [row.pk for row in Event.objects.bulk_create(rows)]
        translations, participants, relations = [], [], []
        for i, event in enumerate(events):
            for language in ("bg", "ru"):
                if i == 0 or rng.random() < 0.5:
                    text = self.texts[rng.randrange(len(self.texts))]
                    translations.append(
                        EventTranslation(event_id=event, language=language, title=text.title)
                    )
            for entity, _ in rng.sample(entities, min(len(entities), rng.randint(1, 4))):
                role = rng.choice(ParticipantRole.values)
                participants.append(Participant(event_id=event, entity_id=entity, role=role))
            # A chain of "precedes" and a few "part of" links: never twice, never to itself.
            if i + 1 < len(events):
                relations.append(
                    EventRelation(source_id=event, target_id=events[i + 1], kind="precedes")
                )
            if i > 1 and rng.random() < 0.2:
                relations.append(
                    EventRelation(source_id=event, target_id=events[0], kind=RelationKind.PART_OF)
                )
        EventTranslation.objects.bulk_create(translations)
        Participant.objects.bulk_create(participants, ignore_conflicts=True)
        EventRelation.objects.bulk_create(relations)
        return events

    # --- articles -------------------------------------------------------------------------

    def _articles(self, count: int, outlets: list[int]) -> list[Article]:
        """Unsaved articles with their ids; one ready original in ten has a syndicated copy
        later in the batch."""
        rng = self.rng
        rows = []
        originals: list[int] = []
        for _ in range(count):
            self.serial += 1
            serial = self.serial
            text = self.texts[rng.randrange(len(self.texts))]
            outlet = rng.randrange(len(outlets))
            published = START + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60))
            roll = rng.random()
            state = (
                ArticleState.FAILED
                if roll < FAILED_SHARE
                else ArticleState.PENDING
                if roll < FAILED_SHARE + PENDING_SHARE
                else ArticleState.READY
            )
            ready = state == ArticleState.READY
            copy_of = None
            if ready and originals and rng.random() < COPY_SHARE:
                copy_of = originals[rng.randrange(len(originals))]
            elif ready:
                originals.append(serial)
            rows.append(
                Article(
                    id=serial,
                    canonical_url=(
                        f"https://outlet-{outlet}.example/{text.language}/"
                        f"{published:%Y/%m/%d}/story-{serial}-{rng.getrandbits(32):08x}"
                    ),
                    outlet_id=outlets[outlet],
                    title=text.title if ready else "",
                    byline=text.author if ready else "",
                    detected_language=text.language if ready else "",
                    published_at=published if ready else None,
                    text=text.body if ready else "",
                    content_hash=(
                        hashlib.sha256(f"{text.title} {serial}".encode()).hexdigest()
                        if ready
                        else ""
                    ),
                    duplicate_of_id=copy_of,
                    state=state,
                    failure_reason="HTTP 404" if state == ArticleState.FAILED else "",
                    fetched_at=published + dt.timedelta(minutes=5) if ready else None,
                    text_version=1 if ready else 0,
                    attempts=1,
                )
            )
        return rows

    def _related(
        self, rows: list[Article], entities: list[tuple[int, str]], events: list[int]
    ) -> tuple[list[Mention], list[ArticleEvent], list[int]]:
        """Mentions and event links of the ready ones of ``rows``, and the ids of those linked
        to the benchmarked event (``events[0]``)."""
        rng, now = self.rng, self.now
        mentions, links, bench = [], [], []
        ready = [row.pk for row in rows if row.state == ArticleState.READY]
        for article in ready:
            if rng.random() < MENTION_SHARE:
                for entity, _ in rng.sample(entities, min(len(entities), rng.randint(1, 4))):
                    start = rng.randrange(2000)
                    mentions.append(
                        Mention(
                            article_id=article,
                            entity_id=entity,
                            count=rng.randint(1, 5),
                            first_start=start,
                            first_end=start + rng.randint(4, 20),
                        )
                    )
            linked = []
            if rng.random() < BENCH_EVENT_SHARE:
                linked.append(events[0])
                bench.append(article)
            if len(events) > 1 and rng.random() < LINK_SHARE:
                linked += rng.sample(events[1:], min(len(events) - 1, rng.randint(1, 2)))
            for event in linked:
                state = _weighted(rng, STATE_WEIGHTS)
                links.append(
                    ArticleEvent(
                        article_id=article,
                        event_id=event,
                        score=round(rng.uniform(0.2, 0.95), 4),
                        state=state,
                        decided_at=None if state == LinkState.SUGGESTED else now,
                    )
                )
        return mentions, links, bench

    # --- timelines ------------------------------------------------------------------------

    def _timeline(
        self,
        event: int,
        count: int,
        cited: list[int],
        outlets: list[int],
        speakers: list[int],
    ) -> None:
        """``count`` lines: mostly published, some retracted, drafts and lines in review; each
        with one to three citations (article with a quote span, relaying outlet, speaker,
        quote with a translation)."""
        if not count:
            return
        rng, now = self.rng, self.now
        statuses = {
            UpdateStatus.PUBLISHED: 0.82,
            UpdateStatus.RETRACTED: 0.04,
            UpdateStatus.DRAFT: 0.08,
            UpdateStatus.IN_REVIEW: 0.06,
        }
        rows = []
        for _ in range(count):
            status = _weighted(rng, statuses)
            text = self.texts[rng.randrange(len(self.texts))]
            public = status in (UpdateStatus.PUBLISHED, UpdateStatus.RETRACTED)
            retracted = status == UpdateStatus.RETRACTED
            rows.append(
                Update(
                    event_id=event,
                    occurred_at=START + dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                    occurred_precision=Precision.MINUTE,
                    headline=text.title[:300] or "Update",
                    body=text.paragraphs[0],
                    language=text.language,
                    status=status,
                    published_at=now if public else None,
                    retracted_at=now if retracted else None,
                    retraction_reason="The source withdrew the report." if retracted else "",
                    correction_note="Corrected the date." if rng.random() < 0.05 else "",
                )
            )
        updates = Update.objects.bulk_create(rows)
        citations = []
        for update in updates:
            for position in range(rng.randint(1, 3)):
                article = rng.choice(cited) if cited and rng.random() < 0.8 else None
                text = self.texts[rng.randrange(len(self.texts))]
                quote = text.paragraphs[-1][:280] if rng.random() < 0.7 else ""
                start = rng.randrange(1500) if article else None
                citations.append(
                    Citation(
                        update_id=update.pk,
                        article_id=article,
                        outlet_id=rng.choice(outlets)
                        if article is None or rng.random() < 0.5
                        else None,
                        speaker_id=rng.choice(speakers) if speakers and quote else None,
                        quote=quote,
                        quote_language=text.language if quote else "",
                        translation=f"(en) {quote[:200]}"
                        if quote and text.language != "en"
                        else "",
                        translation_language="en" if quote and text.language != "en" else "",
                        span_start=start,
                        span_end=start + len(quote or "x") if start is not None else None,
                        retrieved_at=now,
                        article_version=1 if article else None,
                        position=position,
                    )
                )
        Citation.objects.bulk_create(citations)


def _store(rows: list[Article], mentions: list[Mention], links: list[ArticleEvent]) -> None:
    with transaction.atomic():
        Article.objects.bulk_create(rows)
        Mention.objects.bulk_create(mentions)
        ArticleEvent.objects.bulk_create(links)


def _store_in_thread(
    rows: list[Article], mentions: list[Mention], links: list[ArticleEvent]
) -> None:
    try:
        _store(rows, mentions, links)
    finally:
        connection.close()  # this thread's own connection


def size() -> CorpusSize:
    bench = Event.objects.get(slug=BENCH_EVENT)
    links = ArticleEvent.objects.filter(article=OuterRef("pk"), event=bench).exclude(
        state=LinkState.REJECTED
    )
    listed = Article.objects.filter(state=ArticleState.READY, duplicate_of__isnull=True)
    return CorpusSize(
        articles=Article.objects.count(),
        listed_articles=listed.count(),
        events=Event.objects.count(),
        entities=Entity.objects.count(),
        outlets=Outlet.objects.count(),
        mentions=Mention.objects.count(),
        article_event_links=ArticleEvent.objects.count(),
        updates=Update.objects.count(),
        citations=Citation.objects.count(),
        bench_event_updates=bench.updates.filter(status__in=PUBLIC_STATUSES).count(),
        bench_event_articles=listed.filter(Exists(links)).count(),
    )
