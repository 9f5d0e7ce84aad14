"""Articles: registration from feeds and URLs, and processing a fetched page into a clean,
language-tagged, fingerprinted, deduplicated, entity-tagged article with event suggestions.

Each step is idempotent: a redelivered task, two racing workers or a crashed worker leave one
Article per canonical URL (the unique constraint decides) and lose nothing.

A package: common (outcomes, pages, limits, URL checks), register, process (claim, fetch,
prepare, failures) and store (one transaction); the names other modules use are re-exported.
"""

from events.services.articles.common import (
    CANDIDATE_LIMIT,
    HTML_TYPES,
    MAX_ATTEMPTS,
    MAX_URL_CHARS,
    PAGE_ACCEPT,
    STALLED_AFTER,
    Outcome,
    Page,
    Prepared,
    outlet_for_host,
    storable_canonical_url,
)
from events.services.articles.process import (
    article_process,
    article_store_page,
    articles_claim_stalled,
)
from events.services.articles.register import (
    Link,
    article_import_html,
    article_ingest_url,
    article_register,
    articles_register_links,
)
from events.services.articles.store import article_band_keys_set

__all__ = [
    "CANDIDATE_LIMIT",
    "HTML_TYPES",
    "Link",
    "MAX_ATTEMPTS",
    "MAX_URL_CHARS",
    "PAGE_ACCEPT",
    "STALLED_AFTER",
    "Outcome",
    "Page",
    "Prepared",
    "article_band_keys_set",
    "article_import_html",
    "article_ingest_url",
    "article_process",
    "article_register",
    "article_store_page",
    "articles_claim_stalled",
    "articles_register_links",
    "outlet_for_host",
    "storable_canonical_url",
]
