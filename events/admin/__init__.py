"""The Django admin for the events app, one module per area of the domain.

Every write with a rule behind it (timeline updates and their citations) goes through
``events.services``; a refusal, whether from a service or from a database constraint, comes
back to the editor as a form error or an error message, never as a server error.
"""

from events.admin import (
    articles,
    changes,
    citations,
    entities,
    events,
    sources,
    timeline,
    tokens,
    users,
    webhooks,
)

__all__ = [
    "articles",
    "changes",
    "citations",
    "entities",
    "events",
    "sources",
    "timeline",
    "tokens",
    "users",
    "webhooks",
]
