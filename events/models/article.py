"""Articles, the URLs they were seen at, their text revisions and what they are linked to."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from events.models.common import TimeStamped, language_field, search_vector_field

ARTICLE_URL_PATTERN = r"^(https?://[^\s]+|urn:[a-z0-9][a-z0-9-]*:[^\s]+)$"
validate_article_url = RegexValidator(
    ARTICLE_URL_PATTERN,
    _("Enter an http(s) URL, or a urn: for an article imported without one."),
)


class ArticleState(models.TextChoices):
    PENDING = "pending", _("waiting to be fetched")
    EXTRACTED = "extracted", _("text extracted, enrichment pending")
    READY = "ready", _("ready for editors")
    FAILED = "failed", _("fetch or extraction failed")


class Article(TimeStamped):
    """One published story. A failed fetch stays in state ``failed`` with its reason and is
    never listed as an article."""

    # Unique by the constraint in Meta, not unique=True, which would add a second index on
    # the column (varchar_pattern_ops, for LIKE 'prefix%' queries, which nothing sends).
    canonical_url = models.CharField(max_length=2048, validators=[validate_article_url])
    # No index of its own: the (outlet, published_at) index serves lookups by outlet.
    outlet = models.ForeignKey(
        "events.Outlet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        db_index=False,
    )
    feed = models.ForeignKey(
        "events.Feed", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(max_length=500, blank=True, default="")
    byline = models.CharField(max_length=300, blank=True, default="")
    detected_language = language_field(blank=True, default="")
    language_override = language_field(
        blank=True, default="", help_text=_("Set by an editor; wins over detection.")
    )
    language = models.GeneratedField(
        expression=Coalesce(NullIf("language_override", models.Value("")), "detected_language"),
        output_field=models.CharField(max_length=2),
        db_persist=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # "language" is itself generated, and PostgreSQL does not let a generated column read
    # another, so the vector repeats its expression.
    search = search_vector_field(
        Coalesce(NullIf("language_override", models.Value("")), "detected_language"),
        "title",
        "text",
    )
    modified_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True, default="")
    raw_html_sha256 = models.CharField(max_length=64, blank=True, default="")
    content_hash = models.CharField(
        max_length=64, blank=True, default="", help_text=_("Hash of the normalised text.")
    )
    # Indexed for copies only (article_duplicate_of): an original, most articles, adds no entry.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        db_index=False,
    )
    state = models.CharField(
        max_length=16, choices=ArticleState.choices, default=ArticleState.PENDING
    )
    failure_reason = models.TextField(blank=True, default="")
    fetched_at = models.DateTimeField(null=True, blank=True)
    text_version = models.PositiveIntegerField(default=0)
    # Near-duplicate detection: the MinHash signature; its LSH band keys are rows of
    # ArticleBandKey, found by B-tree equality, never by scanning the corpus.
    minhash = ArrayField(models.BigIntegerField(), blank=True, default=list)
    # Processing attempts, counted before each try: a message that keeps killing its worker
    # is given up on after a bounded number of deliveries.
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker last counted an attempt: what tells the sweep of stalled articles that one
    # is being worked on. Not indexed, and the claim sets nothing that is (updated_at is), so
    # that it is a HOT update: no new entry in any of the table's indexes.
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Indexed for ready articles only (article_changed): the registration of a pending one
    # adds no entry (nor does the claim, which leaves it alone: see claimed_at).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            # The name PostgreSQL gave the constraint of unique=True, which this replaces.
            models.UniqueConstraint(
                fields=["canonical_url"], name="events_article_canonical_url_key"
            ),
            models.CheckConstraint(
                condition=models.Q(canonical_url__regex=ARTICLE_URL_PATTERN),
                name="article_canonical_url_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("id")), name="article_not_own_duplicate"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="failed") | ~models.Q(failure_reason=""),
                name="article_failure_has_reason",
            ),
        ]
        indexes = [
            # The default listing: ready originals, newest first.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(state="ready", duplicate_of__isnull=True),
                name="article_listed",
            ),
            # Ready articles by id, with what the coverage counts read: the review queue's
            # header counts walk it in id order (a merge join with the links) and the
            # coverage statements of home and the event page look articles up in it, from
            # the index alone (100k articles: counts 3.1 -> 0.8 and 1.3 -> 0.5 ms).
            models.Index(
                fields=["id"],
                include=["published_at", "duplicate_of"],
                condition=models.Q(state="ready"),
                name="article_ready",
            ),
            models.Index(fields=["language", "-published_at"]),
            # The copies of an article (its duplicates, the foreign key's SET NULL, an event's
            # article groups): an original has no entry to write.
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="article_duplicate_of",
            ),
            models.Index(fields=["outlet", "-published_at"]),
            # The articles not (yet) listed, by state (the admin's filter, the sweep of stalled
            # pending ones); ready ones are found by article_ready and article_listed.
            models.Index(
                fields=["state"], condition=~models.Q(state="ready"), name="article_unready"
            ),
            # What changed since (the API's updated_since): only ready articles are listed.
            models.Index(
                fields=["updated_at"], condition=models.Q(state="ready"), name="article_changed"
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="article_pending",
            ),
            models.Index(
                fields=["content_hash"],
                condition=~models.Q(content_hash=""),
                name="article_content_hash",
            ),
            GinIndex(fields=["title"], name="article_title_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search"], name="article_search"),
        ]

    def __str__(self) -> str:
        return self.title or self.canonical_url

    @property
    def is_listed(self) -> bool:
        return self.state == ArticleState.READY


class ArticleBandKey(models.Model):
    """One LSH band key of an article's MinHash. A row per key (not an array under a GIN
    index): PostgreSQL estimates "key = ANY(...)" on a B-tree well and looks candidates up in
    well under a millisecond at 100k articles, where the array's overlap operator, with no
    statistics for unique elements, was planned as a scan of the whole table."""

    # No index of its own: the unique (article, key) index serves lookups by article, and
    # every stored article inserts BANDS rows, each paying for every index.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="band_keys", db_index=False
    )
    key = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="article_band_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.key}"


class ArticlePage(models.Model):
    """The raw page an article's text was extracted from, gzip-compressed, so the text can be
    re-extracted when the extractor improves."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="page")
    url = models.CharField(max_length=2048)
    body_gzip = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=32, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url


class ArticleURL(models.Model):
    """A URL the article was seen at (tracking parameters, redirects, mirrors)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="urls")
    # Unique by the constraint in Meta, as Article.canonical_url: unique=True would add a
    # varchar_pattern_ops twin of the index, for LIKE 'prefix%' queries, which nothing sends.
    url = models.CharField(max_length=2048, validators=[validate_article_url])
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "article URL"
        ordering = ["first_seen_at", "id"]
        constraints = [
            # The name PostgreSQL gave the constraint of unique=True, which this replaces.
            models.UniqueConstraint(fields=["url"], name="events_articleurl_url_key"),
        ]

    def __str__(self) -> str:
        return self.url


class ArticleRevision(models.Model):
    """A text the article had before a later fetch changed it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    text = models.TextField()
    content_hash = models.CharField(max_length=64, blank=True, default="")
    fetched_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class Mention(models.Model):
    """An entity found in an article: how often, and where first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    entity = models.ForeignKey("events.Entity", on_delete=models.CASCADE, related_name="mentions")
    count = models.PositiveIntegerField(default=1)
    first_start = models.PositiveIntegerField()
    first_end = models.PositiveIntegerField()

    class Meta:
        ordering = ["-count", "first_start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "entity"], name="mention_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="mention_count_positive"),
            models.CheckConstraint(
                condition=models.Q(first_end__gt=models.F("first_start")), name="mention_span_valid"
            ),
        ]
        indexes = [models.Index(fields=["entity", "article"])]

    def __str__(self) -> str:
        return f"{self.entity_id} in {self.article_id} x{self.count}"


class LinkOrigin(models.TextChoices):
    AUTO = "auto", _("suggested automatically")
    EDITOR = "editor", _("added by an editor")


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class ArticleEvent(TimeStamped):
    """An article's link to an event: a scored suggestion until an editor decides."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="event_links")
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="article_links"
    )
    score = models.FloatField(default=0.0)
    origin = models.CharField(max_length=8, choices=LinkOrigin.choices, default=LinkOrigin.AUTO)
    state = models.CharField(max_length=16, choices=LinkState.choices, default=LinkState.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "article-event link"
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["article", "event"], name="article_event_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="article_event_score_range"
            ),
            models.CheckConstraint(
                condition=models.Q(state="suggested") | models.Q(decided_at__isnull=False),
                name="article_event_decision_dated",
            ),
        ]
        indexes = [
            # With the article: the coverage statements read an event's links from the
            # index alone.
            models.Index(
                fields=["event", "state", "-score"],
                include=["article"],
                name="article_event_by_event",
            ),
            # The review queue counts and finds articles with undecided suggestions.
            models.Index(
                fields=["article"],
                condition=models.Q(state="suggested"),
                name="article_event_undecided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.event_id} ({self.state})"
