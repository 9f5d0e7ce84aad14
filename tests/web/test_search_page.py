"""The search page rendered by the Django test client: results, highlights, roles, escaping,
filters, bad input and a constant number of queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import EDITORS_GROUP, EntityAlias, EventTranslation, Participant
from events.services.timeline import CitationData, update_create, update_publish
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    EventFactory,
    OutletFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'
SECRET_TEXT = "Президентът Токаев поиска съдействие от ОДКС в неделя вечерта."


def _line(event, headline, *, publish=True):
    update = update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        headline=headline,
        by=None,
        citations=[CitationData(outlet_id=OutletFactory().pk)],
    )
    return update_publish(update=update, by=None) if publish else update


def _page(client, status=200, **params) -> str:
    response = client.get(reverse("web:search"), params)
    assert response.status_code == status, response.status_code
    return response.content.decode()


def test_the_url_is_the_one_the_search_box_posts_to() -> None:
    assert reverse("web:search") == "/search/"


def test_results_are_grouped_and_highlighted(client) -> None:
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    event = EventFactory(slug="csto", title="CSTO deployment requested by Tokayev")
    Participant.objects.create(event=event, entity=tokayev, role="actor")
    _line(event, "Tokayev asks the CSTO for help")
    article = ArticleFactory(title="Токаев поиска помощ от ОДКС")

    html = _page(client, q="Tokayev")

    assert 'id="results-events"' in html and 'id="results-updates"' in html
    assert "CSTO deployment requested by <mark>Tokayev</mark>" in html
    assert "<mark>Tokayev</mark> asks the CSTO for help" in html
    # The Latin name finds the Cyrillic article through the entity's alias.
    assert "<mark>Токаев</mark> поиска помощ от ОДКС" in html
    assert f'href="/entities/{tokayev.pk}/"' in html
    assert f'<a href="/articles/{article.pk}/" lang="' in html
    assert 'href="/events/csto/">CSTO deployment requested by <mark>' in html
    assert 'value="Tokayev"' in html  # the box in the frame keeps the query


def test_a_hyphenated_name_is_found_and_highlighted(client) -> None:
    event = EventFactory(slug="visit", title="Kassym-Jomart Tokayev visits Moscow")
    _line(event, "Касым-Жомарт Токаев прибыл в Москву")

    latin = _page(client, q="Kassym-Jomart")
    cyrillic = _page(client, q="Касым-Жомарт")

    assert "<mark>Kassym-Jomart</mark> Tokayev visits Moscow" in latin
    assert "<mark>Касым-Жомарт</mark> Токаев прибыл в Москву" in cyrillic


def test_bulgarian_inflected_query_and_bulgarian_labels(client) -> None:
    event = EventFactory(slug="protests", title="Protests in Kazakhstan")
    EventTranslation.objects.create(event=event, language="bg", title="Протести в Казахстан")

    client.cookies["django_language"] = "bg"
    html = _page(client, q="протестите")

    assert "<mark>Протести</mark> в Казахстан" in html
    assert 'href="/events/protests/"' in html
    assert '<html lang="bg">' in html


def test_lines_name_their_event_in_the_page_language_and_entities_their_aliases(client) -> None:
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev", kind="person")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    EntityAlias.objects.create(entity=tokayev, name="Tokaev", language="ru")
    curated = EventFactory(slug="csto", title="CSTO deployment", kind="conflict")
    EventTranslation.objects.create(event=curated, language="bg", title="Мисия на ОДКС")
    plain = EventFactory(slug="unrest", title="Unrest in Almaty")
    _line(curated, "Tokayev asks the CSTO for help")
    _line(plain, "Tokayev speaks on television")

    client.cookies["django_language"] = "bg"
    html = _page(client, q="Tokayev")

    assert '<a href="/events/csto/">Мисия на ОДКС</a>' in html
    assert 'href="/events/csto/#update-' in html
    assert '<a href="/events/unrest/">Unrest in Almaty</a>' in html  # English when not curated
    assert '<span lang="bg">Токаев</span>, <span lang="ru">Tokaev</span>' in html
    client.cookies["django_language"] = "en"
    english = _page(client, q="CSTO")
    assert "armed conflict or military action" in english
    assert '<a href="/events/csto/">CSTO deployment</a>' in english


def test_the_query_syntax_is_explained_and_a_typed_phrase_kept_together(client) -> None:
    """Quotes as a Bulgarian keyboard types them make a phrase; the box says how to search."""
    ArticleFactory(title="Мирните протести продължават")
    ArticleFactory(title="Протести, но не мирни")

    html = _page(client, q="„мирни протести“")

    assert "</mark> продължават" in html
    assert "не мирни" not in html
    assert 'aria-describedby="id_q_helptext"' in html
    assert "&quot;a phrase&quot;, this OR that, -word to leave it out." in html
    client.cookies["django_language"] = "bg"
    assert "&quot;израз&quot;, това OR онова, -дума, за да я изключите." in _page(client, q="x")


def test_anonymous_visitors_get_no_article_text(client) -> None:
    ArticleFactory(title="Изявление", text=SECRET_TEXT)

    anonymous = _page(client, q="Токаев")
    client.force_login(UserFactory(username="reader"))
    reader = _page(client, q="Токаев")

    assert "Изявление" in anonymous
    assert "съдействие" not in anonymous and "неделя" not in anonymous
    assert "<mark>Токаев</mark> поиска съдействие" in reader


def test_drafts_only_for_editors(client, editor_client) -> None:
    event = EventFactory()
    _line(event, "Tokayev published line")
    _line(event, "Tokayev draft line", publish=False)

    editor = _page(editor_client, q="Tokayev")
    editor_client.logout()
    anonymous = _page(client, q="Tokayev")

    assert "draft line" in editor
    assert "published line" in anonymous and "draft line" not in anonymous


def test_hostile_titles_are_escaped(client) -> None:
    EventFactory(slug="hostile", title=f"{HOSTILE} Tokayev")
    ArticleFactory(title=f"{HOSTILE} Токаев", text=f"{HOSTILE} Токаев")

    html = _page(client, q="Tokayev Токаев or")
    html += _page(client, q="Токаев")

    assert "<script>window" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html


def test_filters_narrow_the_results(client) -> None:
    bbc = OutletFactory(slug="bbc", name="BBC")
    ArticleFactory(title="Токаев в BBC", outlet=bbc)
    ArticleFactory(title="Токаев другаде", detected_language="bg")
    ArticleFactory(title="Токаев earlier", published_at=dt.datetime(2021, 12, 1, tzinfo=dt.UTC))

    by_outlet = _page(client, q="Токаев", outlet="bbc")
    by_date = _page(client, q="Токаев", date_to="2021-12-31")

    assert "в BBC" in by_outlet and "другаде" not in by_outlet
    assert "earlier" in by_date and "в BBC" not in by_date
    assert '<option value="bbc" selected>BBC</option>' in by_outlet
    assert '<details class="search-filters" open>' in by_outlet  # no JS needed to see them


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "Токаев", "date_from": "not-a-date"}, "Enter a valid date."),
        ({"q": "Токаев", "date_from": "2022-02-01", "date_to": "2022-01-01"}, "end date"),
        ({"q": "Токаев", "outlet": "no-such-outlet"}, "Select a valid choice"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_bad_filters_are_explained_not_crashed(client, params, message: str) -> None:
    html = _page(client, status=400, **params)

    assert message in html
    assert 'aria-invalid="true"' in html


def test_empty_query_shows_the_form(client) -> None:
    html = _page(client)

    assert 'name="date_from"' in html and 'type="date"' in html
    assert '<label for="id_outlet">' in html
    assert '<details class="search-filters">' in html  # folded until used
    assert "Results for" not in html


def test_nothing_found_says_so(client) -> None:
    assert "Nothing found" in _page(client, q="несъществуващо")


def _populate(n: int, tokayev) -> None:
    for i in range(n):
        event = EventFactory(title=f"Tokayev event {i}")
        Participant.objects.create(event=event, entity=tokayev, role="actor")
        EventTranslation.objects.create(event=event, language="bg", title=f"Токаев {i}")
        _line(event, f"Tokayev line {i}")
        ArticleFactory(title=f"Токаев статия {i}")


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_page_runs_a_constant_number_of_queries(client, role: str) -> None:
    if role == "editor":
        user = UserFactory(username="editor")
        user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
        client.force_login(user)
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    _populate(2, tokayev)
    with CaptureQueriesContext(connection) as few:
        _page(client, q="Tokayev")
    _populate(18, tokayev)
    with CaptureQueriesContext(connection) as many:
        html = _page(client, q="Tokayev")

    assert html.count('class="search-result article-item"') == 20
    assert len(many) == len(few)
