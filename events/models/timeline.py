"""Timeline updates, their full version history, and the citations that back them."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.common import Precision, TimeStamped, language_field, search_vector_field


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    RETRACTED = "retracted", _("retracted")


# Statuses readers see: a retracted line stays on the timeline, struck through, with its reason.
PUBLIC_STATUSES = (UpdateStatus.PUBLISHED, UpdateStatus.RETRACTED)


class Update(TimeStamped):
    """One line on an event's timeline. Only services change it; each change is a version.

    A published or retracted update has at least one citation (service rule and a deferred
    database trigger) and cannot be deleted (admin permission and a database trigger)."""

    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="updates")
    occurred_at = models.DateTimeField()
    occurred_precision = models.CharField(
        max_length=8, choices=Precision.choices, default=Precision.DAY
    )
    headline = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    language = language_field(default="en")
    status = models.CharField(
        max_length=16, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT
    )
    search = search_vector_field(models.F("language"), "headline", "body")
    retraction_reason = models.TextField(blank=True, default="")
    correction_note = models.TextField(
        blank=True, default="", help_text=_("Shown to readers when a published line was corrected.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    sources_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Set when a cited article's text changed after citing; an editor checks."),
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="retracted")
                | (~models.Q(retraction_reason="") & models.Q(retracted_at__isnull=False)),
                name="update_retraction_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["published", "retracted"])
                | models.Q(published_at__isnull=False),
                name="update_published_has_date",
            ),
            models.CheckConstraint(condition=~models.Q(headline=""), name="update_has_headline"),
        ]
        indexes = [
            # The public timeline: an event's visible lines in time order.
            models.Index(
                fields=["event", "occurred_at", "id"],
                condition=models.Q(status__in=["published", "retracted"]),
                name="update_timeline",
            ),
            models.Index(fields=["status", "-updated_at"]),
            GinIndex(fields=["search"], name="update_search"),
            GinIndex(fields=["headline"], name="update_headline_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class UpdateVersion(models.Model):
    """A snapshot of an update after one change: who, when, what it said, and why."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=UpdateStatus.choices)
    occurred_at = models.DateTimeField()
    occurred_precision = models.CharField(max_length=8, choices=Precision.choices)
    headline = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    citations = models.JSONField(default=list, help_text=_("The citations as they stood."))
    note = models.TextField(blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["update", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["update", "version"], name="update_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.update_id} v{self.version} ({self.status})"


class UpdateRevision(models.Model):
    """An edit of a published update, waiting for publication. Readers keep seeing the live
    line until an editor publishes the revision; then it replaces the line as a correction
    with its visible note (one new version)."""

    update = models.OneToOneField(Update, on_delete=models.CASCADE, related_name="revision")
    occurred_at = models.DateTimeField()
    occurred_precision = models.CharField(max_length=8, choices=Precision.choices)
    headline = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    correction_note = models.TextField(help_text=_("Shown to readers once published."))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(headline=""), name="update_revision_has_headline"
            ),
            models.CheckConstraint(
                condition=~models.Q(correction_note=""), name="update_revision_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"revision of {self.update_id}: {self.headline}"


class Citation(models.Model):
    """Why an update (or an event relation) is believed: which article or outlet says so,
    who said it, in their words, and where in the article the words are."""

    update = models.ForeignKey(
        Update, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    relation = models.ForeignKey(
        "events.EventRelation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
    )
    article = models.ForeignKey(
        "events.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    outlet = models.ForeignKey(
        "events.Outlet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citations",
        help_text=_("The outlet that relayed the words (the BBC quoting Ned Price)."),
    )
    speaker = models.ForeignKey(
        "events.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text=_("Who said it."),
    )
    quote = models.TextField(blank=True, default="")
    quote_language = language_field(blank=True, default="")
    translation = models.TextField(blank=True, default="")
    translation_language = language_field(blank=True, default="")
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    article_version = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The article's text version the quote was taken from.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(update__isnull=False, relation__isnull=True)
                | models.Q(update__isnull=True, relation__isnull=False),
                name="citation_backs_one_thing",
            ),
            models.CheckConstraint(
                condition=models.Q(article__isnull=False) | models.Q(outlet__isnull=False),
                name="citation_has_source",
            ),
            models.CheckConstraint(
                condition=models.Q(span_start__isnull=True, span_end__isnull=True)
                | models.Q(
                    span_start__isnull=False,
                    span_end__gt=models.F("span_start"),
                    article__isnull=False,
                ),
                name="citation_span_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(translation="") | ~models.Q(quote=""),
                name="citation_translation_needs_quote",
            ),
        ]

    def __str__(self) -> str:
        who = f"{self.speaker} via " if self.speaker_id else ""
        return f"{who}{self.outlet or self.article}"
