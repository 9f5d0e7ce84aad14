"""Feed parsing: every supported format yields its entries with absolute links and UTC dates;
malformed feeds give what they can; hostile or non-feed bodies give a one-line error."""

import datetime as dt
import json
from pathlib import Path

import pytest

from events.ingest.feeds import MAX_ENTRIES, FeedParseError, parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
UTC = dt.UTC


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "url", "kind", "title", "site_url", "entries"),
    [
        (
            "rss2.xml",
            "https://novinar.example.bg/rss/svyat.xml",
            "rss",
            "Новинар БГ - Свят",
            "https://novinar.example.bg/svyat",
            [
                (
                    "https://novinar.example.bg/svyat/2022/01/07/sasht-kazahstan-odks-38417",
                    "САЩ искат обяснение защо в Казахстан влизат сили на ОДКС",
                    at(2022, 1, 7, 7, 42),
                ),
                (
                    "https://novinar.example.bg/svyat/2022/01/07/belarus-voenni-kazahstan-38409",
                    "И беларуски военни пристигнаха в Казахстан, има много убити демонстранти",
                    at(2022, 1, 7, 6, 10),
                ),
                (
                    "https://novinar.example.bg/svyat/2022/01/05/nato-rusia-sreshta-38377",
                    "Официално: Ще има среща НАТО-Русия на 12 януари",
                    at(2022, 1, 5, 16, 30),
                ),
            ],
        ),
        (
            "rss091.xml",
            "http://www.prairieledger.example.com/rss/world.xml",
            "rss",
            "The Prairie Ledger: World",
            "http://www.prairieledger.example.com/world/",
            [
                (
                    "http://www.prairieledger.example.com/world/kazakhstan-nato-talks.html",
                    "Kazakhstan unrest won't derail NATO-Russia talks, White House says",
                    None,
                ),
                (
                    "http://www.prairieledger.example.com/world/almaty-cafes.html",
                    "Café owners in Almaty count the cost of the riots",
                    None,
                ),
            ],
        ),
        (
            "rss1_rdf.xml",
            "https://eurasia-today.example.ru/rss/politics.rdf",
            "rss",
            "Евразия Сегодня: Политика",
            "https://eurasia-today.example.ru/politics/",
            [
                (
                    "https://eurasia-today.example.ru/politics/20220106/odkb-kazakhstan.html",
                    "Миротворцы ОДКБ прибыли в Казахстан по запросу Токаева",
                    at(2022, 1, 6, 11, 20),
                ),
                (
                    "https://eurasia-today.example.ru/politics/20220105/tokaev-obrashchenie.html",
                    "Токаев обратился к ОДКБ за помощью",
                    at(2022, 1, 5, 20, 55),
                ),
            ],
        ),
        (
            "atom.xml",
            "https://wire.example.com/feeds/world.atom",
            "atom",
            "Wire Service: World News",
            "https://wire.example.com/world/",
            [
                (
                    "https://wire.example.com/world/asia-pacific/"
                    "white-house-kazakhstan-nato-russia-talks-2022-01-06/",
                    "White House says Kazakhstan crisis will not affect NATO-Russia talks",
                    at(2022, 1, 6, 20, 41),
                ),
                (
                    "https://wire.example.com/world/europe/russian-paratroopers-kazakhstan-2022-01-06/",
                    "Russian paratroopers land in Kazakhstan as unrest rages",
                    at(2022, 1, 6, 16, 3),
                ),
            ],
        ),
        (
            "feed.json",
            "https://live.example.org/kazakhstan/feed.json",
            "json",
            "Kazakhstan Crisis Live",
            "https://live.example.org/kazakhstan/",
            [
                (
                    "https://live.example.org/kazakhstan/posts/psaki-nato-talks",
                    "Psaki: NATO-Russia talks go ahead as planned",
                    at(2022, 1, 6, 20, 50),
                ),
                (
                    "https://live.example.org/kazakhstan/posts/csto-troops-arrive",
                    "CSTO troops arrive in Almaty",
                    at(2022, 1, 6, 9, 5),
                ),
                (
                    "https://www.reuters.com/world/asia-pacific/"
                    "white-house-says-kazakhstan-crisis-will-not-affect-nato-russia-talks-2022-01-06/",
                    "Reuters: White House on Kazakhstan",
                    None,
                ),
                (
                    "https://live.example.org/kazakhstan/posts/internet-blocked",
                    "Internet access is still blocked across Kazakhstan, residents report.",
                    at(2022, 1, 6, 7, 30),
                ),
            ],
        ),
    ],
)
def test_each_feed_format_yields_its_entries(name, url, kind, title, site_url, entries):
    parsed = parse_feed(feed(name), url=url)

    assert (parsed.kind, parsed.title, parsed.site_url) == (kind, title, site_url)
    assert [(e.url, e.title, e.published_at) for e in parsed.entries] == entries


@pytest.mark.parametrize("name", ["rss2.xml", "rss1_rdf.xml", "atom.xml", "feed.json"])
def test_publication_times_are_aware_utc(name):
    parsed = parse_feed(feed(name), url="https://example.com/feed")

    dated = [e.published_at for e in parsed.entries if e.published_at is not None]
    assert dated
    assert all(moment.utcoffset() == dt.timedelta(0) for moment in dated)


@pytest.mark.parametrize(
    ("name", "feed_url", "expected"),
    [
        (
            # A root-relative RSS link resolves against the feed's own URL.
            "rss2.xml",
            "https://novinar.example.bg/rss/svyat.xml",
            "https://novinar.example.bg/svyat/2022/01/07/belarus-voenni-kazahstan-38409",
        ),
        (
            # A relative Atom link resolves against xml:base, not the feed URL.
            "atom.xml",
            "https://elsewhere.example.net/feeds/world.atom",
            "https://wire.example.com/world/asia-pacific/"
            "white-house-kazakhstan-nato-russia-talks-2022-01-06/",
        ),
        (
            "feed.json",
            "https://live.example.org/kazakhstan/feed.json",
            "https://live.example.org/kazakhstan/posts/csto-troops-arrive",
        ),
    ],
)
def test_relative_entry_links_are_resolved(name, feed_url, expected):
    urls = [entry.url for entry in parse_feed(feed(name), url=feed_url).entries]

    assert expected in urls


def test_relative_links_without_a_feed_url_are_dropped():
    urls = [entry.url for entry in parse_feed(feed("rss2.xml")).entries]

    assert urls == [
        "https://novinar.example.bg/svyat/2022/01/07/sasht-kazahstan-odks-38417",
        "https://novinar.example.bg/svyat/2022/01/05/nato-rusia-sreshta-38377",
    ]


@pytest.mark.parametrize(
    ("name", "absent_title"),
    [
        ("rss2.xml", "Анкета: Трябва ли България да изпрати хуманитарна помощ?"),  # no link
        ("rss2.xml", "Гледайте на живо"),  # javascript: link
        ("atom.xml", "Tenge slides to record low"),  # only an enclosure link
        ("feed.json", "Editor's note"),  # no url at all
    ],
)
def test_entries_without_a_web_link_are_skipped(name, absent_title):
    titles = [entry.title for entry in parse_feed(feed(name), url="https://example.com/").entries]

    assert absent_title not in titles


def test_guid_is_the_feed_id_or_the_link():
    entries = parse_feed(feed("rss2.xml"), url="https://novinar.example.bg/rss/svyat.xml").entries

    assert [entry.guid for entry in entries] == [
        "novinar-38417",
        "novinar-38409",
        "https://novinar.example.bg/svyat/2022/01/05/nato-rusia-sreshta-38377",
    ]


def test_summaries_and_html_titles_are_plain_text():
    rss = parse_feed(feed("rss2.xml"), url="https://novinar.example.bg/rss/svyat.xml")
    atom = parse_feed(feed("atom.xml"), url="https://wire.example.com/feeds/world.atom")

    assert rss.entries[0].summary == (
        "Държавният департамент очаква аргументиран отговор от властите в Казахстан."
    )
    assert atom.entries[1].title == "Russian paratroopers land in Kazakhstan as unrest rages"
    assert atom.entries[1].summary == "Russian paratroopers arrived in Kazakhstan on Thursday."


def test_json_feed_item_without_title_takes_its_text():
    entries = parse_feed(feed("feed.json"), url="https://live.example.org/kazakhstan/feed.json")

    untitled = entries.entries[3]
    assert untitled.title == "Internet access is still blocked across Kazakhstan, residents report."


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("feed.json", "application/feed+json"),
        ("feed.json", "text/plain"),  # mislabelled: the body decides
        ("atom.xml", "application/json"),  # mislabelled the other way
        ("rss2.xml", "text/html; charset=utf-8"),  # the XML declaration's encoding wins
    ],
)
def test_format_is_decided_by_the_body(name, content_type):
    parsed = parse_feed(feed(name), content_type=content_type, url="https://example.com/feed")

    assert parsed.entries
    assert parsed.kind == {"feed.json": "json", "atom.xml": "atom", "rss2.xml": "rss"}[name]


def test_truncated_feed_keeps_its_complete_items():
    parsed = parse_feed(feed("malformed.xml"), url="https://eurasia-today.example.ru/rss.xml")

    assert [entry.title for entry in parsed.entries] == [
        "В Алма-Ате протестующие захватили здание акимата",
        "Аэропорт Алма-Аты закрыт",
    ]
    assert parsed.entries[0].published_at == at(2022, 1, 5, 12, 40)


def test_valid_feed_without_items_is_empty_not_an_error():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'

    parsed = parse_feed(body, url="https://example.com/feed")

    assert (parsed.title, parsed.entries) == ("Quiet", ())


def test_external_dtd_of_rss091_is_neither_fetched_nor_refused():
    assert b"rss-0.91.dtd" in feed("rss091.xml")

    assert len(parse_feed(feed("rss091.xml")).entries) == 2


BILLION_LAUGHS = feed("billion_laughs.xml")


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        feed("external_entity.xml"),
        BILLION_LAUGHS.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode().encode("utf-16"),
        # UTF-16 without a byte-order mark.
        BILLION_LAUGHS.replace(b'encoding="utf-8"', b'encoding="utf-16"')
        .decode()
        .encode("utf-16-le"),
        # A parameter entity pulling in a remote DTD.
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM '
        b'"http://169.254.169.254/x.dtd"> %remote;]><rss version="2.0"><channel><item>'
        b"<link>https://a.example/</link></item></channel></rss>",
        # An encoding expat does not know, so only the textual check sees the declaration.
        b'<?xml version="1.0" encoding="x-no-such-encoding"?><!DOCTYPE rss [<!ENTITY a "b">]>'
        b'<rss version="2.0"><channel><item><link>https://a.example/</link></item></channel></rss>',
    ],
    ids=["billion-laughs", "external", "utf-16", "utf-16-no-bom", "parameter", "unknown-enc"],
)
def test_feeds_declaring_entities_are_refused(body):
    with pytest.raises(FeedParseError, match="^feed declares XML entities$"):
        parse_feed(body, url="https://attacker.example/feed")


def test_entity_text_inside_cdata_is_not_mistaken_for_a_declaration():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Security</title><item>'
        b"<title>How XXE works</title><link>https://sec.example/xxe</link>"
        b'<description><![CDATA[Attackers write <!ENTITY xxe SYSTEM "file:///etc/passwd">]]>'
        b"</description></item></channel></rss>"
    )

    entries = parse_feed(body).entries

    assert [entry.url for entry in entries] == ["https://sec.example/xxe"]


def test_absurdly_nested_feed_is_refused():
    body = b'<rss version="2.0"><channel>' + b"<a>" * 200_000 + b"</channel></rss>"

    with pytest.raises(FeedParseError, match="nesting too deep"):
        parse_feed(body)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (feed("not_a_feed.html"), "text/html", "not an RSS, Atom or JSON feed"),
        (b"", "", "not an RSS, Atom or JSON feed"),
        (bytes(range(256)) * 40, "application/octet-stream", "not an RSS, Atom or JSON feed"),
        (b'{"title": "not a feed"}', "application/json", "JSON without a JSON Feed version"),
        (b'[{"url": "https://a.example/"}]', "application/json", "without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "", "malformed JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": "x"}', "", "not a list"),
        (b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "", "malformed JSON feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "n": ' + b"9" * 5000 + b"}", "", "JSON"),
    ],
    ids=[
        "html",
        "empty",
        "binary",
        "json-not-feed",
        "json-list",
        "json-truncated",
        "json-items",
        "json-deep",
        "json-bigint",
    ],
)
def test_bodies_that_are_not_feeds_are_refused_with_one_line(body, content_type, reason):
    with pytest.raises(FeedParseError, match=reason) as raised:
        parse_feed(body, content_type=content_type, url="https://example.com/feed")

    assert "\n" not in str(raised.value)


def test_body_naming_a_local_file_is_not_read_from_disk():
    # feedparser opens bytes as a file path when it can; the parser must not.
    path = str(FEEDS / "rss1_rdf.xml").encode()

    with pytest.raises(FeedParseError):
        parse_feed(path)


def test_entries_are_capped_and_duplicates_dropped():
    items = b"".join(
        b"<item><link>https://a.example/%d</link></item>" % (i // 2) for i in range(4000)
    )
    body = b'<rss version="2.0"><channel><title>Busy</title>' + items + b"</channel></rss>"

    urls = [entry.url for entry in parse_feed(body).entries]

    assert len(urls) == MAX_ENTRIES
    assert len(set(urls)) == MAX_ENTRIES


@pytest.mark.parametrize(
    "date", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "yesterday", "", 42]
)
def test_unusable_json_feed_dates_give_no_date(date):
    item = {"url": "https://a.example/1", "title": "t", "date_published": date}
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]})

    (entry,) = parse_feed(body.encode()).entries

    assert entry.published_at is None
