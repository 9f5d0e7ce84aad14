"""A stored corpus grown quickly: synthetic ready articles inserted in bulk, with the rows a
processed article brings along (band keys, URLs, raw page, entity mentions, event suggestions).

Texts and fingerprints come from a pool of generated articles fingerprinted for real. Each row
gets its own content hash, and its MinHash values XOR-ed with a random mask, so its band keys
are its own, as those of a distinct story are; one row in ten is a syndicated copy of an earlier
row (30% of the signature changed, so it shares about a third of the original's band keys) and
points to it with ``duplicate_of``, as the pipeline would have stored it.
"""

import datetime as dt
import gzip
import hashlib
import random
import time
from collections import deque
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from bench.pages import LANGUAGES, PageWriter, Text, TextWriter
from events.ingest.fingerprint import Fingerprint, band_keys, fingerprint
from events.models import (
    Article,
    ArticleBandKey,
    ArticleEvent,
    ArticlePage,
    ArticleState,
    ArticleURL,
    Entity,
    Event,
    LinkState,
    Mention,
)

BATCH = 5000
COPY_SHARE = 0.1
MENTION_SHARE = 0.6
SUGGESTION_SHARE = 0.3
CONFIRMED_SHARE = 0.01
TRACKING_VARIANT_SHARE = 0.2
_MASK = 0xFFFFFFFF


def fingerprint_pool(*, size: int, seed: int) -> list[tuple[Text, Fingerprint]]:
    writer = TextWriter(seed)
    pool = []
    for i in range(size):
        text = writer.text(LANGUAGES[i % len(LANGUAGES)])
        pool.append((text, fingerprint(text.body)))
    return pool


class CorpusFiller:
    def __init__(self, pool: list[tuple[Text, Fingerprint]], *, seed: int) -> None:
        self.pool = pool
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data
        self.serial = 0
        # Recent originals that later rows may copy: (id, minhash).
        self.originals: deque[tuple[int, tuple[int, ...]]] = deque(maxlen=2000)
        page = PageWriter(seed).page("bg", 0, full=False)
        self.page_gzip = gzip.compress(page.body, compresslevel=6)

    def fill(self, *, target: int, progress: Callable[[int], None] | None = None) -> None:
        """Insert ready articles until ``target`` are stored."""
        entities = list(Entity.objects.values_list("id", flat=True))
        events = list(Event.objects.values_list("id", flat=True))
        stored = Article.objects.filter(state=ArticleState.READY).count()
        while stored < target:
            count = min(BATCH, target - stored)
            with transaction.atomic():
                made = [self._article() for _ in range(count)]
                rows = Article.objects.bulk_create([row for row, _ in made])
                _band_keys_insert(
                    [(row.pk, keys) for row, (_, keys) in zip(rows, made, strict=True)]
                )
                self._related(rows, entities, events)
            for row in rows:
                if row.duplicate_of_id is None:
                    self.originals.append((row.pk, tuple(row.minhash)))
            stored += count
            if progress is not None:
                progress(stored)

    def _article(self) -> tuple[Article, tuple[int, ...]]:
        """An unsaved ready article and its band keys."""
        rng = self.rng
        self.serial += 1
        text, fp = self.pool[rng.randrange(len(self.pool))]
        copy_of = None
        if self.originals and rng.random() < COPY_SHARE:
            copy_of, original = self.originals[rng.randrange(len(self.originals))]
            minhash = tuple(
                rng.getrandbits(32) if rng.random() < 0.3 else value for value in original
            )
        else:
            mask = rng.getrandbits(32)
            minhash = tuple((value ^ mask) & _MASK for value in fp.minhash)
        published = text.published_at + dt.timedelta(minutes=rng.randrange(-(10**5), 10**5))
        row = Article(
            canonical_url=(
                f"https://synthetic-{rng.randrange(400)}.example/{text.language}/"
                f"{published:%Y/%m/%d}/{self.serial}"
            ),
            title=text.title,
            byline=text.author,
            detected_language=text.language,
            published_at=published,
            text=text.body,
            raw_html_sha256=hashlib.sha256(f"page {self.serial}".encode()).hexdigest(),
            content_hash=hashlib.sha256(f"{fp.content_hash} {self.serial}".encode()).hexdigest(),
            duplicate_of_id=copy_of,
            state=ArticleState.READY,
            fetched_at=published + dt.timedelta(minutes=5),
            text_version=1,
            minhash=list(minhash),
            attempts=1,
        )
        return row, band_keys(minhash)

    def _related(self, rows: list[Article], entities: list[int], events: list[int]) -> None:
        rng, now = self.rng, timezone.now()
        urls, pages, mentions, links = [], [], [], []
        for row in rows:
            urls.append(ArticleURL(article_id=row.pk, url=row.canonical_url))
            if rng.random() < TRACKING_VARIANT_SHARE:
                urls.append(
                    ArticleURL(article_id=row.pk, url=f"{row.canonical_url}?utm_source=rss")
                )
            pages.append(
                ArticlePage(
                    article_id=row.pk,
                    url=row.canonical_url,
                    body_gzip=self.page_gzip,
                    sha256=row.raw_html_sha256,
                    encoding="utf-8",
                    content_type="text/html",
                    fetched_at=row.fetched_at,
                )
            )
            if entities and rng.random() < MENTION_SHARE:
                for entity in rng.sample(entities, min(len(entities), rng.randint(1, 4))):
                    start = rng.randrange(len(row.text) - 20)
                    mentions.append(
                        Mention(
                            article_id=row.pk,
                            entity_id=entity,
                            count=rng.randint(1, 5),
                            first_start=start,
                            first_end=start + rng.randint(4, 20),
                        )
                    )
            if events and rng.random() < SUGGESTION_SHARE:
                for event in rng.sample(events, min(len(events), rng.randint(1, 2))):
                    confirmed = rng.random() < CONFIRMED_SHARE / SUGGESTION_SHARE
                    links.append(
                        ArticleEvent(
                            article_id=row.pk,
                            event_id=event,
                            score=round(rng.uniform(0.2, 0.9), 4),
                            state=LinkState.CONFIRMED if confirmed else LinkState.SUGGESTED,
                            decided_at=now if confirmed else None,
                        )
                    )
        ArticleURL.objects.bulk_create(urls)
        ArticlePage.objects.bulk_create(pages)
        Mention.objects.bulk_create(mentions)
        ArticleEvent.objects.bulk_create(links)


def _band_keys_insert(rows: list[tuple[int, tuple[int, ...]]]) -> None:
    """The band-key rows of a batch in one statement: 42 per article are millions of rows at
    scale, too many to build as model instances."""
    ids = [pk for pk, keys in rows for _ in dict.fromkeys(keys)]
    keys = [key for _, keys in rows for key in dict.fromkeys(keys)]
    table = connection.ops.quote_name(ArticleBandKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (article_id, key) "  # noqa: S608 - a model's table name
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
            [ids, keys],
        )


def vacuum_analyze() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started
