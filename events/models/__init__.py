"""The domain model; one module per area, every name re-exported here."""

from events.models.article import (
    Article,
    ArticleBandKey,
    ArticleEvent,
    ArticlePage,
    ArticleRevision,
    ArticleState,
    ArticleURL,
    LinkOrigin,
    LinkState,
    Mention,
)
from events.models.change import Change, ChangeAction, ChangeKind
from events.models.common import Precision
from events.models.entity import Entity, EntityAlias, EntityKind
from events.models.event import (
    Event,
    EventKind,
    EventRelation,
    EventStatus,
    EventTranslation,
    Participant,
    ParticipantRole,
    RelationKind,
)
from events.models.source import Feed, FeedHealth, Outlet, OutletDomain, OutletKind
from events.models.timeline import (
    PUBLIC_STATUSES,
    Citation,
    Update,
    UpdateRevision,
    UpdateStatus,
    UpdateVersion,
)
from events.models.token import ApiToken, TokenRole
from events.models.user import EDITORS_GROUP, READERS_GROUP, User
from events.models.webhook import DeliveryState, Webhook, WebhookDelivery

__all__ = [
    "Change",
    "ChangeAction",
    "ChangeKind",
    "DeliveryState",
    "Webhook",
    "WebhookDelivery",
    "EDITORS_GROUP",
    "PUBLIC_STATUSES",
    "READERS_GROUP",
    "ApiToken",
    "Article",
    "ArticleBandKey",
    "ArticleEvent",
    "ArticlePage",
    "ArticleRevision",
    "ArticleState",
    "ArticleURL",
    "Citation",
    "Entity",
    "EntityAlias",
    "EntityKind",
    "Event",
    "EventKind",
    "EventRelation",
    "EventStatus",
    "EventTranslation",
    "Feed",
    "FeedHealth",
    "LinkOrigin",
    "LinkState",
    "Mention",
    "Outlet",
    "OutletDomain",
    "OutletKind",
    "Participant",
    "ParticipantRole",
    "Precision",
    "RelationKind",
    "TokenRole",
    "Update",
    "UpdateRevision",
    "UpdateStatus",
    "UpdateVersion",
    "User",
]
