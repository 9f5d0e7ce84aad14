"""URL canonicalisation: every link to one story gives one canonical URL, and no more."""

import pytest

from events.ingest.urls import InvalidURL, accept_rel_canonical, canonical_url, url_host

CANONICAL = [
    # tracking parameters go, others stay in their order and spelling
    ("https://example.com/a?utm_source=rss&id=5&utm_medium=feed", "https://example.com/a?id=5"),
    ("https://example.com/a?b=2&fbclid=x&a=1", "https://example.com/a?b=2&a=1"),
    ("https://example.com/a?UTM_Campaign=x&GCLID=y", "https://example.com/a"),
    ("https://example.com/a?dclid=1&msclkid=2&mc_cid=3&mc_eid=4&yclid=5&igshid=6",
     "https://example.com/a"),
    ("https://example.com/a?_ga=1&_gl=2&ref_src=twsrc&page=2", "https://example.com/a?page=2"),
    ("https://www.bbc.com/news/world-asia-59882662?at_medium=RSS&at_campaign=KARANGA",
     "https://www.bbc.com/news/world-asia-59882662"),
    ("https://example.com/a?print&q=a+b&empty=", "https://example.com/a?print&q=a+b&empty="),
    ("https://example.com/a?source=rss&ref=home&session=3",
     "https://example.com/a?source=rss&ref=home&session=3"),
    # fragments
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?utm_source=x#top", "https://example.com/a"),
    # default ports
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    # case: scheme and host only
    ("HTTPS://WWW.Example.COM/News/Story", "https://www.example.com/News/Story"),
    ("https://example.com./a", "https://example.com/a"),
    # international names and paths
    ("https://Пример.рф/новини", "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    # path
    ("https://example.com", "https://example.com/"),
    ("https://example.com?x=1", "https://example.com/?x=1"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/%7euser/%2f%e2%82%ac", "https://example.com/~user/%2F%E2%82%AC"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a/", "https://example.com/a/"),
    # userinfo is never kept; surrounding blanks are ignored
    ("https://user:secret@example.com/a", "https://example.com/a"),
    ("  https://example.com/a\n", "https://example.com/a"),
    ("http://[0:0::1]:80/", "http://[::1]/"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [url for url, _ in CANONICAL])
def test_canonical_url_is_idempotent(url):
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a",
        "mailto:desk@example.com",
        "javascript:alert(1)",
        "/relative/path",
        "not a url",
        "http://",
        "http://example.com:99999/",
        "http://exa mple.com/",
        "http://[::1/",
    ],
)
def test_invalid_urls_are_refused_with_one_line(url):
    with pytest.raises(InvalidURL) as caught:
        canonical_url(url)

    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://News.BBC.co.uk:8443/x", "news.bbc.co.uk"),
        ("https://пример.рф/", "xn--e1afmkfd.xn--p1ai"),
        ("http://[::1]:8000/", "::1"),
    ],
)
def test_url_host(url, host):
    assert url_host(url) == host


@pytest.mark.parametrize(
    ("page", "canonical", "expected"),
    [
        ("https://example.com/news/1?utm_source=x", "/news/1", "https://example.com/news/1"),
        ("https://example.com/news/1", "../story/1?utm_medium=rss#x",
         "https://example.com/story/1"),
        ("https://m.bbc.co.uk/news/1", "https://www.bbc.co.uk/news/1",
         "https://www.bbc.co.uk/news/1"),
        ("http://example.com/news/1", "https://example.com/news/1", "https://example.com/news/1"),
        ("https://example.com/news/1", "//example.com/news/1", "https://example.com/news/1"),
        # a page cannot claim another site's URL
        ("https://copycat.example/story", "https://www.reuters.com/story", None),
        ("https://one.co.uk/story", "https://two.co.uk/story", None),
        ("https://alice.github.io/story", "https://bob.github.io/story", None),
        ("http://127.0.0.1:8000/a", "http://127.0.0.2:8000/a", None),
        # nor the site's front page, nor anything that is not an http(s) URL
        ("https://example.com/news/1", "https://example.com/", None),
        ("https://example.com/news/1", "javascript:alert(1)", None),
        ("https://example.com/news/1", "ftp://example.com/news/1", None),
        ("https://example.com/news/1", "", None),
        ("https://example.com/news/1", None, None),
    ],
)  # fmt: skip
def test_accept_rel_canonical(page, canonical, expected):
    assert accept_rel_canonical(page, canonical) == expected


def test_front_page_may_claim_itself():
    assert accept_rel_canonical("https://example.com/?ref=x", "/") == "https://example.com/"
