"""A fetched feed body to its entries: RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom through
feedparser, JSON Feed 1.0/1.1 through json.

Entries come out with an absolute http(s) link (relative links resolved against the feed
URL), a plain-text title and summary, and an aware UTC publication time when the feed gives
one. Entries without a usable link are dropped. A feed that declares XML entities is refused
before any parser sees it: entity expansion (billion laughs) and external entities (local
files, internal URLs) are the classic attacks on feed readers.
"""

import calendar
import datetime as dt
import html
import io
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from events.ingest.timestamps import parse_timestamp

# The fetcher caps the body; this caps the work per poll (and the rows one poll can create).
MAX_ENTRIES = 500
MAX_SUMMARY_CHARS = 1000
MAX_TITLE_CHARS = 300
# Real feeds nest a few levels (Atom XHTML content a few more).
MAX_DEPTH = 100
JSON_TYPES = ("application/feed+json", "application/json")

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# The prolog ends at the first element; entity declarations can only live before it.
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    guid: str
    published_at: dt.datetime | None  # aware, UTC
    summary: str  # plain text


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    kind: str  # "rss" | "atom" | "json"
    entries: tuple[FeedEntry, ...]
    site_url: str


class FeedParseError(ValueError):
    """The body is not a usable feed; the message is one line, fit for the feed's last error."""


def parse_feed(body: bytes, *, content_type: str = "", url: str = "") -> ParsedFeed:
    """Parse a feed body fetched from ``url``. Raises FeedParseError."""
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url)
    return _parse_xml_feed(body, content_type, url)


def _looks_like_json(body: bytes, content_type: str) -> bool:
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"<"):
        # The body is more reliable than the header: servers label feeds carelessly.
        return start == b"{"
    media_type = content_type.split(";")[0].strip().lower()
    return media_type in JSON_TYPES


# XML feeds


def _parse_xml_feed(body: bytes, content_type: str, url: str) -> ParsedFeed:
    _refuse_hostile(body)
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    try:
        # Always a stream: handed a str or bytes, feedparser treats it as a URL or a local
        # file path when it looks like one (b"/etc/passwd" is read from disk).
        result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as error:  # noqa: BLE001 - hostile input must not crash the poll
        raise FeedParseError(f"feed parser failed: {type(error).__name__}") from None
    version = result.get("version") or ""
    if not version:
        raise FeedParseError(f"not an RSS, Atom or JSON feed{_bozo_reason(result)}")
    if not result.entries and _malformed(result):
        raise FeedParseError(f"malformed feed{_bozo_reason(result)}")
    feed = result.feed
    return ParsedFeed(
        title=_plain(feed.get("title", ""), MAX_TITLE_CHARS),
        kind="atom" if version.startswith("atom") else "rss",
        entries=_unique(_xml_entries(result.entries, url)),
        site_url=_http_url(feed.get("link", ""), url) or "",
    )


class _TooDeep(Exception):
    pass


class _Shape:
    """ElementTree parser target that builds nothing and only watches the nesting depth."""

    def __init__(self) -> None:
        self.depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep

    def end(self, tag: str) -> None:
        self.depth -= 1

    def close(self) -> None:
        return None


def _refuse_hostile(body: bytes) -> None:
    """Raise FeedParseError for entity declarations or absurd nesting. Checked by defusedxml's
    parser (which reads the document's own encoding, UTF-16 included) and, for documents
    expat cannot read, by looking for a declaration before the first element."""
    parser = DefusedXMLParser(target=_Shape())
    try:
        parser.feed(body)
        parser.close()
    except DefusedXmlException:
        raise FeedParseError("feed declares XML entities") from None
    except _TooDeep:
        # Feeds are a handful of levels deep; thousands of open elements only make
        # feedparser slow (seconds per megabyte).
        raise FeedParseError("feed nesting too deep") from None
    except (ParseError, LookupError, ValueError):
        # Malformed, or an encoding expat does not know: feedparser may still read it.
        pass
    if _prolog_declares_entities(body):
        raise FeedParseError("feed declares XML entities")


def _prolog_declares_entities(body: bytes) -> bool:
    if _ENTITY_DECLARATION.search(body[: _prolog_end(body)]):
        return True
    if b"\x00" in body[:4]:
        # UTF-16 or UTF-32 without a byte-order mark: search the decoded prolog.
        for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            text = body[:65536].decode(codec, "ignore").encode("utf-8", "ignore")
            if _ENTITY_DECLARATION.search(text[: _prolog_end(text)]):
                return True
    return False


def _prolog_end(body: bytes) -> int:
    match = _FIRST_ELEMENT.search(body)
    return match.start() if match else len(body)


def _malformed(result: Any) -> bool:
    # feedparser also raises its bozo flag for mere warnings (no or a non-XML content type,
    # an overridden encoding), which an empty but valid feed must survive.
    error = result.get("bozo_exception")
    return bool(result.get("bozo")) and not isinstance(
        error, feedparser.ThingsNobodyCaresAboutButMe
    )


def _bozo_reason(result: Any) -> str:
    error = result.get("bozo_exception")
    if error is None:
        return ""
    line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f": {line[:200]}"


def _xml_entries(entries: Iterable[Any], base: str) -> Iterator[FeedEntry]:
    for entry in entries:
        link = _http_url(entry.get("link", ""), base)
        if link is None:
            continue
        title_type = entry.get("title_detail", {}).get("type", "text/plain")
        title = entry.get("title", "")
        yield FeedEntry(
            url=link,
            title=_plain(title, MAX_TITLE_CHARS)
            if "html" in title_type
            else _shorten(_text(title), MAX_TITLE_CHARS),
            guid=entry.get("id") or link,
            published_at=_from_struct(
                entry.get("published_parsed")
                or entry.get("updated_parsed")
                or entry.get("created_parsed")
            ),
            summary=_plain(entry.get("summary", ""), MAX_SUMMARY_CHARS),
        )


def _from_struct(value: time.struct_time | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        # feedparser normalises every date it parses to UTC.
        return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


# JSON Feed


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as error:
        # ValueError covers bad JSON and oversized integers; RecursionError deep nesting.
        message = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise FeedParseError(f"malformed JSON feed: {message}") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedParseError("not an RSS, Atom or JSON feed: JSON without a JSON Feed version")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("malformed JSON feed: items is not a list")
    return ParsedFeed(
        title=_plain(_str(data.get("title")), MAX_TITLE_CHARS),
        kind="json",
        entries=_unique(_json_entries(items, url)),
        site_url=_http_url(_str(data.get("home_page_url")), url) or "",
    )


def _json_entries(items: list[Any], base: str) -> Iterator[FeedEntry]:
    for item in items:
        if not isinstance(item, dict):
            continue
        # "url" is the item's own page; "external_url" what a link blog points at.
        link = _http_url(_str(item.get("url")), base) or _http_url(
            _str(item.get("external_url")), base
        )
        if link is None:
            continue
        summary = _plain(
            _str(item.get("summary"))
            or _str(item.get("content_text"))
            or _str(item.get("content_html")),
            MAX_SUMMARY_CHARS,
        )
        # Titles are optional in JSON Feed (microblogs): the text's opening stands in.
        title = _plain(_str(item.get("title")), MAX_TITLE_CHARS) or _shorten(summary, 120)
        yield FeedEntry(
            url=link,
            title=title,
            guid=_str(item.get("id")) or link,
            published_at=parse_timestamp(
                _str(item.get("date_published")) or _str(item.get("date_modified"))
            ),
            summary=summary,
        )


# Shared helpers


def _unique(entries: Iterable[FeedEntry]) -> tuple[FeedEntry, ...]:
    seen: set[str] = set()
    kept: list[FeedEntry] = []
    for entry in entries:
        if entry.url in seen:
            continue
        seen.add(entry.url)
        kept.append(entry)
        if len(kept) == MAX_ENTRIES:
            break
    return tuple(kept)


def _http_url(raw: object, base: str) -> str | None:
    """``raw`` as an absolute http(s) URL resolved against ``base``, or None."""
    value = _str(raw).strip().replace(" ", "%20")
    if not value:
        return None
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if any(ord(ch) < 0x21 for ch in absolute):
        return None
    return absolute


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text(value: str) -> str:
    return _SPACE.sub(" ", value).strip()


def _plain(value: str, limit: int) -> str:
    """Text of an HTML fragment, whitespace collapsed, cut at ``limit`` characters."""
    return _shorten(_text(html.unescape(_TAG.sub(" ", value))), limit)


def _shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0] + "…"
