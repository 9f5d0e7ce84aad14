"""The web pages the API benchmark also measures (issue 5): home, the benchmarked event's page,
an article, a frequently mentioned entity, search for a common name and for a rare word, and the
editors' review queue, which needs a signed-in editor: the benchmark creates one in its corpus
and sends its session cookie with every request to that page (GETs need no CSRF token)."""

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.test import Client

from bench.api_corpus import BENCH_EVENT
from events.models import (
    Article,
    ArticleEvent,
    ArticleState,
    Entity,
    Event,
    LinkState,
    Mention,
    User,
)
from events.services.roles import roles_ensure

# In most generated bg/ru texts (the president's surname): a search matching most articles.
COMMON_NAME = "Токаев"
EDITOR_USERNAME = "bench-editor"
_WORD = re.compile(r"\b[а-яё]{8,}\b")


@dataclass(frozen=True)
class PageSubjects:
    """What the pages show, chosen in the stored corpus."""

    article: int  # a listed article linked to the benchmarked event, with mentions
    entity: int  # the entity with the most mentions
    entity_mentions: int
    rare_word: str
    editor_cookie: str  # "sessionid=…" of a signed-in editor


def rare_word(texts: list[str]) -> str:
    """The long lowercase Cyrillic word found in the fewest of ``texts`` (the corpus's text
    pool; each text is reused by about 1/600 of the articles): a search with few hits. The
    first such in alphabetical order, so the same for the same seed."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(set(_WORD.findall(text)))
    if not seen:
        return "несъществуващодума"
    return min(seen, key=lambda word: (seen[word], word))


def editor_cookie() -> str:
    """A session of an editor (the Editors group, as ``roles_ensure`` sets it up), stored in the
    database like a real sign-in, as the ``Cookie`` header value that carries it."""
    editors, _ = roles_ensure()
    user, _ = User.objects.get_or_create(username=EDITOR_USERNAME)
    user.groups.add(editors)
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def page_subjects(*, rare: str) -> PageSubjects:
    bench = Event.objects.get(slug=BENCH_EVENT)
    linked = ArticleEvent.objects.filter(article=OuterRef("pk"), event=bench).exclude(
        state=LinkState.REJECTED
    )
    mentioned = Mention.objects.filter(article=OuterRef("pk"))
    article = (
        Article.objects.filter(state=ArticleState.READY, duplicate_of__isnull=True)
        .annotate(linked=Exists(linked), mentioned=Exists(mentioned))
        # Best a linked article with mentions (a tiny corpus may have none).
        .order_by("-linked", "-mentioned", "-published_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    entity = (
        Entity.objects.annotate(n=Count("mentions"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    if article is None or entity is None:
        raise RuntimeError("the corpus has no listed article, or no entity")
    return PageSubjects(
        article=article,
        entity=entity[0],
        entity_mentions=entity[1],
        rare_word=rare,
        editor_cookie=editor_cookie(),
    )


def page_paths(subjects: PageSubjects, event: str = BENCH_EVENT) -> list[tuple[str, str, str]]:
    """(label, path, cookie) of each page."""
    return [
        ("page: home", "/", ""),
        ("page: event", f"/events/{event}/", ""),
        ("page: article", f"/articles/{subjects.article}/", ""),
        ("page: entity", f"/entities/{subjects.entity}/", ""),
        ("page: search common name", f"/search/?q={quote(COMMON_NAME)}", ""),
        ("page: search rare word", f"/search/?q={quote(subjects.rare_word)}", ""),
        ("page: editor review queue", "/editor/review/", subjects.editor_cookie),
    ]
