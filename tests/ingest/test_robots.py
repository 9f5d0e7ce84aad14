"""robots.txt rules and their cache. Fetching through the real client is in test_fetch.py;
here the cache is handed what a fetch returned."""

import pytest

from events.ingest.robots import (
    ROBOTS_MAX_BYTES,
    RobotsCache,
    RobotsResponse,
    parse_robots,
    robots_url,
)

UA = "tracker/1.0 (+https://example.org/bot)"
ROBOTS = b"""\xef\xbb\xbfUser-agent: tracker
Disallow: /drafts/
Crawl-delay: 2

User-agent: *
Disallow: /
"""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Answers:
    """Hands out the next answer for each fetch and records what was asked for."""

    def __init__(self, *answers: RobotsResponse) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, url: str) -> RobotsResponse:
        self.asked.append(url)
        return self.answers.pop(0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.com:443/a/b?c=1#d", "https://example.com:443/robots.txt"),
        ("http://example.com/", "http://example.com/robots.txt"),
        ("http://[::1]:8080/x", "http://[::1]:8080/robots.txt"),
    ],
)
def test_robots_url_is_per_origin(url, expected):
    assert robots_url(url) == expected


def test_group_for_our_user_agent_applies():
    rules = parse_robots(ROBOTS)

    assert rules.can_fetch(UA, "https://example.com/news/1")
    assert not rules.can_fetch(UA, "https://example.com/drafts/1")
    assert not rules.can_fetch("OtherBot/2.0", "https://example.com/news/1")


def test_rules_are_cached_until_the_ttl():
    clock = Clock()
    answers = Answers(RobotsResponse(200, ROBOTS), RobotsResponse(200, b""))
    cache = RobotsCache(answers, ttl=100, clock=clock)

    assert not cache.allowed("https://example.com/drafts/1", UA)
    assert cache.allowed("https://example.com/news/1", UA)
    assert cache.crawl_delay("https://example.com/news/1", UA) == 2.0
    clock.now = 101
    assert cache.allowed("https://example.com/drafts/1", UA)
    assert answers.asked == ["https://example.com/robots.txt"] * 2


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_missing_robots_allows_everything(status):
    cache = RobotsCache(Answers(RobotsResponse(status)))

    assert cache.allowed("https://example.com/drafts/1", UA)


@pytest.mark.parametrize(
    "response", [RobotsResponse(503), RobotsResponse(429), RobotsResponse(None)]
)
def test_unreachable_robots_allows_and_is_asked_again_soon(response):
    clock = Clock()
    answers = Answers(response, RobotsResponse(200, ROBOTS))
    cache = RobotsCache(answers, ttl=3600, retry_ttl=60, clock=clock)

    assert cache.allowed("https://example.com/drafts/1", UA)
    clock.now = 61
    assert not cache.allowed("https://example.com/drafts/1", UA)
    assert len(answers.asked) == 2


def test_unreachable_robots_keeps_the_last_good_rules():
    clock = Clock()
    answers = Answers(RobotsResponse(200, ROBOTS), RobotsResponse(None, reason="timed out"))
    cache = RobotsCache(answers, ttl=10, clock=clock)

    assert not cache.allowed("https://example.com/drafts/1", UA)
    clock.now = 11
    assert not cache.allowed("https://example.com/drafts/1", UA)


def test_only_the_first_part_of_a_huge_robots_is_parsed():
    huge = b"User-agent: *\nDisallow: /a/\n" + b"#" * ROBOTS_MAX_BYTES + b"\nDisallow: /b/\n"
    cache = RobotsCache(Answers(RobotsResponse(200, huge)))

    assert not cache.allowed("https://example.com/a/1", UA)
    assert cache.allowed("https://example.com/b/1", UA)


def test_origins_are_cached_separately_and_bounded():
    answers = Answers(*[RobotsResponse(404)] * 3)
    cache = RobotsCache(answers, max_entries=1)

    cache.allowed("https://one.example/", UA)
    cache.allowed("https://two.example/", UA)
    cache.allowed("https://one.example/", UA)

    assert answers.asked == [
        "https://one.example/robots.txt",
        "https://two.example/robots.txt",
        "https://one.example/robots.txt",
    ]
