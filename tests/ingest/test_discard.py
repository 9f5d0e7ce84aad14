"""Trafilatura's pruning expressions in Python find exactly the elements the library's XPath
finds, in the same order, and the extraction is the same with them; outside their block, and
for any expression of another shape, the library's XPath runs."""

import html
import random
import re
from pathlib import Path

import lxml.html
import pytest
import trafilatura
from lxml.etree import XPath
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.xpaths import (
    OVERALL_DISCARD_XPATH,
    RAW_TREE_PRUNE_XPATH,
    REGEXP_NS,
    REMOVE_COMMENTS_AND_LISTS_XPATH,
    REMOVE_COMMENTS_XPATH,
)

from bench.pages import fixture_pages, generated_pages
from events.ingest import discard
from events.ingest.decode import decode_html

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
LISTS = {
    "overall discard": OVERALL_DISCARD_XPATH,
    "comments": REMOVE_COMMENTS_XPATH,
    "comments and lists": REMOVE_COMMENTS_AND_LISTS_XPATH,
    "raw tree prune": RAW_TREE_PRUNE_XPATH,
}


def _pages() -> list[str]:
    pages = [decode_html(path.read_bytes()).text for path in sorted(PAGES.glob("*.html"))]
    pages += [decode_html(page.body).text for page in fixture_pages()]
    generated = generated_pages(seed=12, per_language=2, prefix="/t", base_url="http://x")
    return pages + [decode_html(page.body).text for page in generated]


def _both(tree: lxml.html.HtmlElement) -> tuple[list[list[object]], list[list[object]]]:
    """What every list's XPath expressions find, and what their replacements find."""
    xpath, python = [], []
    for expressions in LISTS.values():
        replaced = discard.replacement(expressions)
        assert replaced is not None
        xpath += [expression(tree) for expression in expressions]
        python += [expression(tree) for expression in replaced]
    return xpath, python


def test_in_use_for_the_release_it_was_checked_against() -> None:
    assert trafilatura.__version__ == discard.VERIFIED_VERSION
    assert discard.installed()
    for expressions in LISTS.values():
        replaced = discard.replacement(expressions)
        assert replaced is not None
        assert any(isinstance(each, discard._Discard) for each in replaced)


@pytest.mark.parametrize("cleaned", [False, True], ids=["raw page", "cleaned, tags converted"])
def test_the_same_elements_as_the_xpath_on_real_and_generated_pages(cleaned: bool) -> None:
    found = 0
    for page in _pages():
        tree = lxml.html.document_fromstring(page)
        if cleaned:  # what trafilatura's own extraction prunes: <list>, <item> among the tags
            tree = convert_tags(tree_cleaning(tree, Extractor()), Extractor())
        xpath, python = _both(tree)
        assert python == xpath
        found += sum(map(len, xpath))
    assert found > 100  # the pages have boilerplate to find


# Values made of the expressions' own tokens (the literal parts of their quoted strings), in
# other cases, glued to other words, and the attribute values the expressions test literally.
def _literal_tokens() -> list[str]:
    """The literal parts of the expressions' quoted strings: "[Cc]omment(?!ary)|comol" gives
    "Comment", "ary", "comol"."""
    tokens = set()
    for xpath in (expression for expressions in LISTS.values() for expression in expressions):
        for quoted in xpath.path.split("'")[1::2]:
            quoted = re.sub(r"\[(.)[^\]]*\]", r"\1", quoted)  # a character class: its first
            for part in re.split(r"\(\?[:!=]|[|()^$?*+\\]", quoted):
                if part.strip(" -"):
                    tokens.add(part)
    return sorted(tokens)


_WORDS = ["article", "content", "main", "story", "x", "Nav", "NAV", "Navigation", "ad", "N"]
_ATTRIBUTES = ["id", "class", "style", "role", "data-component", "aria-hidden"]
_TAGS = ["div", "span", "p", "section", "item", "list", "a", "ul", "ol", "li", "aside", "nav", "b"]
_TAGS += ["details", "h1"]


def _value(rnd: random.Random, tokens: list[str]) -> str:
    parts = [rnd.choice(tokens if rnd.random() < 0.5 else _WORDS) for _ in range(rnd.randint(0, 3))]
    value = rnd.choice([" ", "", "-", "_"]).join(parts)
    if rnd.random() < 0.2:
        value = value.upper() if rnd.random() < 0.5 else value.title()
    if rnd.random() < 0.1:
        value = rnd.choice([" ", ""]) + value + rnd.choice([" ", ""])
    return value


_SPECIAL = {"aria-hidden": ["true", "false", "True"], "style": ["display:none", "color:red"]}


def _attribute(rnd: random.Random, name: str, tokens: list[str]) -> str:
    if name in _SPECIAL and rnd.random() < 0.3:
        return rnd.choice(_SPECIAL[name])
    return _value(rnd, tokens)


def _random_tree(rnd: random.Random, tokens: list[str]) -> str:
    def element(depth: int) -> str:
        tag = rnd.choice(_TAGS)
        names = rnd.sample(_ATTRIBUTES, rnd.randint(0, 4))
        if rnd.random() < 0.05:
            names.append("data-lp-replacement-content")
        attributes = "".join(
            f' {name}="{html.escape(_attribute(rnd, name, tokens))}"' for name in names
        )
        children = "".join(element(depth + 1) for _ in range(rnd.randint(0, 3 if depth < 4 else 0)))
        return f"<{tag}{attributes}>text{children}</{tag}>tail"

    return f"<html><body>{''.join(element(0) for _ in range(rnd.randint(1, 4)))}</body></html>"


def test_the_same_elements_as_the_xpath_on_random_trees() -> None:
    rnd = random.Random(2022)
    tokens = _literal_tokens()
    wanted = {"cookie", "hidden", "reply-", "comments-title", "display:none", "comol"}
    assert wanted | {"Comment", "disqus_thread", "infinite-", "mvp-post-add-"} <= set(tokens)
    found = 0
    for _ in range(3000):
        tree = lxml.html.document_fromstring(_random_tree(rnd, tokens))
        xpath, python = _both(tree)
        assert python == xpath, lxml.html.tostring(tree)
        found += sum(map(len, xpath))
    assert found > 1000


@pytest.mark.parametrize(
    ("markup", "pruned"),
    [
        # Infinite-scroll containers go unless they hold the page's h1 (then only the theme's).
        ('<div class="infinite-scroll"><p>next story</p></div>', True),
        ('<div class="infinite-scroll"><div><h1>the article</h1></div></div>', False),
        ('<h1>the article</h1><section class="mvp-post-add-box"><h1>next</h1></section>', True),
        # Comment sections go; a list goes only for the comment ids and classes, not Disqus's.
        ('<div id="disqus_thread"><p>a comment</p></div>', True),
        ('<ul id="disqus_thread"><li>a comment</li></ul>', False),
        ('<ol class="article-comments"><li>a comment</li></ol>', True),
        ('<details id="Comments"><p>a comment</p></details>', True),
        ('<div class="commentary"><p>an analysis</p></div>', False),
    ],
)
def test_the_comment_and_infinite_scroll_rules(markup: str, pruned: bool) -> None:
    tree = lxml.html.document_fromstring(f"<html><body>{markup}<p>text</p></body></html>")
    xpath, python = _both(tree)
    assert python == xpath
    assert any(xpath[2:]) is pruned  # what the comment and raw-tree lists found


def test_the_extraction_is_the_same_with_it() -> None:
    for page in _pages():
        library = trafilatura.extract(page, favor_precision=True)
        with discard.python_discard():
            assert trafilatura.extract(page, favor_precision=True) == library
        assert trafilatura.extract(page) == trafilatura.extract(page)  # deterministic


def test_outside_its_block_the_library_runs_its_own_xpath(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []
    monkeypatch.setattr(
        discard, "_original", lambda tree, nodelist, backup=False: seen.append(nodelist)
    )
    tree = lxml.html.document_fromstring("<html><body><div class='footer'>x</div></body></html>")
    discard._prune_unwanted_nodes(tree, OVERALL_DISCARD_XPATH)
    with discard.python_discard():
        discard._prune_unwanted_nodes(tree, OVERALL_DISCARD_XPATH)
        other = [XPath(".//aside")]
        discard._prune_unwanted_nodes(tree, other)
    assert seen == [OVERALL_DISCARD_XPATH, discard.replacement(OVERALL_DISCARD_XPATH), other]


def test_a_list_with_an_expression_of_another_shape_is_not_replaced() -> None:
    shapes = {id(expressions): shape for expressions, shape in discard._SHAPES}
    changed = OVERALL_DISCARD_XPATH[1].path.replace("@aria-hidden='true'", "@hidden")
    expressions = [OVERALL_DISCARD_XPATH[0], XPath(changed, namespaces={"re": REGEXP_NS})]
    assert discard._replacement(expressions, shapes[id(OVERALL_DISCARD_XPATH)]) is None
    assert (
        discard._replacement(OVERALL_DISCARD_XPATH, shapes[id(OVERALL_DISCARD_XPATH)]) is not None
    )
    assert discard._replacement(REMOVE_COMMENTS_XPATH, shapes[id(OVERALL_DISCARD_XPATH)]) is None
    # Not the replaced list itself (an equal copy of it): the library's XPath runs.
    assert discard.replacement(list(OVERALL_DISCARD_XPATH)) is None


def test_a_pattern_is_read_as_written_spaces_included() -> None:
    expression = XPath(
        """.//*[self::div or self::list or self::section or self::details][
        re:test(@id, 'disqus[ _]thread|a  b') or re:test(@class, ' x ')]""",
        namespaces={"re": REGEXP_NS},
    )
    shape = discard._SHAPES[1][1][0]
    assert shape is not None
    patterns = discard._patterns(expression, shape.text)
    assert patterns is not None
    assert [pattern.pattern for pattern in patterns] == ["disqus[ _]thread|a  b", " x "]


def test_a_list_changed_after_import_keeps_the_library_xpath(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine = list(REMOVE_COMMENTS_XPATH)
    known = discard._REPLACEMENTS[id(REMOVE_COMMENTS_XPATH)]
    monkeypatch.setitem(
        discard._REPLACEMENTS, id(mine), discard._Known(mine, tuple(mine), known.replaced)
    )
    seen: list[object] = []
    monkeypatch.setattr(
        discard, "_original", lambda tree, nodelist, backup=False: seen.append(nodelist)
    )
    tree = lxml.html.document_fromstring("<html><body><div id='comments'>x</div></body></html>")
    with discard.python_discard():
        discard._prune_unwanted_nodes(tree, mine)
        mine.append(XPath(".//div[@class='promo']"))
        discard._prune_unwanted_nodes(tree, mine)
        mine[:] = [XPath(".//aside")]
        discard._prune_unwanted_nodes(tree, mine)
    assert seen == [known.replaced, mine, mine]
    assert discard.replacement(mine) is None
