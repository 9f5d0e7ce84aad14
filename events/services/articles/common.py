"""What the article steps share: outcomes, pages, limits, URL checks and the outlet of a host."""

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from events.ingest.extract import ExtractedArticle
from events.ingest.fetch import FetchResult
from events.ingest.fingerprint import Fingerprint
from events.ingest.urls import InvalidURL, canonical_url
from events.models import (
    ArticleURL,
    Outlet,
    OutletDomain,
)
from events.services.enrichment import CuratedCache

MAX_ATTEMPTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
CANDIDATE_LIMIT = 50
STALLED_AFTER = dt.timedelta(seconds=settings.ARTICLE_STALLED_AFTER_SECONDS)
# The URL columns' size: a longer URL (a hostile feed can list one) is refused as invalid
# rather than failing the whole poll or task on the database.
MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class Outcome:
    """What processing did. ``temporary`` failures may be retried; the rest are final."""

    article_id: int
    state: str
    reason: str = ""
    temporary: bool = False
    retry_after: float | None = None
    duplicate_of: int | None = None
    merged_into: int | None = None
    changed: bool = False


@dataclass(frozen=True)
class Page:
    """A page's bytes and where they came from: fetched, or read from a saved file."""

    requested_url: str
    final_url: str
    redirect_chain: tuple[str, ...]
    body: bytes
    content_type: str
    charset: str | None

    @classmethod
    def from_fetch(cls, result: FetchResult) -> "Page":
        return cls(
            requested_url=result.requested_url,
            final_url=result.final_url,
            redirect_chain=result.redirect_chain,
            body=result.body,
            content_type=result.content_type,
            charset=result.charset,
        )


@dataclass(frozen=True)
class Prepared:
    """Everything computed from a page without touching the database."""

    page: Page
    extracted: ExtractedArticle
    canonical: str
    language: str
    fingerprint: Fingerprint
    encoding: str
    page_sha256: str  # of the raw bytes, kept on the article and with its page


def outlet_for_host(host: str, *, stamp: object = ...) -> Outlet | None:
    """The outlet owning ``host`` or its closest registered parent domain (www.bbc.co.uk →
    bbc.co.uk). Read from a per-process map of every outlet domain (outlets are few and rarely
    change; see :class:`~events.services.enrichment.CuratedCache` for how a change is seen).
    ``stamp``: the :func:`~events.services.enrichment.curation_stamp` the caller read already."""
    domains = _outlet_domains.get(stamp)
    for domain in host_domains(host):
        outlet = domains.get(domain)
        if outlet is not None:
            return outlet
    return None


def host_domains(host: str) -> list[str]:
    """The domains whose outlet owns ``host``, closest (longest) first: the host itself, then
    each parent domain but the last label (www.bbc.co.uk → www.bbc.co.uk, bbc.co.uk, co.uk).
    The host itself always counts, even a single label (an intranet name, localhost)."""
    parts = host.lower().split(".")
    return [".".join(parts[i:]) for i in range(max(len(parts) - 1, 1))]


def _outlet_domains_version() -> Hashable:
    return (
        OutletDomain.objects.aggregate(n=Count("id"), last=Max("id")),
        Outlet.objects.aggregate(n=Count("id"), changed=Max("updated_at")),
    )


def _outlet_domains_build() -> dict[str, Outlet]:
    return {d.domain: d.outlet for d in OutletDomain.objects.select_related("outlet")}


_outlet_domains = CuratedCache(_outlet_domains_version, _outlet_domains_build)


def _url_variants_add(article_id: int, *urls: str) -> None:
    ArticleURL.objects.bulk_create(
        [
            ArticleURL(article_id=article_id, url=u)
            for u in dict.fromkeys(urls)
            if u and len(u) <= MAX_URL_CHARS
        ],
        ignore_conflicts=True,
    )


def storable_canonical_url(url: str) -> str:
    """canonical_url, also refusing URLs too long to store. Raises InvalidURL."""
    canonical = canonical_url(url)
    if len(canonical) > MAX_URL_CHARS:
        raise InvalidURL(f"URL longer than {MAX_URL_CHARS} characters")
    return canonical


def _storable_url(url: str | None) -> str | None:
    """The canonical form of ``url``, or None when it is not a URL an article can have."""
    try:
        return storable_canonical_url(url or "")
    except InvalidURL:
        return None
