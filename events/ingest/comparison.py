"""Trafilatura's comparison with readability, skipped where it provably cannot change the text.

After its own extractor, trafilatura (unless ``fast``) runs readability on the page and keeps
readability's text instead of its own when that is more than twice as long, when its own is
empty, or when its own has no paragraph text; then jusText when its own text is short or still
holds page furniture (``compare_extraction`` in ``trafilatura/external.py``). Readability is
about a millisecond on a small page, which is a third of the extraction there.

Readability's text is a part of the page's text: it drops elements and moves text into new
paragraphs in document order, and adds nothing but ``VIDEO`` in a video ``<iframe>``. So its
length, whitespace collapsed, is at most that of the page's text without scripts and styles
(:func:`text_bound`). When that bound is at most twice our own text's length and no other
rule of the comparison applies (:func:`comparison_unneeded`), the comparison would return our
own text unchanged, and it is not run. Otherwise trafilatura's own function runs as it is.

This reads trafilatura's private function, so it applies only to the release it was proven
against (:data:`VERIFIED_VERSION`); with any other release trafilatura runs unchanged, and
``tests/ingest/test_comparison.py`` fails until this module is checked against the new one.
It applies only inside :func:`bounded_comparison`: anything else calling trafilatura in the
process (the benchmark's bare extraction) gets the library's own behaviour.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import trafilatura
import trafilatura.core
from lxml import etree
from trafilatura.external import SANITIZED_XPATH

VERIFIED_VERSION = "2.3.1"
# Readability's ``sanitize`` writes this into the text of an iframe showing a video.
_VIDEO_TEXT = len("VIDEO") + 1

# What readability drops with everything inside; outermost only, so nothing counts twice.
_DROPPED = etree.XPath(
    "descendant-or-self::script[not(ancestor::fencedframe)]"
    " | descendant-or-self::style[not(ancestor::fencedframe)]"
    " | descendant-or-self::fencedframe[not(ancestor::fencedframe)]"
)
_IFRAMES = etree.XPath("count(descendant-or-self::iframe)")
# XPath's normalize-space collapses only ASCII whitespace, Python's str.split (trafilatura's
# ``trim``) all Unicode whitespace: the XPath length is never the shorter.
_TRIMMED_LENGTH = etree.XPath("string-length(normalize-space(string(.)))")
_PARAGRAPH_TEXT = etree.XPath(".//p//text()")

_active: contextvars.ContextVar[bool] = contextvars.ContextVar("bounded_comparison", default=False)
_original = trafilatura.core.compare_extraction


def text_bound(tree: Any, *, limit: int | None = None) -> int:
    """An upper bound of the length of readability's text of ``tree``, whitespace collapsed.
    With ``limit``, the count may stop early, at a number above ``limit``, once the bound is
    sure to be above it.

    Removing a part S from a text T leaves at most len(T) - len(S) + 1 characters once
    whitespace is collapsed (S's own characters and runs of whitespace go; at most one run
    is left where S was)."""
    bound = int(_TRIMMED_LENGTH(tree)) + _VIDEO_TEXT * int(_IFRAMES(tree))
    dropped = _DROPPED(tree)
    # A dropped part removes at most its raw length: a big page is told apart without
    # collapsing the whitespace of its scripts one by one.
    if limit is not None and bound - sum(len(part.text_content()) for part in dropped) > limit:
        return bound
    for element in dropped:
        bound -= max(int(_TRIMMED_LENGTH(element)) - 1, 0)
    return bound


def comparison_unneeded(raw_tree: Any, body: Any, text: str, options: Any) -> bool:
    """Whether ``compare_extraction`` of trafilatura 2.3.1 would return ``body`` and ``text``
    unchanged: readability's text cannot be preferred and jusText would not be tried."""
    length = len(text)
    if options.focus == "recall" or length < options.min_extracted_size:
        return False  # recall's own rules, or jusText for a short text
    if body.xpath(SANITIZED_XPATH):
        return False  # jusText for an unclean text
    paragraphs = len(body.findall(".//p"))
    if not _PARAGRAPH_TEXT(body) or len(body.findall(".//table")) > paragraphs:
        return False  # structurally deficient: readability may be preferred
    return text_bound(raw_tree, limit=2 * length) <= 2 * length


def _compare_extraction(
    cleaned_tree: Any, raw_tree: Any, body: Any, text: str, options: Any
) -> tuple[Any, str]:
    if _active.get() and comparison_unneeded(raw_tree, body, text, options):
        return body, text
    return _original(cleaned_tree, raw_tree, body, text, options)


def installed() -> bool:
    return trafilatura.core.compare_extraction is _compare_extraction


@contextlib.contextmanager
def bounded_comparison() -> Iterator[None]:
    """Within this block (this thread or task only), trafilatura skips a comparison that
    cannot change its text."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


if trafilatura.__version__ == VERIFIED_VERSION:
    trafilatura.core.compare_extraction = _compare_extraction
