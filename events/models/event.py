"""Events, their per-language labels, participants and typed links between them."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _

from events.models.common import Precision, TimeStamped, language_field, search_vector_field
from events.models.entity import Entity


class EventKind(models.TextChoices):
    CRISIS = "crisis", _("crisis")
    PROTEST = "protest", _("protest")
    CONFLICT = "conflict", _("armed conflict or military action")
    POLITICAL = "political", _("political")
    DIPLOMATIC = "diplomatic", _("diplomatic")
    MEETING = "meeting", _("meeting or summit")
    STATEMENT = "statement", _("statement")
    ECONOMIC = "economic", _("economic")
    DISASTER = "disaster", _("disaster")
    OTHER = "other", _("other")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    DEVELOPING = "developing", _("developing")
    CONCLUDED = "concluded", _("concluded")
    CANCELLED = "cancelled", _("cancelled")


class Event(TimeStamped):
    """Something that happens in the world. ``title`` and ``summary`` are the English labels;
    other languages live in :class:`EventTranslation`."""

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=16, choices=EventKind.choices, default=EventKind.OTHER)
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.DEVELOPING
    )
    start = models.DateTimeField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=8, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateTimeField(null=True, blank=True)
    end_precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.DAY)
    place = models.CharField(max_length=200, blank=True, default="")
    place_entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="events_here"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    participants: "models.ManyToManyField[Entity, Participant]" = models.ManyToManyField(
        Entity, through="Participant", related_name="events", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text=_("Set when this event was merged into another: its slug redirects there."),
    )
    search = search_vector_field(models.Value("en"), "title", "summary")

    class Meta:
        ordering = ["-start", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")), name="event_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="event_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__range=(-90, 90), longitude__range=(-180, 180)),
                name="event_coordinates_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-start"]),
            models.Index(fields=["kind", "-start"]),
            GinIndex(fields=["title"], name="event_title_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search"], name="event_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def label(self, language: str) -> str:
        """The title in ``language`` when curated (translations prefetched), else English."""
        for translation in self.translations.all():
            if translation.language == language and translation.title:
                return translation.title
        return self.title

    def summary_in(self, language: str) -> str:
        """The summary in ``language`` when curated (translations prefetched), else English."""
        for translation in self.translations.all():
            if translation.language == language and translation.summary:
                return translation.summary
        return self.summary


class EventTranslation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="translations")
    language = language_field()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, default="")
    search = search_vector_field(models.F("language"), "title", "summary")

    class Meta:
        ordering = ["language"]
        indexes = [
            GinIndex(fields=["search"], name="event_translation_search"),
            GinIndex(
                fields=["title"], name="event_translation_title_trgm", opclasses=["gin_trgm_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "language"], name="event_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.title}"


class ParticipantRole(models.TextChoices):
    ACTOR = "actor", _("actor")
    TARGET = "target", _("target")
    LOCATION = "location", _("location")
    MEDIATOR = "mediator", _("mediator")
    OBSERVER = "observer", _("observer or commentator")
    ORGANISER = "organiser", _("organiser or host")
    OTHER = "other", _("other")


class Participant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=16, choices=ParticipantRole.choices)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["role", "entity__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "entity", "role"], name="participant_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} ({self.role})"


class RelationKind(models.TextChoices):
    """Read "source <kind> target": the CSTO deployment *response_to* the protests."""

    PART_OF = "part_of", _("part of")
    CAUSED_BY = "caused_by", _("caused by")
    RESPONSE_TO = "response_to", _("response to")
    PRECEDES = "precedes", _("precedes")
    RELATED = "related", _("related to")


class EventRelation(TimeStamped):
    source = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=16, choices=RelationKind.choices)
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="relation_not_self"
            ),
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="relation_unique_directed"
            ),
            # "related" has no direction: A related B and B related A are the same link.
            models.UniqueConstraint(
                Least("source", "target"),
                Greatest("source", "target"),
                condition=models.Q(kind="related"),
                name="relation_related_unique_undirected",
            ),
        ]
        indexes = [models.Index(fields=["target", "kind"])]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"
