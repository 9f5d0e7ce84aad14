"""Trafilatura's boilerplate pruning expressions evaluated in Python, with the same result as
the library's XPath, several times faster.

Trafilatura prunes a page with lists of XPath expressions: the boilerplate discard
(``OVERALL_DISCARD_XPATH``, twice: in its own extraction and, on the whole uncleaned page,
before readability), the comment sections (``REMOVE_COMMENTS_AND_LISTS_XPATH``,
``REMOVE_COMMENTS_XPATH``) and the infinite-scroll containers (``RAW_TREE_PRUNE_XPATH``). They
test elements' ``id``, ``class`` and ``style`` with EXSLT regular expressions, which lxml runs
as a call back into Python for each test of each element, the attribute present or not: about
3 ms of a full news page's ~7 ms extraction (docs/ingestion-speed.md, fourteenth round). Here
each element of the expression's tags is read once and tested with the same patterns, which
are taken from the library's own expressions, not copied: a list with an expression whose
shape differs from the one this was written against keeps the library's XPath.

XPath details the evaluation keeps: ``.//*`` is every element below the tree's root, in
document order; ``re:test(@id|@class, …)`` and ``starts-with(@id|@class, …)`` read the one of
the two attributes that comes first in the tag (a node set's string value is its first node's),
and an absent attribute reads as the empty string; ``.//h1`` is a descendant, not the element
itself. ``tests/ingest/test_discard.py`` compares the two on the fixture pages, the benchmark's
pages and thousands of random trees.

Like :mod:`events.ingest.comparison`, it applies to the release it was checked against
(:data:`VERIFIED_VERSION`) and only inside :func:`python_discard`: anything else calling
trafilatura in the process (the benchmark's bare extraction) gets the library's XPath.
"""

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree
from trafilatura import core, external, htmlprocessing, main_extractor
from trafilatura.xpaths import (
    OVERALL_DISCARD_XPATH,
    RAW_TREE_PRUNE_XPATH,
    REMOVE_COMMENTS_AND_LISTS_XPATH,
    REMOVE_COMMENTS_XPATH,
)

VERIFIED_VERSION = "2.3.1"

_Attributes = dict[str, str]
# element, its attributes, the first of @id|@class, the first of @id|@style ("" if none)
_Test = Callable[[Any, _Attributes, str, str], bool]
_Patterns = list[re.Pattern[str]]

_ELEMENTS = (etree.Element,)  # every element (not comments, processing instructions)


@dataclass(frozen=True)
class _Shape:
    """An expression's text, whitespace collapsed, {pattern} marking each regular expression
    read from the library's expression (quoted with ' and without one inside); the tags it
    tests (lxml's tag filter, document order kept); the test, made from the patterns; and
    whether the test reads the element itself, not only its attributes."""

    text: str
    tags: tuple[Any, ...]
    test: Callable[[_Patterns], _Test]
    reads_element: bool = False


def _nav_and_boilerplate(patterns: _Patterns) -> _Test:
    either, by_id, by_class = (pattern.search for pattern in patterns)

    def test(_element: Any, attributes: _Attributes, id_or_class: str, _style: str) -> bool:
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


def _hidden_and_replies(patterns: _Patterns) -> _Test:
    hidden, by_id, by_class = (pattern.search for pattern in patterns)

    def test(_element: Any, attributes: _Attributes, id_or_class: str, id_or_style: str) -> bool:
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


def _id_or_class(patterns: _Patterns) -> _Test:
    by_id, by_class = (pattern.search for pattern in patterns)

    def test(_element: Any, attributes: _Attributes, _first: str, _style: str) -> bool:
        return (
            by_id(attributes.get("id", "")) is not None
            or by_class(attributes.get("class", "")) is not None
        )

    return test


def _then(exempt: Callable[[Any], bool]) -> Callable[[_Patterns], _Test]:
    """``[re:test(@id, …) or re:test(@class, …)][exempt or re:test(@id, …) or
    re:test(@class, …)]``: the first two patterns are the first predicate's."""

    def build(patterns: _Patterns) -> _Test:
        matches = _id_or_class(patterns[:2])
        again = _id_or_class(patterns[2:])

        def test(element: Any, attributes: _Attributes, id_or_class: str, style: str) -> bool:
            return matches(element, attributes, id_or_class, style) and (
                exempt(element) or again(element, attributes, id_or_class, style)
            )

        return test

    return build


def _not_a_list(element: Any) -> bool:
    return element.tag not in ("ol", "ul")


def _no_h1_inside(element: Any) -> bool:
    return next(element.iterdescendants("h1"), None) is None


_ID_OR_CLASS = "re:test(@id, '{pattern}') or re:test(@class, '{pattern}')"
_COMMENT_TAGS = ("div", "list", "section", "details")
# Each list of expressions the pipeline's extraction prunes with, and the shape of each of its
# expressions; None: no EXSLT in it, the library's XPath is kept.
_SHAPES: list[tuple[list[Any], list[_Shape | None]]] = [
    (
        OVERALL_DISCARD_XPATH,
        [
            _Shape(
                ".//*[self::div or self::item or self::list or self::p or self::section or "
                "self::span][@data-lp-replacement-content or "
                "contains(translate(@role, 'N', 'n'), 'nav') or "
                "contains(@data-component, 'MostPopularStories') or "
                "re:test(@id|@class, '{pattern}') or " + _ID_OR_CLASS + "]",
                ("div", "item", "list", "p", "section", "span"),
                _nav_and_boilerplate,
            ),
            _Shape(
                ".//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or "
                "re:test(@id|@style, '{pattern}') or "
                "contains(@style, 'display:none') or contains(@style, 'display: none') or "
                + _ID_OR_CLASS
                + " or @aria-hidden='true']",
                _ELEMENTS,
                _hidden_and_replies,
            ),
        ],
    ),
    (
        REMOVE_COMMENTS_XPATH,
        [
            _Shape(
                ".//*[self::div or self::list or self::section or self::details]["
                + _ID_OR_CLASS
                + "]",
                _COMMENT_TAGS,
                _id_or_class,
            )
        ],
    ),
    (
        REMOVE_COMMENTS_AND_LISTS_XPATH,
        [
            _Shape(
                ".//*[self::div or self::list or self::section or self::details or self::ol or "
                "self::ul]["
                + _ID_OR_CLASS
                + "][not(self::ol or self::ul) or "
                + _ID_OR_CLASS
                + "]",
                (*_COMMENT_TAGS, "ol", "ul"),
                _then(_not_a_list),
                reads_element=True,
            )
        ],
    ),
    (
        RAW_TREE_PRUNE_XPATH,
        [
            _Shape(
                ".//*[self::div or self::section or self::aside][" + _ID_OR_CLASS + "]"
                "[not(.//h1) or " + _ID_OR_CLASS + "]",
                ("div", "section", "aside"),
                _then(_no_h1_inside),
                reads_element=True,
            ),
            None,
        ],
    ),
]


def _patterns(expression: Any, shape: str) -> _Patterns | None:
    """The regular expressions of ``expression`` if its text has ``shape``, else None. The
    text's whitespace is collapsed outside its quoted strings only: a pattern is read as it is
    written, spaces included."""
    parts = expression.path.split("'")
    for n in range(0, len(parts), 2):  # outside the quotes
        parts[n] = re.sub(r"\s+", " ", parts[n]).replace("[ ", "[").replace(" ]", "]")
    text = "'".join(parts).strip()
    template = re.escape(shape).replace(re.escape("{pattern}"), "([^']*)")
    match = re.fullmatch(template, text)
    if match is None:
        return None
    return [re.compile(pattern) for pattern in match.groups()]


def _first_of(items: list[tuple[str, str]], one: str, other: str) -> str:
    """The string value of ``@one|@other``: the one that comes first in the tag, or ""."""
    for name, value in items:
        if name == one or name == other:
            return value
    return ""


class _Discard:
    """Called like the XPath it stands for: the matching elements below ``tree``, in document
    order."""

    def __init__(self, test: _Test, tags: tuple[Any, ...], *, reads_element: bool) -> None:
        self.test = test
        self.tags = tags
        # An element without attributes reads every attribute as "": unless the test reads
        # the element too, the same answer for all of them.
        self.bare_matches = None if reads_element else test(None, {}, "", "")

    def __call__(self, tree: Any) -> list[Any]:
        matches = []
        for element in tree.iterdescendants(*self.tags):
            items = element.items()
            if not items:
                if self.bare_matches or (
                    self.bare_matches is None and self.test(element, {}, "", "")
                ):
                    matches.append(element)
                continue
            id_or_class = _first_of(items, "id", "class")
            id_or_style = _first_of(items, "id", "style")
            if self.test(element, dict(items), id_or_class, id_or_style):
                matches.append(element)
        return matches


def _replacement(expressions: list[Any], shapes: list[_Shape | None]) -> list[Any] | None:
    """``expressions`` with each one of a known shape evaluated in Python, or None if any has
    another shape (another release, another expression)."""
    if len(expressions) != len(shapes):
        return None
    replaced: list[Any] = []
    for expression, shape in zip(expressions, shapes, strict=True):
        if shape is None:
            replaced.append(expression)
            continue
        patterns = _patterns(expression, shape.text)
        if patterns is None:
            return None
        test = shape.test(patterns)
        replaced.append(_Discard(test, shape.tags, reads_element=shape.reads_element))
    return replaced


@dataclass(frozen=True)
class _Known:
    """A library list, the expressions it held when its replacement was made, the replacement."""

    expressions: list[Any]
    held: tuple[Any, ...]
    replaced: list[Any]

    def stands_for(self, nodelist: Any) -> bool:
        """Whether the replacement stands for ``nodelist``: the very list, holding the very
        expressions it held (a list changed since keeps the library's XPath)."""
        return (
            nodelist is self.expressions
            and len(nodelist) == len(self.held)
            and all(now is then for now, then in zip(nodelist, self.held, strict=True))
        )


def _replacements() -> dict[int, _Known]:
    """By the library list's identity: the lists of known shapes and their replacements."""
    if trafilatura.__version__ != VERIFIED_VERSION:
        return {}
    found = {}
    for expressions, shapes in _SHAPES:
        replaced = _replacement(expressions, shapes)
        if replaced is not None:
            found[id(expressions)] = _Known(expressions, tuple(expressions), replaced)
    return found


_REPLACEMENTS = _replacements()
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("python_discard", default=False)
_original = htmlprocessing.prune_unwanted_nodes


def replacement(expressions: list[Any]) -> list[Any] | None:
    """What stands for the library's list ``expressions``, or None."""
    known = _REPLACEMENTS.get(id(expressions))
    return known.replaced if known is not None and known.stands_for(expressions) else None


def _prune_unwanted_nodes(tree: Any, nodelist: Any, with_backup: bool = False) -> Any:
    if _active.get() and isinstance(tree, etree._Element):
        nodelist = replacement(nodelist) or nodelist
    return _original(tree, nodelist, with_backup)


_PATCHED = (core, main_extractor, external)


def installed() -> bool:
    return bool(_REPLACEMENTS) and all(
        module.prune_unwanted_nodes is _prune_unwanted_nodes for module in _PATCHED
    )


@contextlib.contextmanager
def python_discard() -> Iterator[None]:
    """Within this block (this thread or task only), trafilatura's pruning expressions of a
    known shape run in Python."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


if _REPLACEMENTS:
    for _module in _PATCHED:
        _module.prune_unwanted_nodes = _prune_unwanted_nodes  # type: ignore[attr-defined]
