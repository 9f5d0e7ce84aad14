import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from events import models
from events.demo import data
from events.ingest.fingerprint import content_hash
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def demo() -> str:
    return _load_demo()


def _database_state() -> tuple[dict[str, int], dict[str, dict[object, dt.datetime]]]:
    """Every table's row count, and every row's updated_at where the table has one."""
    counts, stamps = {}, {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        label = model._meta.label
        counts[label] = model._default_manager.count()
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            stamps[label] = dict(model._default_manager.values_list("pk", "updated_at"))
    return counts, stamps


def _quotes_of(speaker_slug: str) -> list[models.Citation]:
    return list(
        models.Citation.objects.select_related("outlet", "article", "update__event").filter(
            speaker__slug=speaker_slug, update__isnull=False
        )
    )


def test_load_demo_reports_what_it_created(demo: str) -> None:
    assert demo.startswith("demo loaded: 9 events, ")
    assert f"{len(data.UPDATES)} updates" in demo
    assert f"{len(data.RELATIONS)} relations" in demo


def test_load_demo_twice_changes_nothing(demo: str) -> None:
    before = _database_state()

    second = _load_demo()

    assert second == "demo already loaded: nothing changed"
    assert _database_state() == before


def test_load_demo_keeps_an_editors_changes(demo: str) -> None:
    event = models.Event.objects.get(slug=data.UNREST)
    event.title = "Kazakhstan unrest (edited)"
    event.save()
    models.Entity.objects.filter(slug="csto").update(name="CSTO (edited)")
    models.EventTranslation.objects.filter(event=event, language="bg").update(title="Заглавие")

    assert _load_demo() == "demo already loaded: nothing changed"

    event.refresh_from_db()
    assert event.title == "Kazakhstan unrest (edited)"
    assert models.Entity.objects.get(slug="csto").name == "CSTO (edited)"
    assert event.translations.get(language="bg").title == "Заглавие"


def test_load_demo_restores_a_deleted_row_without_touching_the_rest(demo: str) -> None:
    models.EntityAlias.objects.filter(entity__slug="csto", name="ОДКБ").delete()
    counts, stamps = _database_state()

    assert _load_demo() == "demo loaded: 1 entity alias"

    after_counts, after_stamps = _database_state()
    assert after_counts["events.EntityAlias"] == counts["events.EntityAlias"] + 1
    assert after_stamps == stamps


def test_if_empty_does_nothing_when_an_event_exists() -> None:
    EventFactory()

    output = _load_demo("--if-empty")

    assert output == "demo not loaded: the database already has events (--if-empty)"
    assert models.Event.objects.count() == 1
    assert not models.Entity.objects.exists()
    assert not models.Article.objects.exists()
    assert not models.Update.objects.exists()


def test_if_empty_loads_the_demo_into_an_empty_database() -> None:
    assert _load_demo("--if-empty").startswith("demo loaded: 9 events")
    assert _load_demo("--if-empty").startswith("demo not loaded")


def test_every_published_update_cites_a_quote_whose_span_matches_the_article(demo: str) -> None:
    updates = models.Update.objects.prefetch_related("citations__article")
    assert updates.count() == len(data.UPDATES)
    for update in updates:
        assert update.status == models.UpdateStatus.PUBLISHED
        citations = list(update.citations.all())
        assert citations, update.headline
        for citation in citations:
            assert citation.span_start is not None, citation.quote
            text = citation.article.text
            assert text[citation.span_start : citation.span_end] == citation.quote
            assert citation.quote_language == "bg"
            assert citation.translation
            assert citation.translation_language == "en"


def test_updates_were_created_and_published_through_the_timeline_service(demo: str) -> None:
    for update in models.Update.objects.all():
        notes = list(update.versions.order_by("version").values_list("note", flat=True))
        assert notes == ["created", "published"]
        assert update.published_at is not None
        assert update.author is None
        assert update.occurred_precision == models.Precision.DAY


def test_ned_price_is_quoted_via_the_bbc(demo: str) -> None:
    citations = _quotes_of("ned-price")

    assert len(citations) == 4
    assert {c.outlet.slug for c in citations} == {"bbc"}
    assert {c.article.canonical_url for c in citations} == {data.SEED_ARTICLE_URL}
    assert {c.update.event.slug for c in citations} == {data.US_STATEMENT}
    attribution = next(c for c in citations if "Нед Прайс, цитиран от Би Би Си" in c.quote)
    assert "Ned Price said, as quoted by the BBC" in attribution.translation


def test_jen_psaki_is_quoted_via_reuters(demo: str) -> None:
    [citation] = _quotes_of("jen-psaki")

    assert citation.outlet.slug == "reuters"
    assert "Джен Псаки, цитирана от Reuters" in citation.quote
    assert citation.update.event.slug == data.NATO_RUSSIA_TALKS


def test_csto_has_aliases_in_english_bulgarian_and_russian_including_acronyms(demo: str) -> None:
    aliases = models.EntityAlias.objects.filter(entity__slug="csto")

    assert {a.language for a in aliases} >= {"en", "bg", "ru"}
    acronyms = {(a.name, a.language) for a in aliases if a.is_acronym}
    assert acronyms == {("CSTO", "en"), ("ОДКС", "bg"), ("ОДКБ", "ru")}
    assert aliases.filter(
        language="bg", name="Организация на Договора за колективна сигурност"
    ).exists()


def test_every_entity_has_names_in_english_bulgarian_and_russian(demo: str) -> None:
    for entity in models.Entity.objects.prefetch_related("aliases"):
        assert {a.language for a in entity.aliases.all()} >= {"en", "bg", "ru"}, entity.name


def test_places_have_coordinates_and_only_known_wikidata_ids_are_set(demo: str) -> None:
    places = models.Entity.objects.filter(kind=models.EntityKind.PLACE)
    assert places.count() == 7
    assert not places.filter(latitude__isnull=True).exists()
    with_ids = models.Entity.objects.exclude(wikidata_id="")
    wikidata = dict(with_ids.values_list("slug", "wikidata_id"))
    assert wikidata == {
        "kazakhstan": "Q232",
        "russia": "Q159",
        "belarus": "Q184",
        "united-states": "Q30",
        "nato": "Q7184",
        "ukraine": "Q212",
        "brussels": "Q239",
        "bbc": "Q9531",
        "reuters": "Q130879",
        "white-house": "Q35525",
        "washington-dc": "Q61",
    }


def test_nato_russia_talks_are_on_12_january_2022_in_brussels(demo: str) -> None:
    event = models.Event.objects.select_related("place_entity").get(slug=data.NATO_RUSSIA_TALKS)

    assert event.kind == models.EventKind.MEETING
    assert event.start.date() == dt.date(2022, 1, 12)
    assert event.start_precision == models.Precision.DAY
    assert event.place == "Brussels"
    assert event.place_entity.wikidata_id == "Q239"
    assert (event.latitude, event.longitude) == (50.8503, 4.3517)


def test_kazakhstan_unrest_runs_2_to_11_january_and_was_caused_by_the_gas_price_rise(
    demo: str,
) -> None:
    unrest = models.Event.objects.get(slug=data.UNREST)

    assert (unrest.start.date(), unrest.end.date()) == (dt.date(2022, 1, 2), dt.date(2022, 1, 11))
    assert unrest.status == models.EventStatus.CONCLUDED
    assert unrest.relations_out.filter(
        kind=models.RelationKind.CAUSED_BY, target__slug=data.LPG_PRICES
    ).exists()


def test_relations_include_part_of_caused_by_response_to_and_related(demo: str) -> None:
    links = set(models.EventRelation.objects.values_list("source__slug", "kind", "target__slug"))

    assert {kind for _, kind, _ in links} >= {"part_of", "caused_by", "response_to", "related"}
    assert (data.CSTO_DEPLOYMENT, "response_to", data.UNREST) in links
    assert (data.US_STATEMENT, "response_to", data.CSTO_DEPLOYMENT) in links
    assert (data.NATO_RUSSIA_TALKS, "related", data.UNREST) in links
    for sub_event in (data.RESIGNATION, data.SECURITY_COUNCIL, data.EMERGENCY):
        assert (sub_event, "part_of", data.UNREST) in links


def test_a_relation_cites_the_seed_article_with_a_matching_span(demo: str) -> None:
    citations = models.Citation.objects.filter(relation__isnull=False).select_related("article")

    assert citations.exists()
    for citation in citations:
        assert citation.article.canonical_url == data.SEED_ARTICLE_URL
        text = citation.article.text
        assert text[citation.span_start : citation.span_end] == citation.quote
    psaki = citations.get(speaker__slug="jen-psaki")
    assert psaki.relation.kind == models.RelationKind.RELATED
    assert psaki.outlet.slug == "reuters"


def test_seed_article_is_the_verbatim_seed_text_without_an_invented_source(demo: str) -> None:
    article = models.Article.objects.select_related("outlet").get(
        canonical_url=data.SEED_ARTICLE_URL
    )
    text = data.SEED_ARTICLE_PATH.read_text(encoding="utf-8")

    assert article.text == text
    assert article.content_hash == content_hash(text)
    assert article.band_keys.count() > 0  # a later syndicated copy finds it as a duplicate
    assert article.language == "bg"
    assert article.state == models.ArticleState.READY
    assert article.published_at is None
    assert article.outlet.country == "BG"
    assert article.outlet.languages == ["bg"]
    assert not article.outlet.domains.exists()
    assert article.outlet.homepage == ""
    assert article.event_links.filter(state=models.LinkState.CONFIRMED).count() == 9


def test_seed_article_is_tagged_with_the_entities_it_mentions(demo: str) -> None:
    article = models.Article.objects.get(canonical_url=data.SEED_ARTICLE_URL)
    mentioned = set(article.mentions.values_list("entity__slug", flat=True))
    assert {"kassym-jomart-tokayev", "csto", "ned-price", "jen-psaki", "nato"} <= mentioned
    for mention in article.mentions.all():
        assert article.text[mention.first_start : mention.first_end]


def test_bbc_and_reuters_outlets_link_to_their_entities(demo: str) -> None:
    bbc = models.Outlet.objects.get(slug="bbc")
    reuters = models.Outlet.objects.get(slug="reuters")

    assert bbc.kind == models.OutletKind.BROADCASTER
    assert set(bbc.domains.values_list("domain", flat=True)) == {"bbc.com", "bbc.co.uk"}
    assert bbc.entity.wikidata_id == "Q9531"
    assert reuters.kind == models.OutletKind.WIRE
    assert list(reuters.domains.values_list("domain", flat=True)) == ["reuters.com"]
    assert reuters.entity.wikidata_id == "Q130879"


def test_every_event_has_bulgarian_and_russian_translations(demo: str) -> None:
    for event in models.Event.objects.prefetch_related("translations"):
        translations = {t.language: t for t in event.translations.all()}
        assert set(translations) == {"bg", "ru"}, event.slug
        for translation in translations.values():
            assert translation.title and translation.summary
            assert any("\u0400" <= ch <= "\u04ff" for ch in translation.title)
        assert event.summary and event.participations.exists()


def test_demo_rows_pass_model_validation(demo: str) -> None:
    for model in (
        models.Entity,
        models.EntityAlias,
        models.Outlet,
        models.OutletDomain,
        models.Article,
        models.Event,
        models.EventTranslation,
        models.Participant,
        models.EventRelation,
        models.ArticleEvent,
        models.Update,
        models.Citation,
    ):
        for row in model.objects.all():
            row.full_clean()


def test_load_demo_ensures_the_editors_and_readers_groups(demo: str) -> None:
    names = set(Group.objects.values_list("name", flat=True))

    assert {models.EDITORS_GROUP, models.READERS_GROUP} <= names
