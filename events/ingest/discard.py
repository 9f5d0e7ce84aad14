"""Trafilatura's boilerplate discard (``OVERALL_DISCARD_XPATH``) evaluated in Python, with the
same result as the library's XPath, several times faster.

Trafilatura prunes the page with these two expressions twice: once in its own extraction and
once before readability, on the whole uncleaned page. They test every element's ``id``,
``class`` and ``style`` with EXSLT regular expressions, which lxml runs as a call back into
Python for each test of each element, present or not: about 3 ms on a full news page, two
fifths of our extraction of it (docs/ingestion-speed.md, fourteenth round). Here each element
with attributes is read once and tested with the same patterns, which are taken from the
library's own expressions, not copied: an expression whose shape differs from the one this
was written against leaves the library's XPath in use.

XPath details the evaluation keeps: ``.//*`` is every element below the tree's root, in
document order; ``re:test(@id|@class, …)`` and ``starts-with(@id|@class, …)`` read the one of
the two attributes that comes first in the tag (a node set's string value is its first node's),
and an absent attribute reads as the empty string. ``tests/ingest/test_discard.py`` compares
the two on the fixture pages, the benchmark's pages and thousands of random trees.

Like :mod:`events.ingest.comparison`, it applies to the release it was checked against
(:data:`VERIFIED_VERSION`) and only inside :func:`python_discard`: anything else calling
trafilatura in the process (the benchmark's bare extraction) gets the library's XPath.
"""

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from typing import Any

import trafilatura
from lxml import etree
from trafilatura import external, htmlprocessing, main_extractor
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

VERIFIED_VERSION = "2.3.1"

# The two expressions' shapes, whitespace collapsed; {pattern} marks a regular expression read
# from the library's expression (quoted with ' and without one inside).
_FIRST_SHAPE = (
    ".//*[self::div or self::item or self::list or self::p or self::section or self::span]["
    "@data-lp-replacement-content or "
    "contains(translate(@role, 'N', 'n'), 'nav') or "
    "contains(@data-component, 'MostPopularStories') or "
    "re:test(@id|@class, '{pattern}') or "
    "re:test(@id, '{pattern}') or "
    "re:test(@class, '{pattern}')]"
)
_SECOND_SHAPE = (
    ".//*[@class='comments-title' or "
    "starts-with(@id|@class, 'reply-') or "
    "re:test(@id|@style, '{pattern}') or "
    "contains(@style, 'display:none') or contains(@style, 'display: none') or "
    "re:test(@id, '{pattern}') or "
    "re:test(@class, '{pattern}') or @aria-hidden='true']"
)
_FIRST_TAGS = ("div", "item", "list", "p", "section", "span")
_ELEMENTS = (etree.Element,)  # every element (not comments, processing instructions)

_Attributes = dict[str, str]
_Test = Callable[[_Attributes, str, str], bool]  # attributes, first of id|class, id|style


def _patterns(expression: Any, shape: str) -> list[re.Pattern[str]] | None:
    """The regular expressions of ``expression`` if its text has ``shape``, else None."""
    text = " ".join(expression.path.split()).replace("[ ", "[").replace(" ]", "]")
    template = re.escape(shape).replace(re.escape("{pattern}"), "([^']*)")
    match = re.fullmatch(template, text)
    if match is None:
        return None
    return [re.compile(pattern) for pattern in match.groups()]


def _first_test(patterns: list[re.Pattern[str]]) -> _Test:
    either, by_id, by_class = (pattern.search for pattern in patterns)

    def test(attributes: _Attributes, id_or_class: str, _id_or_style: str) -> bool:
        role = attributes.get("role")
        component = attributes.get("data-component")
        return (
            "data-lp-replacement-content" in attributes
            or (role is not None and "nav" in role.replace("N", "n"))
            or (component is not None and "MostPopularStories" in component)
            or either(id_or_class) is not None
            or by_id(attributes.get("id", "")) is not None
            or by_class(attributes.get("class", "")) is not None
        )

    return test


def _second_test(patterns: list[re.Pattern[str]]) -> _Test:
    hidden, by_id, by_class = (pattern.search for pattern in patterns)

    def test(attributes: _Attributes, id_or_class: str, id_or_style: str) -> bool:
        style = attributes.get("style", "")
        return (
            attributes.get("class") == "comments-title"
            or id_or_class.startswith("reply-")
            or hidden(id_or_style) is not None
            or "display:none" in style
            or "display: none" in style
            or by_id(attributes.get("id", "")) is not None
            or by_class(attributes.get("class", "")) is not None
            or attributes.get("aria-hidden") == "true"
        )

    return test


def _first_of(items: list[tuple[str, str]], one: str, other: str) -> str:
    """The string value of ``@one|@other``: the one that comes first in the tag, or ""."""
    for name, value in items:
        if name == one or name == other:
            return value
    return ""


class _Discard:
    """Called like the XPath it stands for: the matching elements below ``tree``, in document
    order."""

    def __init__(self, test: _Test, tags: tuple[str, ...]) -> None:
        self.test = test
        self.tags = tags  # the elements to test (lxml's filter: document order kept), or all
        # An element without attributes reads every attribute as "": the same for all of them.
        self.bare_matches = test({}, "", "")

    def __call__(self, tree: Any) -> list[Any]:
        matches = []
        for element in tree.iterdescendants(*self.tags):
            items = element.items()
            if not items:
                if self.bare_matches:
                    matches.append(element)
                continue
            id_or_class = _first_of(items, "id", "class")
            id_or_style = _first_of(items, "id", "style")
            if self.test(dict(items), id_or_class, id_or_style):
                matches.append(element)
        return matches


def _discards() -> list[_Discard] | None:
    """The Python equivalents of OVERALL_DISCARD_XPATH, or None where they are not known to be
    (another release, another expression)."""
    if trafilatura.__version__ != VERIFIED_VERSION or len(OVERALL_DISCARD_XPATH) != 2:
        return None
    first = _patterns(OVERALL_DISCARD_XPATH[0], _FIRST_SHAPE)
    second = _patterns(OVERALL_DISCARD_XPATH[1], _SECOND_SHAPE)
    if first is None or second is None:
        return None
    return [_Discard(_first_test(first), _FIRST_TAGS), _Discard(_second_test(second), _ELEMENTS)]


_DISCARDS = _discards()
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("python_discard", default=False)
_original = htmlprocessing.prune_unwanted_nodes


def _prune_unwanted_nodes(tree: Any, nodelist: Any, with_backup: bool = False) -> Any:
    if nodelist is OVERALL_DISCARD_XPATH and _active.get() and isinstance(tree, etree._Element):
        nodelist = _DISCARDS
    return _original(tree, nodelist, with_backup)


def discards() -> list[_Discard] | None:
    """The Python equivalents in use (for the tests), or None."""
    return _DISCARDS


def installed() -> bool:
    return all(
        module.prune_unwanted_nodes is _prune_unwanted_nodes
        for module in (main_extractor, external)
    )


@contextlib.contextmanager
def python_discard() -> Iterator[None]:
    """Within this block (this thread or task only), trafilatura's boilerplate discard runs
    in Python."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


if _DISCARDS is not None:
    main_extractor.prune_unwanted_nodes = _prune_unwanted_nodes
    external.prune_unwanted_nodes = _prune_unwanted_nodes
