"""Where articles come from: outlets and their feeds."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models.common import TimeStamped, language_field


class OutletKind(models.TextChoices):
    WIRE = "wire", _("wire agency")
    BROADCASTER = "broadcaster", _("broadcaster")
    NEWSPAPER = "newspaper", _("newspaper")
    ONLINE = "online", _("online publication")
    GOVERNMENT = "government", _("government")
    OTHER = "other", _("other")


class Outlet(TimeStamped):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=OutletKind.choices, default=OutletKind.ONLINE)
    country = models.CharField(
        max_length=2, blank=True, default="", help_text=_("ISO 3166-1 alpha-2, e.g. GB, BG.")
    )
    languages = ArrayField(language_field(), blank=True, default=list)
    homepage = models.URLField(blank=True, default="")
    entity = models.OneToOneField(
        "events.Entity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outlet",
        help_text=_("The outlet as an entity, when articles mention it (BBC, Reuters)."),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="outlet_country_iso",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OutletDomain(models.Model):
    """A host an outlet publishes on; an article's URL host finds its outlet through this."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain__regex=r"^[a-z0-9.-]+$"), name="outlet_domain_lowercase"
            )
        ]

    def __str__(self) -> str:
        return self.domain


class FeedHealth(models.TextChoices):
    UNKNOWN = "unknown", _("not polled yet")
    HEALTHY = "healthy", _("healthy")
    FAILING = "failing", _("failing, retrying")
    UNHEALTHY = "unhealthy", _("unhealthy, retried at a long interval")


class Feed(TimeStamped):
    """An RSS, Atom or JSON feed, with the state its polling needs."""

    url = models.URLField(max_length=2048, unique=True)
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="feeds"
    )
    title = models.CharField(max_length=300, blank=True, default="")
    language = language_field(blank=True, default="", help_text=_("Expected language, if known."))
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=512, blank=True, default="")
    last_modified = models.CharField(max_length=64, blank=True, default="")
    poll_interval = models.PositiveIntegerField(default=900, help_text=_("Seconds between polls."))
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    health = models.CharField(max_length=16, choices=FeedHealth.choices, default=FeedHealth.UNKNOWN)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_new_items = models.PositiveIntegerField(default=0)
    items_seen = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["url"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(poll_interval__gte=60), name="feed_poll_interval_min"
            )
        ]
        indexes = [
            # The beat's "which feeds are due" query.
            models.Index(
                fields=["next_poll_at"], condition=models.Q(is_active=True), name="feed_due"
            ),
            models.Index(fields=["health"]),
        ]

    def __str__(self) -> str:
        return self.title or self.url
