"""Pages for the benchmark: the fixture article pages, and generated news pages in bg/ru/en.

Generated texts recombine the sentences of real Kazakhstan-crisis stories (the fingerprint
evaluation set of ``tests/ingest/test_fingerprint.py``, the fixture pages and the demo's seed
article) and replace about a third of their longer words with other words of the same
language. Two generated articles then share about as many word 3-shingles as two different
stories on one topic: distinct to the duplicate detector, real vocabulary for the language
detector, and the people, places and organisations the entity matcher and the demo events know.

A page wraps the text in a news site's boilerplate (cookie banner, menus, teasers, "most read",
comments, footer) in one of two sizes: ``compact`` like the fixtures (about 10 KB) and ``full``
(about 100 KB, with the inline state scripts and mega-menus of real news sites), in the
encodings Bulgarian and Russian sites use, announced in the HTTP header, a meta tag, or not at all.
"""

import datetime as dt
import html
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from events.ingest.decode import decode_html
from events.ingest.extract import extract_article

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE_PAGES = BASE_DIR / "tests" / "fixtures" / "pages"
SEED_ARTICLE = BASE_DIR / "events" / "demo" / "seed_article_bg.txt"
LANGUAGES = ("bg", "ru", "en")
# Share of the longer words replaced; a 3-shingle survives in two articles with (1-p)**6.
SUBSTITUTE = 0.35
MIN_WORD = 4

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"„«“(A-ZА-ЯЁ0-9])")
_WORD = re.compile(r"(\w+)")
_LETTERS = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Text:
    language: str
    title: str
    paragraphs: tuple[str, ...]
    author: str
    published_at: dt.datetime

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class BenchPage:
    path: str  # where the local server serves it
    body: bytes
    content_type: str  # the Content-Type header the server sends
    language: str
    kind: str  # fixture, compact or full


# --- texts -------------------------------------------------------------------------------------


@cache
def _pools() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per language: the source sentences, and the words (with repetition) to substitute."""
    from tests.ingest.test_fingerprint import STORIES  # the evaluation set, real news prose

    paragraphs: dict[str, list[str]] = defaultdict(list)
    for story in STORIES:
        paragraphs[story.language] += [*story.paragraphs, story.added]
    paragraphs["bg"] += SEED_ARTICLE.read_text(encoding="utf-8").split("\n\n")
    for page in fixture_pages():
        decoded = decode_html(page.body, http_charset=None)
        paragraphs[page.language] += extract_article(decoded.text, url="").text.split("\n")
    pools = {}
    for language in LANGUAGES:
        sentences = {
            sentence.strip()
            for paragraph in paragraphs[language]
            for sentence in _SENTENCE_END.split(paragraph)
            if len(sentence.split()) >= 6
        }
        ordered = tuple(sorted(sentences))
        words = tuple(w.lower() for s in ordered for w in _LETTERS.findall(s) if not w.isupper())
        pools[language] = (ordered, words)
    return pools


_AUTHORS = {
    "bg": ("Мария Петрова", "Георги Иванов", "Елена Димитрова", "Николай Стоянов", "Ива Колева"),
    "ru": ("Анна Смирнова", "Дмитрий Орлов", "Ольга Кузнецова", "Игорь Васильев", "Павел Лебедев"),
    "en": ("Daniel Harper", "Olzhas Auyezov", "Mark Trevelyan", "Sarah Lin", "Tom Balmforth"),
}


class TextWriter:
    """Distinct article texts, reproducible from the seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets

    def text(self, language: str) -> Text:
        rng = self.rng
        sentences, _ = _pools()[language]
        count = rng.randint(12, 22)
        picked = rng.sample(sentences, min(count, len(sentences)))
        paragraphs, at = [], 0
        while at < len(picked):
            size = rng.randint(1, 3)
            paragraphs.append(" ".join(self.vary(s, language) for s in picked[at : at + size]))
            at += size
        title_words = self.vary(rng.choice(sentences), language).split()[: rng.randint(6, 11)]
        return Text(
            language=language,
            title=" ".join(title_words).rstrip(",.:;—-"),
            paragraphs=tuple(paragraphs),
            author=rng.choice(_AUTHORS[language]),
            published_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
            + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
        )

    def vary(self, sentence: str, language: str) -> str:
        rng, words = self.rng, _pools()[language][1]
        parts = _WORD.split(sentence)
        for i in range(1, len(parts), 2):
            word = parts[i]
            if word.isdigit():
                parts[i] = str(rng.randrange(10 ** (len(word) - 1), 10 ** len(word)))
            elif len(word) >= MIN_WORD and not word.isupper() and rng.random() < SUBSTITUTE:
                new = rng.choice(words)
                parts[i] = new[:1].upper() + new[1:] if word[:1].isupper() else new
        return "".join(parts)


# --- pages -------------------------------------------------------------------------------------

_SITES = {
    "bg": ("Новинар БГ", "bg_BG"),
    "ru": ("Евразия Сегодня", "ru_RU"),
    "en": ("World Wire", "en_GB"),
}
_CHROME = {
    "bg": {
        "menu": "Начало България Свят Икономика Спорт Култура Мнения Здраве Технологии Времето",
        "cookie": "Използваме бисквитки, за да подобрим изживяването ви и да показваме реклама.",
        "accept": "Приемам",
        "related": "Свързани статии",
        "most_read": "Най-четени",
        "comments": "Коментари",
        "newsletter": "Абонирайте се за бюлетина ни и получавайте най-важното от деня.",
        "footer": "За нас|Реклама|Общи условия|Политика за поверителност|Контакти|Кариери",
        "rights": "Всички права запазени. Използването на материали без разрешение е забранено.",
        "share": "Сподели във Facebook|Сподели в Twitter|Изпрати по имейл",
    },
    "ru": {
        "menu": "Главная Политика Экономика Общество Происшествия Спорт Культура Наука Мнения",
        "cookie": "Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая, вы согласны.",
        "accept": "Согласен",
        "related": "Читайте также",
        "most_read": "Самое читаемое",
        "comments": "Комментарии",
        "newsletter": "Подпишитесь на рассылку и получайте главные новости дня на почту.",
        "footer": "О проекте|Реклама|Правила|Конфиденциальность|Контакты|Вакансии",
        "rights": "Все права защищены. Перепечатка материалов без разрешения запрещена.",
        "share": "Поделиться ВКонтакте|Поделиться в Telegram|Отправить на почту",
    },
    "en": {
        "menu": "Home World Business Markets Politics Technology Science Sport Opinion Weather",
        "cookie": "We use cookies to personalise content and ads and to analyse our traffic.",
        "accept": "Accept all",
        "related": "Related stories",
        "most_read": "Most read",
        "comments": "Comments",
        "newsletter": "Sign up for our daily briefing and get the day's top stories by email.",
        "footer": "About us|Advertise|Terms of use|Privacy policy|Contact|Careers",
        "rights": "All rights reserved. Republication without permission is prohibited.",
        "share": "Share on Facebook|Share on X|Email this story",
    },
}
# (codec, announce in the HTTP header, announce in a meta tag), cycled page by page.
_ENCODINGS = {
    "bg": (
        ("cp1251", False, True),
        ("cp1251", True, False),
        ("utf-8", True, True),
        ("cp1251", False, False),
    ),
    "ru": (("utf-8", True, True), ("cp1251", False, True), ("koi8_r", True, False)),
    "en": (("utf-8", True, True), ("utf-8", False, True)),
}
_CHARSET_NAMES = {"cp1251": "windows-1251", "koi8_r": "koi8-r", "utf-8": "utf-8"}


class PageWriter:
    def __init__(self, seed: int, base_url: str = "https://localhost") -> None:
        self.writer = TextWriter(seed)
        self.rng = self.writer.rng
        self.base_url = base_url

    def page(self, language: str, number: int, *, full: bool, prefix: str = "") -> BenchPage:
        """A page served at ``{prefix}/{language}/{kind}/{number}.html``. Every other page names
        a different URL of the site as canonical, as a CMS does for a short link or a feed's
        link, so the pipeline's canonical owner lookup is exercised too."""
        text = self.writer.text(language)
        kind = "full" if full else "compact"
        path = f"{prefix}/{language}/{kind}/{number}.html"
        day = text.published_at
        canonical = self.base_url + (
            path if number % 2 == 0 else f"{prefix}/{language}/{day:%Y/%m/%d}/story-{number}"
        )
        codec, in_header, in_meta = _ENCODINGS[language][number % len(_ENCODINGS[language])]
        charset = _CHARSET_NAMES[codec]
        markup = self._html(text, canonical, full=full, meta_charset=charset if in_meta else None)
        return BenchPage(
            path=path,
            body=markup.encode(codec, errors="xmlcharrefreplace"),
            content_type=f"text/html; charset={charset}" if in_header else "text/html",
            language=language,
            kind=kind,
        )

    def _teasers(self, language: str, count: int) -> list[tuple[str, str]]:
        sentences = _pools()[language][0]
        teasers = []
        for _ in range(count):
            words = self.rng.choice(sentences).split()[: self.rng.randint(5, 10)]
            title = " ".join(words).rstrip(",.:;")
            teasers.append((f"/{language}/news/{self.rng.randrange(10**6)}", title))
        return teasers

    def _html(self, text: Text, url: str, *, full: bool, meta_charset: str | None) -> str:
        language, rng = text.language, self.rng
        site, locale = _SITES[language]
        chrome = _CHROME[language]
        e = html.escape
        day = text.published_at
        published = day.isoformat()
        scale = 8 if full else 1
        menu = [(f"/{word.lower()}", word) for word in chrome["menu"].split()]
        if full:
            menu += self._teasers(language, 120)
        related = self._teasers(language, 3 * scale)
        most_read = self._teasers(language, 5 + 2 * scale)
        comments = [self.writer.vary(rng.choice(_pools()[language][0]), language)]
        comments += [self.writer.vary(rng.choice(_pools()[language][0]), language)]
        comments *= scale
        footer = chrome["footer"].split("|") * (4 if full else 1)
        state = ""
        if full:
            # Real news pages carry their front end's state inline: tens of KB of JSON.
            items = [
                {"id": rng.randrange(10**7), "title": t, "url": u, "image": f"/media/{i}.jpg",
                 "tags": t.split()[:3], "section": rng.choice(menu[:10])[1]}
                for i, (u, t) in enumerate(self._teasers(language, 150))
            ]  # fmt: skip
            state = f"<script>window.__STATE__ = {json.dumps({'feed': items})};</script>"
        charset_tag = f'<meta charset="{meta_charset}">\n' if meta_charset else ""
        paragraphs = []
        for i, paragraph in enumerate(text.paragraphs):
            paragraphs.append(f"<p>{e(paragraph)}</p>")
            if i % 3 == 1 and related:
                href, title = related[i % len(related)]
                paragraphs.append(
                    f'<div class="related-inline"><a href="{href}"><img src="/img/{i}.jpg" alt="">'
                    f'<span class="teaser-title">{e(title)}</span></a></div>'
                )
        json_ld = json.dumps(
            {"@context": "https://schema.org", "@type": "NewsArticle", "headline": text.title,
             "datePublished": published, "author": [{"@type": "Person", "name": text.author}],
             "publisher": {"@type": "Organization", "name": site}},
            ensure_ascii=False,
        )  # fmt: skip

        def links(items: list[tuple[str, str]], tag: str = "li") -> str:
            return "\n".join(f'<{tag}><a href="{h}">{e(t)}</a></{tag}>' for h, t in items)

        body = "\n".join(paragraphs)
        comment_html = "\n".join(
            f'<div class="comment"><div class="comment-author">{e(rng.choice(_AUTHORS[language]))}'
            f"</div><p>{e(c)}</p></div>"
            for c in comments
        )
        return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
{charset_tag}<title>{e(text.title)} | {e(site)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(text.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{e(site)}">
<meta property="og:locale" content="{locale}">
<meta property="article:published_time" content="{published}">
<meta name="author" content="{e(text.author)}">
<script type="application/ld+json">{json_ld}</script>
<link rel="stylesheet" href="/static/main.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}
gtag('js', new Date()); gtag('config', 'G-{rng.randrange(10**8)}');</script>
{state}
</head>
<body class="article-page">
<div id="cookie-consent" class="cookie-banner"><p>{e(chrome["cookie"])}</p>
<button type="button">{e(chrome["accept"])}</button></div>
<header class="site-header"><a class="logo" href="/">{e(site)}</a>
<nav class="main-menu"><ul>
{links(menu)}
</ul></nav></header>
<main class="content">
<article class="article">
<h1 class="article-title">{e(text.title)}</h1>
<div class="article-meta"><span class="author">{e(text.author)}</span>
<time datetime="{published}">{day:%d.%m.%Y, %H:%M}</time></div>
<div class="article-body">
{body}
</div>
<div class="share-buttons">{links([("#", s) for s in chrome["share"].split("|")], "span")}</div>
</article>
<section class="related-articles"><h2>{e(chrome["related"])}</h2><ul>
{links(related)}
</ul></section>
<section id="comments" class="comments"><h2>{e(chrome["comments"])} ({len(comments)})</h2>
{comment_html}
</section>
</main>
<aside class="sidebar"><div class="most-read"><h3>{e(chrome["most_read"])}</h3><ol>
{links(most_read)}
</ol></div>
<div class="newsletter"><p>{e(chrome["newsletter"])}</p><input type="email"></div></aside>
<footer class="site-footer"><ul>
{links([(f"/{i}", t) for i, t in enumerate(footer)])}
</ul><p>© {day.year} {e(site)}. {e(chrome["rights"])}</p></footer>
</body>
</html>
"""


# --- fixtures ----------------------------------------------------------------------------------


@cache
def fixture_pages() -> tuple[BenchPage, ...]:
    """The fixture article pages (not the link list, which is no article)."""
    pages = []
    for path in sorted(FIXTURE_PAGES.glob("*.html")):
        if path.name == "not_article.html":
            continue
        pages.append(
            BenchPage(
                path=f"/fixtures/{path.name}",
                body=path.read_bytes(),
                content_type="text/html",
                language=path.name[:2],
                kind="fixture",
            )
        )
    return tuple(pages)


def generated_pages(*, seed: int, per_language: int, prefix: str, base_url: str) -> list[BenchPage]:
    """``per_language`` compact and as many full pages in each language, interleaved."""
    writer = PageWriter(seed, base_url)
    return [
        writer.page(language, number, full=full, prefix=prefix)
        for number in range(per_language)
        for language in LANGUAGES
        for full in (False, True)
    ]


# --- feeds -------------------------------------------------------------------------------------

# Entries per feed: what a busy outlet's RSS feed carries.
FEED_ITEMS = 25


def feed_chunks(pages: list[BenchPage]) -> list[list[BenchPage]]:
    """``pages`` in order, FEED_ITEMS to a feed."""
    return [pages[i : i + FEED_ITEMS] for i in range(0, len(pages), FEED_ITEMS)]


def feed_path(prefix: str, number: int) -> str:
    return f"/feeds{prefix}/{number}.xml"


def feed_documents(
    pages: list[BenchPage], base_url: str, prefix: str
) -> dict[str, tuple[bytes, str]]:
    """RSS 2.0 feeds linking to ``pages`` (see feed_chunks), served at feed_path."""
    documents = {}
    for number, chunk in enumerate(feed_chunks(pages)):
        items = "".join(
            f"<item><title>{html.escape(page.path)}</title>"
            f"<link>{html.escape(base_url + page.path)}</link>"
            f"<guid>{html.escape(base_url + page.path)}</guid></item>"
            for page in chunk
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>bench feed {number}</title><link>{base_url}/</link>{items}</channel></rss>"
        )
        documents[feed_path(prefix, number)] = (body.encode(), "application/rss+xml; charset=utf-8")
    return documents
