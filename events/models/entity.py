"""People, organisations and places, with the names they go by in each language."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from events.models.common import TimeStamped, language_field


class EntityKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")
    PLACE = "place", _("place")
    OTHER = "other", _("other")


class Entity(TimeStamped):
    name = models.CharField(max_length=200, help_text=_("Canonical name, in English."))
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=EntityKind.choices)
    wikidata_id = models.CharField(
        max_length=16, blank=True, default="", help_text=_("Wikidata item id, e.g. Q232.")
    )
    description = models.CharField(
        max_length=300, blank=True, default="", help_text=_("Role or short description.")
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~models.Q(wikidata_id=""),
                name="entity_wikidata_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(wikidata_id="") | models.Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="entity_wikidata_id_format",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__range=(-90, 90), longitude__range=(-180, 180)),
                name="entity_coordinates_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "name"]),
            GinIndex(fields=["name"], name="entity_name_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class EntityAlias(models.Model):
    """A name an entity goes by in one language: Токаев, Tokayev, ОДКС, ОДКБ, CSTO."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = language_field(blank=True, default="", help_text=_("Empty when any language."))
    is_acronym = models.BooleanField(
        default=False, help_text=_("Matched case-sensitively (NATO, НАТО, CSTO).")
    )

    class Meta:
        verbose_name_plural = "entity aliases"
        ordering = ["language", "name"]
        constraints = [
            models.UniqueConstraint(
                "entity", Lower("name"), "language", name="entity_alias_unique_per_language"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="entity_alias_not_empty"),
        ]
        indexes = [GinIndex(fields=["name"], name="entity_alias_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.language or '*'})"
