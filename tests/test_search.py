"""The search selectors on real PostgreSQL: languages, inflections, typos, ranking, roles,
filters and the safety of highlighted snippets."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import (
    Article,
    ArticleEvent,
    EntityAlias,
    EventTranslation,
    LinkState,
    Mention,
    Participant,
    UpdateStatus,
)
from events.selectors import search
from events.selectors.search import (
    SearchError,
    SearchFilters,
    candidate_article_ids,
    highlight,
    parse_query,
    prefix_tsquery,
    ranked_articles,
    search_all,
    search_entities,
    search_events,
    search_updates,
)
from events.services.timeline import CitationData, update_create, update_publish, update_submit
from tests.factories import ArticleFactory, EntityFactory, EventFactory, OutletFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def _articles(q: str, **filters) -> list[str]:
    parsed = parse_query(q, language=filters.get("language", ""))
    assert parsed is not None
    return [a.title for a in ranked_articles(parsed, filters=SearchFilters(**filters))]


def _events(q: str, **filters) -> list[str]:
    parsed = parse_query(q)
    assert parsed is not None
    events = search_events(parsed, filters=SearchFilters(**filters)).order_by("-rank")
    return [e.slug for e in events]


def _line(event, headline, *, body="", language="en", status=UpdateStatus.PUBLISHED, **when):
    update = update_create(
        event=event,
        occurred_at=when.get("at", dt.datetime(2022, 1, 6, tzinfo=dt.UTC)),
        headline=headline,
        body=body,
        language=language,
        by=None,
        citations=[CitationData(outlet_id=when.get("outlet", OutletFactory()).pk)],
    )
    if status == UpdateStatus.IN_REVIEW:
        return update_submit(update=update, by=None)
    if status == UpdateStatus.PUBLISHED:
        return update_publish(update=update, by=None)
    return update


def _tokayev():
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev", slug="kassym-jomart-tokayev")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    EntityAlias.objects.create(entity=tokayev, name="Tokayev", language="en")
    return tokayev


# Languages and inflections ---------------------------------------------------------------


@pytest.mark.parametrize("q", ["Токаев", "токаев", "Токаева", "протест", "протестите"])
def test_bulgarian_inflections_match(q: str) -> None:
    ArticleFactory(
        title="Протестите срещу Токаева продължават", text="Протестиращи излязоха отново."
    )
    ArticleFactory(title="Цените на газа", text="Нищо общо.")

    assert _articles(q) == ["Протестите срещу Токаева продължават"]


def test_bulgarian_query_inflection_finds_the_base_form() -> None:
    """Токаева (genitive-like form typed by a reader) finds a text saying Токаев."""
    ArticleFactory(title="Изявление", text="Президентът Токаев поиска помощ.")

    assert _articles("Токаева") == ["Изявление"]


def test_russian_stemming() -> None:
    ArticleFactory(
        title="Протесты в Казахстане", text="Демонстранты вышли на улицы.", detected_language="ru"
    )

    assert _articles("протестов Казахстана") == ["Протесты в Казахстане"]


def test_english_stemming() -> None:
    EventFactory(slug="gas", title="Protesters clash over rising gas prices")
    EventFactory(slug="other", title="NATO-Russia Council")

    assert _events("protest price") == ["gas"]


def test_latin_name_finds_cyrillic_text_through_entity_aliases() -> None:
    _tokayev()
    ArticleFactory(title="Изявление на президента", text="Токаев поиска съдействие от ОДКС.")
    ArticleFactory(title="Друго", text="Цените на газа се вдигнаха.")

    assert _articles("Tokayev") == ["Изявление на президента"]


@pytest.mark.parametrize("typo", ["Токаеб", "Tokaev"])
def test_typos_in_names_are_tolerated(typo: str) -> None:
    tokayev = _tokayev()
    article = ArticleFactory(title="Изявление", text="Токаев поиска съдействие.")
    event = EventFactory(slug="csto", title="CSTO deployment")
    Participant.objects.create(event=event, entity=tokayev, role="actor")

    assert [e.pk for e in search_entities(typo)] == [tokayev.pk]
    assert _articles(typo) == [article.title]
    assert _events(typo) == ["csto"]


def test_typo_in_a_title_word_is_tolerated() -> None:
    EventFactory(slug="unrest", title="Unrest in Kazakhstan")

    assert _events("Kazakstan") == ["unrest"]


def test_event_translations_are_searched_in_their_language() -> None:
    event = EventFactory(slug="deployment", title="CSTO deployment")
    EventTranslation.objects.create(event=event, language="bg", title="Разполагане на ОДКС")
    EventTranslation.objects.create(event=event, language="ru", title="Миссия ОДКБ в Казахстане")

    assert _events("разполагането") == ["deployment"]
    assert _events("Казахстан") == ["deployment"]


# Ranking -----------------------------------------------------------------------------------


def test_title_matches_rank_above_text_matches() -> None:
    ArticleFactory(title="Цените на газа", text="Токаев говори за цените.")
    ArticleFactory(title="Токаев поиска помощ от ОДКС", text="Токаев поиска помощ.")
    ArticleFactory(title="Без връзка", text="Нищо общо тук.")

    assert _articles("Токаев") == ["Токаев поиска помощ от ОДКС", "Цените на газа"]


def test_events_rank_by_relevance() -> None:
    EventFactory(slug="mention", title="Kazakhstan unrest", summary="Gas prices rose.")
    EventFactory(slug="title", title="Gas price protests", summary="Protests over gas prices.")

    assert _events("gas prices") == ["title", "mention"]


# Roles -------------------------------------------------------------------------------------


def test_drafts_and_lines_in_review_only_for_editors() -> None:
    event = EventFactory()
    published = _line(event, "Tokayev asks the CSTO for help")
    draft = _line(event, "Tokayev draft line", status=UpdateStatus.DRAFT)
    review = _line(event, "Tokayev line in review", status=UpdateStatus.IN_REVIEW)
    parsed = parse_query("Tokayev")
    assert parsed is not None

    reader = {u.pk for u in search_updates(parsed, editor=False)}
    editor = {u.pk for u in search_updates(parsed, editor=True)}
    page = search_all("Tokayev", editor=False, show_text=True)

    assert reader == {published.pk}
    assert editor == {published.pk, draft.pk, review.pk}
    assert [u.pk for u in page.updates] == [published.pk]


def test_only_ready_originals_are_articles() -> None:
    original = ArticleFactory(title="Токаев поиска помощ")
    ArticleFactory(title="Токаев поиска помощ (копие)", duplicate_of=original)
    ArticleFactory(title="Токаев чака", state="failed", failure_reason="HTTP 500")

    assert _articles("Токаев") == ["Токаев поиска помощ"]


# Filters -----------------------------------------------------------------------------------


def test_article_filters() -> None:
    bbc, reuters = OutletFactory(slug="bbc"), OutletFactory(slug="reuters")
    tokayev = _tokayev()
    event = EventFactory(slug="csto")
    early = ArticleFactory(
        title="Токаев early", outlet=bbc, published_at=dt.datetime(2022, 1, 3, tzinfo=dt.UTC)
    )
    late = ArticleFactory(
        title="Токаев late", outlet=reuters, published_at=dt.datetime(2022, 1, 9, tzinfo=dt.UTC)
    )
    english = ArticleFactory(
        title="Tokayev in English", text="Tokayev said.", detected_language="en", outlet=bbc
    )
    Mention.objects.create(article=late, entity=tokayev, first_start=0, first_end=6)
    ArticleEvent.objects.create(
        article=early,
        event=event,
        score=0.9,
        state=LinkState.CONFIRMED,
        decided_at=late.published_at,
    )
    ArticleEvent.objects.create(article=late, event=event, score=0.5, state=LinkState.SUGGESTED)

    assert set(_articles("Токаев", date_to=dt.date(2022, 1, 5))) == {early.title}
    assert set(_articles("Токаев", date_from=dt.date(2022, 1, 8))) == {late.title}
    assert set(_articles("Токаев", language="en")) == {english.title}
    assert set(_articles("Токаев", outlet="reuters")) == {late.title}
    assert set(_articles("Токаев", outlet=str(bbc.pk))) == {early.title, english.title}
    assert set(_articles("Токаев", entity="kassym-jomart-tokayev")) == {late.title}
    # Readers see confirmed links only; editors also suggestions.
    assert set(_articles("Токаев", event="csto")) == {early.title}
    parsed = parse_query("Токаев")
    assert parsed is not None
    as_editor = ranked_articles(parsed, filters=SearchFilters(event="csto"), editor=True)
    assert {a.title for a in as_editor} == {early.title, late.title}


def test_update_and_event_filters() -> None:
    tokayev = _tokayev()
    csto = EventFactory(slug="csto", title="Tokayev asks the CSTO")
    other = EventFactory(slug="other", title="Tokayev visits Moscow")
    Participant.objects.create(event=csto, entity=tokayev, role="actor")
    reuters = OutletFactory(slug="reuters")
    on_csto = _line(csto, "Tokayev speaks", outlet=reuters)
    _line(other, "Tokayev travels", at=dt.datetime(2022, 1, 20, tzinfo=dt.UTC))
    parsed = parse_query("Tokayev")
    assert parsed is not None

    def updates(**filters):
        return [
            u.pk for u in search_updates(parsed, editor=False, filters=SearchFilters(**filters))
        ]

    assert updates(event="csto") == [on_csto.pk]
    assert updates(outlet="reuters") == [on_csto.pk]
    assert updates(date_to=dt.date(2022, 1, 10)) == [on_csto.pk]
    assert updates(language="bg") == []
    assert _events("Tokayev", entity="kassym-jomart-tokayev") == ["csto"]


# Query parsing and safety ------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "'a' & b:* | !c \\ )(",
        "<-> :* ! & | '",
        '"unterminated phrase',
        "-",
        "Токаев or -ОДКС",
        "a\\'b",
    ],
)
def test_any_query_text_is_searched_without_a_database_error(q: str) -> None:
    ArticleFactory(title="Токаев")

    results = search_all(q, editor=True, show_text=True)

    assert isinstance(results.articles, list)


def test_prefix_query_quotes_every_word() -> None:
    assert prefix_tsquery("Протестите O'Brien -газ") == ("'протест':* & 'o':* & 'brien':* & !'газ'")
    assert prefix_tsquery("!!! & |") == ""


def test_negated_words_exclude_in_every_branch() -> None:
    ArticleFactory(title="Токаев и ОДКС", text="")
    ArticleFactory(title="Токаев и газът", text="")

    assert _articles("Токаев -ОДКС") == ["Токаев и газът"]


def test_queries_without_words_find_nothing() -> None:
    ArticleFactory(title="Токаев")

    assert parse_query("  !!! ") is None
    assert search_all("", editor=True, show_text=True).empty


def test_overlong_query_is_refused() -> None:
    with pytest.raises(SearchError) as error:
        parse_query("word " * 100)

    assert error.value.field == "q"


# Hyphenated words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "typed"),
    [
        ("Kassym-Jomart", "Kassym-Jomart"),
        ("kassym-jomart", "Kassym-Jomart"),
        ("Касым-Жомарт", "Касым-Жомарт"),
        ("Нур-Султан", "Нур-Султана"),
        ("пресс-служба", "Пресс-служба"),
    ],
)
def test_a_hyphenated_word_is_found_and_highlighted_whole(q: str, typed: str) -> None:
    """A hyphen inside a word joins its parts: it excluded the second part, dropping every
    text that named Kassym-Jomart Tokayev. An inflected last part is found as any word is."""
    event = EventFactory(slug="visit", title=f"{typed} visit")
    line = _line(event, f"{typed} speaks", body=f"Then {typed} spoke again.")
    ArticleFactory(title=f"{typed} и ОДКС", text=f"Днес {typed} говори.")
    ArticleFactory(title="Другое", text="Газ и цены.")

    results = search_all(q, editor=False, show_text=True)

    assert [a.title for a in results.articles] == [f"{typed} и ОДКС"]
    assert [e.slug for e in results.events] == ["visit"]
    assert [u.pk for u in results.updates] == [line.pk]
    marked = f"<mark>{typed}</mark>"
    assert str(results.articles[0].title_html) == f"{marked} и ОДКС"
    assert marked in str(results.articles[0].snippet_html)
    assert str(results.events[0].title_html) == f"{marked} visit"
    assert str(results.updates[0].title_html) == f"{marked} speaks"
    assert marked in str(results.updates[0].snippet_html)


def test_a_hyphenated_word_needs_its_parts_together() -> None:
    ArticleFactory(title="Tokayev", text="Kassym-Jomart Tokayev spoke.")
    ArticleFactory(title="Other", text="Jomart, not Kassym, spoke.")

    assert _articles("Kassym-Jomart") == ["Tokayev"]


@pytest.mark.parametrize(
    ("q", "tsquery"),
    [
        ("Kassym-Jomart", "'kassym':* <-> 'jomart':*"),
        ("Нур-Султана Токаев", "'нур':* <-> 'султан':* & 'токаев':*"),
        ("COVID-19", "'covid':* <-> '-19':*"),
        ("Токаев - президент", "'токаев':* & 'президент':*"),
        ("Токаев- президент", "'токаев':* & 'президент':*"),
        ("Токаев -президент", "'токаев':* & !'президент'"),
        ("Токаев -Нур-Султан", "'токаев':* & !('нур' <-> 'султан')"),
        ('"Kassym-Jomart Tokayev"', "'kassym':* <-> 'jomart':* <-> 'tokayev':*"),
    ],
)
def test_only_a_hyphen_starting_a_word_excludes_it(q: str, tsquery: str) -> None:
    assert prefix_tsquery(q) == tsquery


@pytest.mark.parametrize(
    ("q", "tsquery"),
    [
        ('"мирни протести"', "'мирн':* <-> 'протест':*"),
        ('"мирни протести', "'мирн':* <-> 'протест':*"),
        ('Токаев "мирни протести" Алмати', "'токаев':* & 'мирн':* <-> 'протест':* & 'алмат':*"),
        ('"or" Токаев', "'or':* & 'токаев':*"),
        ('"a -b"', "'a':* <-> 'b':*"),
        ("Токаев OR Назарбаев", "('токаев':* | 'назарбаев':*)"),
        ("Токаев Алмати or Назарбаев", "('токаев':* & 'алмат':* | 'назарбаев':*)"),
        ("or Токаев or", "'токаев':*"),
        ("Токаев or -газ", "'токаев':* & !'газ'"),
        ("Токаев or Назарбаев -газ", "('токаев':* | 'назарбаев':*) & !'газ'"),
        ('Токаев -"мирни протести"', "'токаев':* & !('мирни' <-> 'протести')"),
        ('Токаев - "мирни протести"', "'токаев':* & 'мирн':* <-> 'протест':*"),
        ('-"мирни протести"', ""),
        ("„мирни протести“", "'мирн':* <-> 'протест':*"),
        ("«мирни протести» -“по-късно”", "'мирн':* <-> 'протест':* & !('по' <-> 'късно')"),
    ],
)
def test_quotes_and_or_read_as_websearch_reads_them(q: str, tsquery: str) -> None:
    assert prefix_tsquery(q) == tsquery


def test_a_quoted_phrase_needs_its_words_together_in_any_inflection() -> None:
    """The prefix branch AND-ed a quoted phrase's words, so quotes narrowed nothing."""
    ArticleFactory(title="Мирните протести продължават", text="")
    ArticleFactory(title="Протести, но не мирни", text="")

    assert _articles('"мирни протести"') == ["Мирните протести продължават"]
    assert _articles('протести -"мирните протести"') == ["Протести, но не мирни"]


def test_or_finds_either_word_in_any_inflection() -> None:
    """The prefix branch AND-ed the words either side of an OR: an inflected form of one
    alone (Токаева) was found by no branch."""
    ArticleFactory(title="Протести срещу Токаева", text="")
    ArticleFactory(title="Назарбаева го няма", text="")
    ArticleFactory(title="Цените на газа", text="")

    assert sorted(_articles("Токаев OR Назарбаев")) == [
        "Назарбаева го няма",
        "Протести срещу Токаева",
    ]
    assert _articles("Токаев or Назарбаев -няма") == ["Протести срещу Токаева"]


def test_a_hyphen_between_spaces_excludes_nothing() -> None:
    ArticleFactory(title="Токаев е президент", text="")
    ArticleFactory(title="Токаев и газът", text="")

    assert _articles("Токаев - президент") == ["Токаев е президент"]
    assert _articles("Токаев -президент") == ["Токаев и газът"]


def test_a_hyphenated_word_can_be_excluded_and_quoted() -> None:
    ArticleFactory(title="Токаев и Нур-Султан", text="")
    ArticleFactory(title="Токаев в Москве", text="")
    ArticleFactory(title="Kassym-Jomart Tokayev arrives", text="")

    assert _articles("Токаев -Нур-Султан") == ["Токаев в Москве"]
    assert _articles('"Kassym-Jomart Tokayev"') == ["Kassym-Jomart Tokayev arrives"]


def test_a_hyphenated_entity_name_widens_a_query_as_a_phrase() -> None:
    _tokayev()
    ArticleFactory(title="Kassym-Jomart Tokayev in Moscow", text="")

    assert _articles("Tokaev") == ["Kassym-Jomart Tokayev in Moscow"]


# Highlighting ------------------------------------------------------------------------------


def test_highlights_are_escaped_and_marked() -> None:
    hostile = f"<script>alert('Токаев')</script>{HOSTILE}"
    ArticleFactory(title=f"{hostile} Токаев", text=f"{hostile} Президентът Токаев поиска помощ.")

    article = search_all("Токаев", editor=False, show_text=True).articles[0]

    for html in (str(article.title_html), str(article.snippet_html)):
        assert "<mark>Токаев</mark>" in html
        assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in str(article.title_html)


def test_marker_characters_in_a_hostile_text_stay_balanced() -> None:
    assert highlight("\ue000a\ue000b\ue001c\ue001<b>") == "<mark>ab</mark>c&lt;b&gt;"
    assert highlight("\ue000open") == "<mark>open</mark>"


def test_a_hyphenated_words_marked_parts_are_one_mark() -> None:
    assert highlight("\ue000Kassym\ue001-\ue000Jomart\ue001 Tokayev") == (
        "<mark>Kassym-Jomart</mark> Tokayev"
    )
    assert highlight("\ue000Kassym\ue001 - \ue000Jomart\ue001") == (
        "<mark>Kassym</mark> - <mark>Jomart</mark>"
    )


def test_article_text_snippets_only_when_text_may_be_shown() -> None:
    ArticleFactory(title="Изявление", text="Президентът Токаев поиска помощ.")

    anonymous = search_all("Токаев", editor=False, show_text=False).articles[0]
    reader = search_all("Токаев", editor=False, show_text=True).articles[0]

    assert str(anonymous.snippet_html) == ""
    assert "<mark>Токаев</mark>" in str(reader.snippet_html)


def test_event_labels_in_the_page_language_are_highlighted() -> None:
    event = EventFactory(slug="csto", title="CSTO deployment")
    EventTranslation.objects.create(event=event, language="bg", title="Разполагане на ОДКС")

    bg = search_all("ОДКС", editor=False, show_text=False, language="bg").events
    en = search_all("deployment", editor=False, show_text=False, language="en").events

    assert str(bg[0].title_html) == "Разполагане на <mark>ОДКС</mark>"
    assert str(en[0].title_html) == "CSTO <mark>deployment</mark>"


# Queries -----------------------------------------------------------------------------------


def _populate(n: int, tokayev) -> None:
    for i in range(n):
        event = EventFactory(title=f"Tokayev event {i}")
        Participant.objects.create(event=event, entity=tokayev, role="actor")
        EventTranslation.objects.create(event=event, language="bg", title=f"Токаев {i}")
        _line(event, f"Tokayev line {i}")
        ArticleFactory(title=f"Токаев статия {i}")


def test_search_all_runs_a_constant_number_of_queries() -> None:
    tokayev = _tokayev()
    _populate(2, tokayev)
    with CaptureQueriesContext(connection) as few:
        small = search_all("Tokayev", editor=True, show_text=True, language="bg")
    _populate(18, tokayev)
    with CaptureQueriesContext(connection) as many:
        large = search_all("Tokayev", editor=True, show_text=True, language="bg")

    assert (len(small.articles), len(large.articles)) == (2, 20)
    # Entities, events, lines, the EXPLAIN choosing the article candidates' path, articles
    # (their candidates an init plan of the ranking statement).
    assert len(many) == len(few) == 5


# Candidates --------------------------------------------------------------------------------


def _candidates(q: str, **filters) -> list[int]:
    parsed = parse_query(q)
    assert parsed is not None
    return candidate_article_ids(parsed, filters=SearchFilters(**filters))


def test_a_word_found_nowhere_is_looked_up_in_the_indexes_not_by_walking_the_articles() -> None:
    for i in range(5):
        ArticleFactory(title=f"Токаев {i}", text="Токаев поиска помощ.")
    with CaptureQueriesContext(connection) as queries:
        assert _candidates("несъществуващодума") == []
    candidates = queries.captured_queries[-1]["sql"]
    # Both branches (full text, near-miss titles) as ids collected first from their index.
    assert candidates.count("= ANY((ARRAY(SELECT") == 2, candidates
    assert _articles("несъществуващодума") == []


def test_a_common_word_walks_the_newest_matches_and_finds_the_same_ones(monkeypatch) -> None:
    matching = [ArticleFactory(title=f"Токаев {i}", text="Токаев поиска помощ.") for i in range(6)]
    ArticleFactory(title="Цените на газа", text="Нищо общо тук.")
    ArticleFactory(title="Токаев копие", duplicate_of=matching[0])
    newest_first = sorted((a.pk for a in matching), reverse=True)
    from_index = _candidates("Токаев")
    monkeypatch.setattr(search, "WALK_MATCHES", 0)  # as if the word were in many articles
    with CaptureQueriesContext(connection) as queries:
        walked = _candidates("Токаев")
    assert "ANY(ARRAY(" not in queries.captured_queries[-1]["sql"]
    assert walked == from_index == newest_first
    monkeypatch.setattr(search, "RANK_CANDIDATES", 4)
    assert _candidates("Токаев") == newest_first[:4]
    assert _candidates("Токаев", date_to=dt.date(2000, 1, 1)) == []


def test_the_match_is_written_after_the_candidates_other_conditions(monkeypatch) -> None:
    monkeypatch.setattr(search, "WALK_MATCHES", 0)  # the walk, which tests rows one by one
    parsed = parse_query("Токаев")
    assert parsed is not None
    filters = SearchFilters(date_from=dt.date(2022, 1, 1), language="bg")
    sql = str(search.candidate_articles(parsed, filters=filters).query)
    where = sql[sql.index(" WHERE ") :]
    assert where.index('"published_at" >=') < where.index('"search" @@'), where
    assert where.index('"language" =') < where.index('"search" @@'), where


def test_near_misses_of_titles_are_candidates_when_the_word_is_rare() -> None:
    typo = ArticleFactory(title="Unrest in Kazakhstan", text="Protests spread.")
    ArticleFactory(title="Gas prices", text="Nothing related.")

    assert _candidates("Kazakstan") == [typo.pk]


def test_full_text_candidates_are_read_from_the_gin_index_whatever_the_estimate() -> None:
    matching = [ArticleFactory(title=f"Токаев {i}", text="Токаев поиска помощ.") for i in range(3)]
    ArticleFactory(title="Цените на газа", text="Нищо общо тук.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proconfig FROM pg_proc WHERE proname = 'tracker_article_ids_matching'"
        )
        assert cursor.fetchone() == (["enable_seqscan=off"],)
        cursor.execute(
            "SELECT ARRAY(SELECT tracker_article_ids_matching(to_tsquery('simple', 'токаев:*')))"
        )
        (ids,) = cursor.fetchone()
    assert sorted(ids) == sorted(a.pk for a in matching)
    with CaptureQueriesContext(connection) as queries:
        assert _candidates("Токаев") == sorted(ids, reverse=True)
    assert "tracker_article_ids_matching(" in queries.captured_queries[-1]["sql"]


def test_a_quoted_phrase_is_looked_for_among_its_words_matches_from_the_index(
    monkeypatch,
) -> None:
    """PostgreSQL estimates a phrase as its words AND-ed: with the walk chosen, a rare
    phrase of common words read every article. Its candidates come from the GIN index for
    the words (no phrase in that query: the index answers it without reading a row), each
    then tested for the phrase; never from the walk, whatever the estimate."""
    together = [
        ArticleFactory(title=f"Мирни протести {i}", text="Мирните протести в Алмати.")
        for i in range(3)
    ]
    ArticleFactory(title="Протести", text="Протестиращите не бяха мирни.")
    ArticleFactory(title="Мирни протести, копие", duplicate_of=together[0])
    monkeypatch.setattr(search, "WALK_MATCHES", 0)  # as if the words were in many articles
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    parsed = parse_query('Алмати -газ "мирни протести" or "Kassym-Jomart Tokayev"')
    assert parsed is not None and parsed.relaxed is not None
    assert "<->" not in parsed.relaxed.sql and "phrase" not in parsed.relaxed.sql
    assert "!!" not in parsed.relaxed.sql  # nothing excluded
    phrase = parse_query('"мирни протести"')
    assert phrase is not None
    with CaptureQueriesContext(connection) as queries:
        ids = candidate_article_ids(phrase)
    assert ids == sorted((a.pk for a in together), reverse=True)
    assert len(queries.captured_queries) == 1  # no EXPLAIN: the estimate is not asked
    assert "tracker_article_ids_matching(" in queries.captured_queries[0]["sql"]
    listed = Article.objects.filter(search.article_list_matches(phrase), duplicate_of=None)
    assert sorted(listed.values_list("pk", flat=True)) == sorted(a.pk for a in together)
    for q in ("Мирни протести", '"Мирни"', "Kassym-Jomart"):
        parsed = parse_query(q)
        assert parsed is not None and parsed.relaxed is None


@pytest.mark.parametrize(
    ("title", "language", "q"),
    [
        ("Peace talks resume in Brussels", "en", '"peace talks"'),
        ("COVID-19 cases rise again", "en", '"covid-19 cases"'),
        ("Переговоры Касым-Жомарта Токаева", "ru", '"переговоры Касым-Жомарта"'),
        ("Мирните протести продължават", "bg", '"мирни протести"'),
    ],
)
def test_a_quoted_phrases_words_find_what_the_phrase_finds(
    title: str, language: str, q: str
) -> None:
    """The relaxed query a phrase's candidates come from matches every text the phrase
    does, in every language's configuration (stems, hyphenated words, signed numbers)."""
    article = ArticleFactory(title=title, text=title, detected_language=language)
    ArticleFactory(title="Цените на газа", text="Нищо общо.")

    assert _candidates(q) == [article.pk]


def test_trigram_operators_are_priced_so_the_planner_reads_their_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.procost FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode "
            "WHERE o.oprname IN ('%', '<%', '%>') AND o.oprleft = 'text'::regtype"
        )
        costs = dict(cursor.fetchall())
    assert costs == {
        "similarity_op": 100,
        "word_similarity_op": 100,
        "word_similarity_commutator_op": 100,
    }


def test_only_the_newest_matching_lines_are_ranked(monkeypatch) -> None:
    event = EventFactory()
    lines = [_line(event, f"Tokayev speaks {i}") for i in range(4)]
    _line(event, "Gas prices rise")
    parsed = parse_query("Tokayev")
    assert parsed is not None
    assert {u.pk for u in search_updates(parsed, editor=False)} == {u.pk for u in lines}
    monkeypatch.setattr(search, "RANK_CANDIDATES", 2)
    assert {u.pk for u in search_updates(parsed, editor=False)} == {u.pk for u in lines[2:]}
    absent = parse_query("несъществуващодума")
    assert absent is not None
    assert list(search_updates(absent, editor=True)) == []


def test_article_vectors_are_stored_uncompressed() -> None:
    # Searches read hundreds of vectors per page; pglz decompression was most of that cost
    # (migration 0016). pglz would compress this vector to about half.
    text = " ".join(f"протестующие{i} собрались у здания администрации" for i in range(60))
    article = ArticleFactory(title="Протест", text=text, detected_language="ru")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(search), pg_column_size(search)"
            " FROM events_article WHERE id = %s",
            [article.pk],
        )
        compression, size = cursor.fetchone()
    assert compression is None
    assert size > 2000


def test_the_names_that_widen_a_query_are_the_entities_search_finds() -> None:
    # The page's named-entities statement is written out in SQL; the API's entity search
    # builds the same condition and rank through the ORM. They must not drift apart.
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev", slug="kassym-jomart-tokayev")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    EntityAlias.objects.create(entity=tokayev, name="Tokayev", language="en")
    nazarbayev = EntityFactory(name="Nursultan Nazarbayev", slug="nursultan-nazarbayev")
    EntityAlias.objects.create(entity=nazarbayev, name="Назарбаев", language="bg")
    EntityFactory(name="CSTO", slug="csto")
    for q in ("Tokaev", "Токаеб", "Назарбаев", "csto", "ev", "Nursultan", "50%", "nobody"):
        written = {e.pk: round(e.rank, 6) for e in search._named_entities(q, 20)}
        built = {e.pk: round(e.rank, 6) for e in search.search_entities(q)}
        assert written == built, q
