"""Article extraction: the body without any boilerplate, the metadata with exact times, and a
recorded reason instead of an article for listings, non-HTML and hostile pages."""

import datetime as dt
import difflib
from pathlib import Path

import pytest

from events.ingest.decode import decode_html
from events.ingest.extract import ExtractionError, extract_article

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
UTC = dt.UTC
WIRE_URL = (
    "https://www.reuters.com/world/asia-pacific/"
    "white-house-says-kazakhstan-crisis-will-not-affect-nato-russia-talks-2022-01-06/"
)
COPY_URL = (
    "https://www.dailycourier.example.com/news/world/"
    "kazakhstan-unrest-wont-derail-nato-russia-talks-white-house-says/article_5f1c0e2a.html"
)
BG_URL = "https://novinar.example.bg/svyat/2022/01/07/sasht-kazahstan-odks-38417"
RU_URL = "https://eurasia-today.example.ru/politics/20220106/odkb-kazakhstan.html"


def html(name: str) -> str:
    return decode_html((PAGES / name).read_bytes()).text


def extracted(name: str):
    return extract_article(html(name), url=f"https://fetched.example/{name}")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bg_cp1251.html",
            {
                "title": "САЩ искат обяснение защо в Казахстан влизат сили на ОДКС",
                "author": "Мария Петрова",
                "published_at": dt.datetime(2022, 1, 7, 7, 42, tzinfo=UTC),
                "modified_at": dt.datetime(2022, 1, 7, 9, 5, tzinfo=UTC),
                "canonical_url": BG_URL,
                "site_name": "Новинар БГ",
                "meta_language": "bg",
            },
        ),
        (
            "ru_koi8r.html",
            {
                "title": "Миротворцы ОДКБ прибыли в Казахстан по запросу Токаева",
                "author": "Алексей Смирнов",
                "published_at": dt.datetime(2022, 1, 6, 11, 20, tzinfo=UTC),  # JSON-LD, +03:00
                "modified_at": dt.datetime(2022, 1, 6, 13, 5, tzinfo=UTC),
                "canonical_url": RU_URL,  # og:url: the page has no rel=canonical
                "site_name": "Евразия Сегодня",
                "meta_language": "ru",  # og:locale: the page has no <html lang>
            },
        ),
        (
            "en_reuters_wire.html",
            {
                "title": "White House says Kazakhstan crisis will not affect NATO-Russia talks",
                "author": "Daniel Harper",
                "published_at": dt.datetime(2022, 1, 6, 20, 41, tzinfo=UTC),
                "modified_at": dt.datetime(2022, 1, 6, 22, 15, tzinfo=UTC),
                "canonical_url": WIRE_URL,
                "site_name": "Reuters",
                "meta_language": "en",
            },
        ),
        (
            "en_syndicated_copy.html",
            {
                "title": "Kazakhstan unrest won't derail NATO-Russia talks, White House says",
                "author": "Reuters",
                # Only a visible "Published January 6, 2022": a day, as midnight UTC.
                "published_at": dt.datetime(2022, 1, 6, tzinfo=UTC),
                "modified_at": None,
                "canonical_url": COPY_URL,
                "site_name": "The Daily Courier",
                "meta_language": "",
            },
        ),
    ],
)
def test_article_metadata_is_extracted(name, expected):
    article = extracted(name)

    assert {field: getattr(article, field) for field in expected} == expected


@pytest.mark.parametrize(
    ("name", "opening", "ending"),
    [
        (
            "bg_cp1251.html",
            "Американският Държавен департамент очаква от властите в Казахстан",
            "Назарбаев се оттегли като председател на Съвета за сигурност на Казахстан и постът "
            "беше поет от Токаев.",
        ),
        (
            "bg_cp1251_nometa.html",
            "Американският Държавен департамент очаква от властите в Казахстан",
            "постът беше поет от Токаев.",
        ),
        (
            "ru_koi8r.html",
            "Первые подразделения коллективных миротворческих сил",
            "лишился поста председателя Совета безопасности, который занял сам Токаев.",
        ),
        (
            "en_reuters_wire.html",
            "WASHINGTON, Jan 6 (Reuters) - The unrest in Kazakhstan",
            "Editing by Peter Walsh\nOur Standards: The Thomson Reuters Trust Principles.",
        ),
        (
            "en_syndicated_copy.html",
            "WASHINGTON, Jan 6 (Reuters) - The unrest in Kazakhstan",
            "Copyright 2022 Thomson Reuters.",
        ),
    ],
)
def test_article_text_is_the_whole_body(name, opening, ending):
    text = extracted(name).text

    assert text.startswith(opening)
    assert text.endswith(ending)
    assert len(text) > 1400


BOILERPLATE = {
    "bg_cp1251.html": [
        "Използваме бисквитки",  # cookie banner
        "Приемам",
        "Начало",  # menu and breadcrumbs
        "Икономика",
        "Търсене",
        "Прочетена 4 318 пъти",
        "И беларуски военни пристигнаха",  # teasers inside the body
        "Мобилният интернет остава блокиран",
        "Официално: Ще има среща НАТО-Русия",
        "Тя ще се проведе в Брюксел",
        "Етикети",
        "Сподели във Facebook",
        "Свързани статии",  # related articles
        "Русия изпраща парашутисти",
        "Коментари",  # comments
        "Историята се повтаря",
        "Американците да си гледат своите работи",
        "Дано поне цените на газа",
        "Напишете коментар",
        "Най-четени",  # most read
        "Синоптиците обещават обилен сняг",
        "Левски победи ЦСКА",
        "Абонирайте се за нашия бюлетин",  # sidebar
        "Всички права запазени",  # footer
        "Политика за поверителност",
    ],
    "ru_koi8r.html": [
        "Мы используем файлы cookie",
        "Главная",
        "Происшествия",
        "Читайте также",
        "захватили здание акимата",
        "Новости партнеров",
        "Врачи назвали продукт",
        "Комментарии",
        "давно пора было вмешаться",
        "Ограниченный срок у нас бывает",
        "Самое читаемое",
        "аномальные морозы",
        "Все права защищены",
        "Реклама на сайте",
    ],
    "en_reuters_wire.html": [
        "We use cookies",
        "Accept all",
        "Breakingviews",
        "Sustainability",
        "Read Next",
        "Russian paratroopers land in Kazakhstan",
        "Satellite images show new Russian deployments",
        "Most Read",
        "Electric car sales smash records",
        "All quotes delayed",
        "All rights reserved",
        "About Reuters",
    ],
    "en_syndicated_copy.html": [
        "This website uses cookies",
        "Obituaries",
        "Classifieds",
        "You might also like",
        "City council approves budget",
        "Get the Morning Briefing",
        "Sign up for our free newsletter",
        "Trending Now",
        "Snow closes schools",
        "48 Comments",
        "patriot1776",
        "nothing ever changes in Washington",
        "guard airports",
        "Contact Us",
        "Daily Courier Media Group",
    ],
}


@pytest.mark.parametrize(
    ("name", "phrase"),
    [(name, phrase) for name, phrases in BOILERPLATE.items() for phrase in phrases],
)
def test_boilerplate_is_not_in_the_text(name, phrase):
    assert phrase in html(name)  # the fixture really has it

    assert phrase not in extracted(name).text


def test_headline_repeated_inside_the_story_is_not_part_of_the_text():
    article = extracted("en_syndicated_copy.html")

    assert article.title in html("en_syndicated_copy.html")
    assert article.title not in article.text


def test_page_without_charset_declaration_extracts_like_the_declared_one():
    assert extracted("bg_cp1251_nometa.html") == extracted("bg_cp1251.html")


def test_syndicated_copy_and_wire_original_have_nearly_the_same_body():
    wire, copy = extracted("en_reuters_wire.html"), extracted("en_syndicated_copy.html")

    similarity = difflib.SequenceMatcher(None, wire.text.split(), copy.text.split()).ratio()

    assert similarity > 0.9
    assert wire.title != copy.title
    assert "largest producer of uranium" in copy.text
    assert "largest producer of uranium" not in wire.text


def test_listing_page_is_not_an_article():
    with pytest.raises(ExtractionError, match="list of links|no article text found"):
        extracted("not_article.html")


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ('{"title": "JSON, not HTML", "items": [1, 2, 3]}', "not an HTML page"),
        ("Plain text without any markup at all. " * 20, "not an HTML page"),
        ("", "not an HTML page"),
        ("   \n\t ", "not an HTML page"),
        # htmldate downloads a str that looks like a URL; this must never reach it.
        ("http://169.254.169.254/latest/meta-data/", "not an HTML page"),
        ("<html><body><article><p>Токаев заяви нещо кратко.</p></article></body></html>", "no "),
        ("<html><body>" + "<p>x</p>" * 1_100_000 + "</body></html>", "page too large"),
    ],
    ids=["json", "plain-text", "empty", "blank", "url", "too-short", "too-large"],
)
def test_pages_without_an_article_give_a_one_line_reason(page, reason):
    with pytest.raises(ExtractionError, match=reason) as raised:
        extract_article(page, url="https://example.com/a")

    assert "\n" not in str(raised.value)


PARAGRAPH = (
    "<p>Президентът Касим-Жомарт Токаев поиска от ОДКС съдействие за овладяване на масовите "
    "протести. Властите въведоха извънредно положение в цялата страна. Правителството подаде "
    "оставка, която беше приета от президента, а мобилният интернет остава блокиран.</p>"
)


def article_page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize(
    "page",
    [
        article_page(PARAGRAPH.replace("Токаев", "Тока\x00ев") * 2),
        article_page(PARAGRAPH.replace("Токаев", "Тока\x0b\x1bев") * 2),
        article_page(PARAGRAPH.replace("Токаев", "Тока\ud800ев") * 2),
        '<?xml version="1.0" encoding="windows-1251"?>' + article_page(PARAGRAPH * 2),
        "\ufeff" + article_page(PARAGRAPH * 2),
    ],
    ids=["nul", "controls", "lone-surrogate", "xml-declaration", "bom"],
)
def test_characters_libxml2_refuses_do_not_lose_the_article(page):
    text = extract_article(page, url="https://example.com/a").text

    assert "Токаев" in text
    assert "Касим-Жомарт" in text


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (
            "<html><body>" + "<div>" * 100_000 + PARAGRAPH + "</div>" * 100_000 + "</body></html>",
            "no article text found",
        ),
        ("<html><body>" + "<div><span>" * 50_000 + PARAGRAPH, "no article text found"),
        (
            "<html><body><div "
            + " ".join(f'a{i}="{i}"' for i in range(100_000))
            + ">"
            + PARAGRAPH
            + "</div></body></html>",
            "thousands of attributes",
        ),
    ],
    ids=["deep", "deep-unclosed", "attributes"],
)
def test_hostile_markup_gives_an_error(page, reason):
    with pytest.raises(ExtractionError, match=reason):
        extract_article(page, url="https://example.com/a")


def test_long_data_uri_is_not_mistaken_for_hostile_markup():
    image = '<img src="data:image/png;base64,' + "QUJD" * 50_000 + '==">'

    article = extract_article(article_page(image + PARAGRAPH * 2), url="https://example.com/a")

    assert "Токаев" in article.text


@pytest.mark.parametrize(
    ("head", "published", "modified"),
    [
        (
            # Without a zone a time is taken as UTC.
            '<meta property="article:published_time" content="2022-01-07T09:42:00">',
            dt.datetime(2022, 1, 7, 9, 42, tzinfo=UTC),
            None,
        ),
        (
            '<meta itemprop="datePublished" content="Fri, 07 Jan 2022 09:42:00 +0200">'
            '<meta itemprop="dateModified" content="2022-01-07T08:00:00Z">',
            dt.datetime(2022, 1, 7, 7, 42, tzinfo=UTC),
            dt.datetime(2022, 1, 7, 8, 0, tzinfo=UTC),
        ),
        (
            # A modification before publication is a template bug: dropped.
            '<meta property="article:published_time" content="2022-01-07T09:42:00Z">'
            '<meta property="article:modified_time" content="2021-12-31T00:00:00Z">',
            dt.datetime(2022, 1, 7, 9, 42, tzinfo=UTC),
            None,
        ),
        (
            # The article node of a JSON-LD graph, not the WebPage around it.
            '<script type="application/ld+json">{"@graph": ['
            '{"@type": "WebPage", "datePublished": "2020-05-05T00:00:00Z"},'
            '{"@type": "NewsArticle", "datePublished": "2022-01-06T14:20:00+03:00"}]}</script>',
            dt.datetime(2022, 1, 6, 11, 20, tzinfo=UTC),
            None,
        ),
    ],
    ids=["naive", "itemprop-rfc822", "modified-before-published", "json-ld-graph"],
)
def test_machine_readable_times_are_exact_and_utc(head, published, modified):
    article = extract_article(article_page(PARAGRAPH * 2, head), url="https://example.com/a")

    assert (article.published_at, article.modified_at) == (published, modified)


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2099-01-01T00:00:00Z">',
        '<meta property="article:published_time" content="1970-01-01T00:00:00Z">',
        '<meta property="article:published_time" content="9999-99-99T99:99">',
        '<meta property="article:published_time" content="0001-01-01T00:00:00+05:00">',
        '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>",
        '<script type="application/ld+json">{"datePublished": ["not", "a", "date"]}</script>',
    ],
    ids=["future", "epoch", "garbage", "year-one", "deep-json-ld", "json-ld-list"],
)
def test_implausible_or_broken_dates_are_ignored(head):
    article = extract_article(article_page(PARAGRAPH * 2, head), url="https://example.com/a")

    assert article.published_at is None


@pytest.mark.parametrize(
    ("attributes", "head", "language"),
    [
        ('lang="bg-BG"', "", "bg"),
        ('lang="EN_us"', "", "en"),
        ("", '<meta property="og:locale" content="ru_RU">', "ru"),
        ("", '<meta http-equiv="Content-Language" content="kk">', "kk"),
        ('lang="x-klingon"', "", ""),
        ("", "", ""),
    ],
)
def test_meta_language_is_two_letters_or_empty(attributes, head, language):
    body = f"<body><article>{PARAGRAPH * 2}</article></body>"
    page = f"<html {attributes}><head>{head}</head>{body}</html>"

    assert extract_article(page, url="https://example.com/a").meta_language == language


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_metadata_fields_match_trafilaturas_own_extract_metadata(name):
    # _metadata follows extract_metadata step by step without categories, tags and licence;
    # this catches a trafilatura upgrade that changes the steps.
    from trafilatura.metadata import extract_metadata

    from events.ingest.extract import _metadata, _parse

    ours = _metadata(_parse(html(name)), "https://fetched.example/a")
    theirs = extract_metadata(
        _parse(html(name)),
        "https://fetched.example/a",
        {"original_date": True, "extensive_search": False},
    )
    fields = ("title", "author", "sitename", "date", "url")
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    assert ours.title  # every fixture page has a title
