"""The article in a decoded HTML page: main text without boilerplate, plus title, byline,
dates, canonical URL, site name and declared language.

trafilatura finds the text (precision first: it drops menus, "most read" boxes, teasers,
comments and footers more reliably) and the title, author and site name. Dates come from
the page's machine-readable metadata first (Open Graph, JSON-LD, itemprop), which carry the
time and zone that trafilatura and htmldate reduce to a day; then from trafilatura, then
htmldate. The page is parsed here once and handed to both libraries as a tree: given a
string that looks like a URL, htmldate downloads it.
"""

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import htmldate
import lxml.html
import trafilatura
from lxml import etree
from trafilatura.metadata import (
    META_URL,
    Document,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

from events.ingest.comparison import bounded_comparison
from events.ingest.discard import python_discard
from events.ingest.timestamps import parse_timestamp

MIN_TEXT_CHARS = 200
# The fetcher caps bodies at a few MiB; anything bigger was not fetched by it.
MAX_HTML_CHARS = 8_000_000
# A listing page extracted in recall mode is its link texts, one per line.
MAX_LINK_TEXT_SHARE = 0.5
MAX_AUTHOR_CHARS = 300
# Dates outside this range are template noise (copyright years, placeholders).
EARLIEST = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)
# Publication in the near future happens (embargoes, clock skew); years ahead does not.
FUTURE_SLACK = dt.timedelta(days=2)

_HTML_MARKER = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article|main|section)[\s>/]", re.I
)
# Characters libxml2 refuses in a str (NUL, C0 controls, lone surrogates, non-characters).
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# lxml refuses a str that still declares its byte encoding.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_SPACE = re.compile(r"\s+")
# libxml2 checks an element's attributes against each other: 20,000 attributes on one tag
# take seconds, 100,000 most of a minute. A long tag with a long data: URI is harmless.
_LONG_TAG = re.compile(r"<[^<>]{32768,}")
MAX_ATTRIBUTES = 2000
_LANGUAGE = re.compile(r"([a-z]{2})(?:[-_]|$)")

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished",
    "dcterms.created", "dc.date.issued", "publishdate", "pubdate", "parsely-pub-date",
    "sailthru.date",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "dcterms.modified", "last-modified",
)  # fmt: skip
# JSON-LD is nested (@graph, mainEntity, lists); news metadata sits near the top.
_JSON_LD_MAX_DEPTH = 4
_JSON_LD_MAX_NODES = 200


@dataclass(frozen=True)
class ExtractedArticle:
    title: str
    text: str
    author: str
    published_at: dt.datetime | None  # aware, UTC
    modified_at: dt.datetime | None  # aware, UTC
    canonical_url: str | None  # raw rel=canonical or og:url href, not resolved
    site_name: str
    meta_language: str  # two letters from <html lang> or og:locale, or ""


class ExtractionError(ValueError):
    """No article could be extracted; the message is a one-line reason."""


def extract_article(html: str, *, url: str) -> ExtractedArticle:
    """Extract the article of ``html`` (already decoded) fetched from ``url``.
    Raises ExtractionError."""
    tree = _parse(html)
    meta = _meta_map(tree)
    document = _metadata(tree, url)
    text = _extract(tree, url)
    title = _clean(document.title)
    published, modified = _dates(tree, meta, document, url)
    return ExtractedArticle(
        title=title,
        text=_body_text(text, title),
        author=_clean(document.author)[:MAX_AUTHOR_CHARS],
        published_at=published,
        modified_at=modified,
        canonical_url=_canonical(tree, meta),
        site_name=_clean(meta.get("og:site_name") or document.sitename),
        meta_language=_language(tree, meta),
    )


def _parse(html: str) -> lxml.html.HtmlElement:
    if len(html) > MAX_HTML_CHARS:
        raise ExtractionError("page too large")
    if not _HTML_MARKER.search(html, 0, 65536):
        raise ExtractionError("not an HTML page")
    if any(tag.group().count("=") > MAX_ATTRIBUTES for tag in _LONG_TAG.finditer(html)):
        raise ExtractionError("malformed HTML: a tag with thousands of attributes")
    html = _INVALID_CHARS.sub("", _XML_DECLARATION.sub("", html.lstrip("\ufeff"), count=1))
    # A parser per call: lxml parsers must not be shared between threads.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        raise ExtractionError("not an HTML page") from None


def _extract(tree: lxml.html.HtmlElement, url: str) -> str:
    """The text: precision mode, then (for short articles it cuts too much) the default mode,
    whose output must then not be a list of links."""
    text = _lines(_trafilatura(tree, url, precision=True))
    if len(text) >= MIN_TEXT_CHARS:
        return text
    text = _lines(_trafilatura(tree, url, precision=False))
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no article text found")
    if _link_text_share(text, tree) > MAX_LINK_TEXT_SHARE:
        raise ExtractionError("page is a list of links")
    return text


def _trafilatura(tree: lxml.html.HtmlElement, url: str, *, precision: bool) -> Any:
    try:
        # The same text: without readability where it cannot win, and with the pruning
        # expressions run in Python instead of through EXSLT callbacks.
        with bounded_comparison(), python_discard():
            return trafilatura.bare_extraction(
                tree,
                url=url or None,
                favor_precision=precision,
                include_comments=False,
                include_tables=False,
                include_links=False,
                include_images=False,
                with_metadata=False,  # see _metadata
            )
    except Exception as error:  # noqa: BLE001 - a hostile page must not crash the worker
        raise ExtractionError(f"extraction failed: {type(error).__name__}") from None


def _metadata(tree: lxml.html.HtmlElement, url: str) -> Document:
    """Title, author, site name and day: trafilatura's ``extract_metadata`` step by step,
    without the categories, tags and licence it also looks for (a third of its time, unused
    here). Only the date search on markup; the pattern search over the whole page (slow on
    big pages) runs once, later, in _dates, and only if this finds nothing.
    tests/ingest/test_extract.py checks these fields against extract_metadata itself."""
    try:
        document = examine_meta(tree)
        if document.author and " " not in document.author:
            document.author = None
        with contextlib.suppress(Exception):  # as in trafilatura: bugs in its JSON-LD parser
            document = extract_meta_json(tree, document)
        document.title = document.title or extract_title(tree)
        document.author = document.author or extract_author(tree)
        document.url = document.url or extract_url(tree, url or None)
        document.date = htmldate.find_date(
            tree, url=document.url, original_date=True, extensive_search=False
        )
        if not document.sitename:
            document.sitename = extract_sitename(tree)
        if document.sitename:
            sitename = document.sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
            document.sitename = sitename
        elif document.url and (match := META_URL.match(document.url)):
            document.sitename = match[1]
        document.clean_and_trim()
    except Exception:  # noqa: BLE001 - metadata is optional; a parser bug must not lose the text
        return Document()
    return document


def _lines(document: Any) -> str:
    if document is None:
        return ""
    return "\n".join(line.strip() for line in (document.text or "").splitlines() if line.strip())


def _body_text(text: str, title: str) -> str:
    lines = text.split("\n")
    if title and _SPACE.sub(" ", lines[0]).casefold() == title.casefold():
        # Some templates put the headline inside the story block.
        lines = lines[1:]
    text = "\n".join(lines)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("no article text found")
    return text


def _link_text_share(text: str, tree: lxml.html.HtmlElement) -> float:
    anchors = {_clean(anchor.text_content()) for anchor in tree.iter("a")}
    anchors.discard("")
    linked = sum(len(line) for line in text.split("\n") if _clean(line) in anchors)
    return linked / max(len(text), 1)


# Metadata


def _meta_map(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """``<meta>`` contents by lower-cased property, name, itemprop or http-equiv; first wins."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = _clean(element.get("content"))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    return found


def _canonical(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rels and href:
            return href
    return meta.get("og:url") or None


def _language(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str:
    for value in (tree.get("lang"), meta.get("og:locale"), meta.get("content-language")):
        match = _LANGUAGE.match((value or "").strip().lower())
        if match:
            return match.group(1)
    return ""


def _clean(value: str | None) -> str:
    return _SPACE.sub(" ", value or "").strip()


# Dates


def _dates(
    tree: lxml.html.HtmlElement, meta: dict[str, str], document: Any, url: str
) -> tuple[dt.datetime | None, dt.datetime | None]:
    ld_published, ld_modified = _json_ld_dates(tree)
    published = (
        _first_time(meta.get(key) for key in _PUBLISHED_META)
        or _first_time(iter((ld_published, _time_element(tree))))
        or _day(document.date)
        or _day(_htmldate(tree, url, original=True))
    )
    modified = _first_time(meta.get(key) for key in _MODIFIED_META) or _parse_time(ld_modified)
    if modified is None and published is not None:
        # Only a day from htmldate: it says something only when it is a later day.
        day = _day(_htmldate(tree, url, original=False))
        modified = day if day is not None and day.date() > published.date() else None
    if modified is not None and published is not None and modified < published:
        modified = None
    return published, modified


def _json_ld_dates(tree: lxml.html.HtmlElement) -> tuple[str, str]:
    candidates: list[tuple[bool, str, str]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for node in _json_ld_nodes(data):
            published = node.get("datePublished")
            if isinstance(published, str):
                modified = node.get("dateModified")
                kind = str(node.get("@type", ""))
                is_article = "Article" in kind or "Posting" in kind
                candidates.append(
                    (is_article, published, modified if isinstance(modified, str) else "")
                )
    if not candidates:
        return "", ""
    # The article's own node beats the WebPage or WebSite nodes around it.
    _, published, modified = max(candidates, key=lambda candidate: candidate[0])
    return published, modified


def _json_ld_nodes(data: object) -> Iterator[dict[str, Any]]:
    stack: list[tuple[object, int]] = [(data, 0)]
    seen = 0
    while stack and seen < _JSON_LD_MAX_NODES:
        value, depth = stack.pop(0)
        seen += 1
        if depth > _JSON_LD_MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            yield value
            stack.extend(
                (value[key], depth + 1) for key in ("@graph", "mainEntity") if key in value
            )


def _time_element(tree: lxml.html.HtmlElement) -> str:
    for element in tree.iter("time"):
        if element.get("itemprop") == "datePublished" or element.get("pubdate") is not None:
            return element.get("datetime") or ""
    return ""


def _first_time(values: Iterator[str | None]) -> dt.datetime | None:
    for value in values:
        parsed = _parse_time(value)
        if parsed is not None:
            return parsed
    return None


def _parse_time(value: str | None) -> dt.datetime | None:
    parsed = parse_timestamp(value)
    return None if parsed is None else _plausible(parsed)


def _day(value: str | None) -> dt.datetime | None:
    """A day (trafilatura and htmldate give no time) as midnight UTC."""
    try:
        day = dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return _plausible(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))


def _plausible(moment: dt.datetime) -> dt.datetime | None:
    if EARLIEST <= moment <= dt.datetime.now(dt.UTC) + FUTURE_SLACK:
        return moment
    return None


def _htmldate(tree: lxml.html.HtmlElement, url: str, *, original: bool) -> str | None:
    try:
        # A tree, never a str: htmldate downloads a str that looks like a URL.
        return htmldate.find_date(
            tree, url=url or None, original_date=original, extensive_search=original
        )
    except Exception:  # noqa: BLE001 - a date is optional; a parser bug must not lose the text
        return None
