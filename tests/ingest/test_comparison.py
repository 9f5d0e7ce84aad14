"""Trafilatura's comparison with readability is skipped only where it cannot change the text:
the extraction is the same with and without the skip, and the bound it rests on is never below
readability's text."""

import contextlib
import copy
import random
from pathlib import Path

import lxml.html
import pytest
import trafilatura
from lxml.etree import tostring
from trafilatura import external
from trafilatura.settings import Extractor
from trafilatura.utils import trim

from bench.pages import fixture_pages, generated_pages
from events.ingest import comparison, extract
from events.ingest.decode import decode_html

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
VIDEO = '<iframe src="https://www.youtube.com/embed/kz2022"></iframe>'


def _pages() -> list[str]:
    """The fixture pages, generated compact and full news pages, and the same cut short or
    with a video frame (readability writes text into it) at random places."""
    pages = [decode_html(path.read_bytes()).text for path in sorted(PAGES.glob("*.html"))]
    pages += [decode_html(page.body).text for page in fixture_pages()]
    generated = generated_pages(seed=11, per_language=3, prefix="/t", base_url="http://x")
    pages += [decode_html(page.body).text for page in generated]
    rnd = random.Random(2022)
    for page in list(pages):
        cut = rnd.randint(len(page) // 3, len(page))
        at = rnd.randint(0, len(page))
        pages += [page[:cut], page[:at] + VIDEO + page[at:]]
    return pages


PAGE_TEXTS = _pages()


def _extracted(page: str, *, skip: bool) -> object:
    with contextlib.ExitStack() as stack:
        if not skip:
            stack.enter_context(pytest.MonkeyPatch.context()).setattr(
                extract, "bounded_comparison", contextlib.nullcontext
            )
        try:
            return extract.extract_article(page, url="https://fetched.example/a")
        except extract.ExtractionError as error:
            return str(error)


def test_the_skip_is_installed_for_the_release_it_was_proven_against():
    # A new trafilatura release runs unchanged (see events/ingest/comparison.py): check
    # compare_extraction and _prefer_readability of the new release against
    # comparison_unneeded, then move VERIFIED_VERSION.
    assert trafilatura.__version__ == comparison.VERIFIED_VERSION
    assert comparison.installed()


def test_extraction_is_the_same_with_and_without_the_skip(monkeypatch):
    unneeded = comparison.comparison_unneeded
    skipped = []

    def counted(*args):
        skipped.append(unneeded(*args))
        return skipped[-1]

    monkeypatch.setattr(comparison, "comparison_unneeded", counted)
    for page in PAGE_TEXTS:
        assert _extracted(page, skip=True) == _extracted(page, skip=False)
    # The pages include both kinds: the skip is taken, and not everywhere.
    assert 0 < sum(skipped) < len(skipped)


def test_the_bound_is_never_below_readabilitys_text(monkeypatch):
    """What ``compare_extraction`` measures readability's text by, page after page."""
    measured = []

    def compare(cleaned_tree, raw_tree, body, text, options):
        pruned = copy.deepcopy(raw_tree)
        if options.focus == "precision":
            pruned = external.prune_unwanted_nodes(pruned, external.OVERALL_DISCARD_XPATH)
        algo = external.try_readability(pruned)
        length = len(trim(tostring(algo, method="text", encoding="utf-8").decode("utf-8")))
        measured.append((length, comparison.text_bound(raw_tree)))
        return body, text

    monkeypatch.setattr(comparison, "_original", compare)
    for page in PAGE_TEXTS:
        _extracted(page, skip=False)
    assert len(measured) > len(PAGE_TEXTS) // 2
    assert all(length <= bound for length, bound in measured)


def test_outside_the_block_trafilatura_compares_as_it_always_does(monkeypatch):
    calls = []
    original = comparison._original
    monkeypatch.setattr(comparison, "_original", lambda *args: calls.append(1) or original(*args))
    compact = next(
        page
        for page in generated_pages(seed=3, per_language=1, prefix="/t", base_url="http://x")
        if page.kind == "compact"
    )
    page = decode_html(compact.body).text
    trafilatura.extract(page)
    assert calls  # bare extraction (the benchmark's reference) keeps its comparison
    calls.clear()
    with comparison.bounded_comparison():
        trafilatura.extract(page, favor_precision=True)
    assert not calls  # the same page inside the block: provably unchanged, not compared


def _body(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="body")


LONG = "Токаев поиска помощ от ОДКС след протестите в Алмати. " * 8


@pytest.mark.parametrize(
    ("body", "text", "focus"),
    [
        (f"<p>{LONG}</p>", LONG[:200], "precision"),  # short: jusText may be tried
        (f"<p>{LONG}</p><aside>Най-четени</aside>", LONG, "precision"),  # unclean: jusText
        (f"<div>{LONG}</div>", LONG, "precision"),  # no paragraph text
        (f"<p>{LONG}</p><table></table><table></table>", LONG, "precision"),  # tables
        (f"<p>{LONG}</p>", LONG, "recall"),  # recall's own rules
    ],
)
def test_other_rules_of_the_comparison_still_run_it(body, text, focus):
    options = Extractor(precision=focus == "precision", recall=focus == "recall")
    page = lxml.html.document_fromstring(f"<html><body><p>{LONG}</p></body></html>")
    assert not comparison.comparison_unneeded(page, _body(body), text, options)


def test_a_page_with_more_than_twice_the_text_is_compared():
    options = Extractor(precision=True)
    page = lxml.html.document_fromstring(
        f"<html><body><nav>{LONG}{LONG}</nav><p>{LONG}</p></body></html>"
    )
    assert not comparison.comparison_unneeded(page, _body(f"<p>{LONG}</p>"), LONG, options)
    lean = lxml.html.document_fromstring(
        f"<html><head><script>{LONG * 9}</script></head><body><p>{LONG}</p></body></html>"
    )
    assert comparison.comparison_unneeded(lean, _body(f"<p>{LONG}</p>"), LONG, options)
