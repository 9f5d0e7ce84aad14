"""The change log behind ``GET /api/v1/changes/`` and webhooks.

Database triggers (migration 0006) write one row for every creation, edit, publication,
retraction, merge and deletion of events, updates, articles and entities, whatever path the
write took (services, admin, raw SQL). Each row carries the writing transaction's id
(``txid``, from ``pg_current_xact_id()``).

Reading in order without missing or repeating anything: rows are read ordered by
``(txid, id)`` and only below the oldest transaction still running
(``pg_snapshot_xmin(pg_current_snapshot())``). Every row that becomes visible later belongs to
a transaction at or above that horizon, so it sorts after anything already returned, even
when transactions commit out of id order. The price: a long-running transaction holds the
feed back until it ends (nothing is lost, it is only late)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    EVENT = "event", _("event")
    UPDATE = "update", _("timeline update")
    ARTICLE = "article", _("article")
    ENTITY = "entity", _("entity")


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    PUBLISHED = "published", _("published")
    RETRACTED = "retracted", _("retracted")
    MERGED = "merged", _("merged into another")
    DELETED = "deleted", _("deleted")


class Change(models.Model):
    """One row per change; written only by database triggers, never by Python code."""

    txid = models.BigIntegerField(help_text=_("Id of the transaction that made the change."))
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    object_id = models.BigIntegerField()
    object_key = models.CharField(
        max_length=2048, blank=True, default="", help_text=_("Slug or canonical URL.")
    )
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    public = models.BooleanField(help_text=_("False for drafts: only editors see the change."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["txid", "id"]
        indexes = [
            models.Index(fields=["txid", "id"], name="change_order"),
            # ETag validators count and max an object's changes: answered from the index alone.
            models.Index(
                fields=["kind", "object_id"],
                include=["id", "at", "public"],
                name="change_object_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key or self.object_id} {self.action}"
