"""Rules the database itself carries, so no interface can break them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from events.models import (
    Article,
    ArticleEvent,
    Citation,
    EntityAlias,
    EventRelation,
    LinkState,
    Mention,
    RelationKind,
)
from tests.factories import ArticleFactory, EntityFactory, EventFactory, OutletFactory

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_canonical_url_exists_once():
    ArticleFactory(canonical_url="https://bbc.com/news/world-asia-59884888")
    _refused(lambda: ArticleFactory(canonical_url="https://bbc.com/news/world-asia-59884888"))
    assert Article.objects.count() == 1


@pytest.mark.parametrize("url", ["ftp://x.example/a", "not a url", "javascript:alert(1)"])
def test_canonical_url_must_be_http_or_urn(url):
    _refused(lambda: ArticleFactory(canonical_url=url))


def test_article_imported_without_url_uses_a_urn():
    article = ArticleFactory(canonical_url="urn:tracker-seed:000_1b6525c019272edc")
    assert article.pk


def test_relation_cannot_link_an_event_to_itself():
    event = EventFactory()
    _refused(lambda: EventRelation.objects.create(source=event, target=event, kind="related"))


def test_relation_cannot_repeat():
    a, b = EventFactory(), EventFactory()
    EventRelation.objects.create(source=a, target=b, kind=RelationKind.PART_OF)
    _refused(lambda: EventRelation.objects.create(source=a, target=b, kind=RelationKind.PART_OF))
    # Another kind between the same events is a different statement.
    EventRelation.objects.create(source=a, target=b, kind=RelationKind.CAUSED_BY)
    assert EventRelation.objects.count() == 2


def test_related_is_undirected():
    a, b = EventFactory(), EventFactory()
    EventRelation.objects.create(source=a, target=b, kind=RelationKind.RELATED)
    _refused(lambda: EventRelation.objects.create(source=b, target=a, kind=RelationKind.RELATED))


def test_directed_relations_may_go_both_ways():
    a, b = EventFactory(), EventFactory()
    EventRelation.objects.create(source=a, target=b, kind=RelationKind.PRECEDES)
    EventRelation.objects.create(source=b, target=a, kind=RelationKind.RESPONSE_TO)
    assert EventRelation.objects.count() == 2


def test_event_cannot_end_before_it_starts():
    event = EventFactory()
    event.end = event.start.replace(year=2021)
    _refused(lambda: event.save())


def test_alias_is_unique_per_entity_language_ignoring_case():
    csto = EntityFactory(name="CSTO")
    EntityAlias.objects.create(entity=csto, name="ОДКС", language="bg")
    _refused(lambda: EntityAlias.objects.create(entity=csto, name="одкс", language="bg"))
    EntityAlias.objects.create(entity=csto, name="ОДКБ", language="ru")
    assert csto.aliases.count() == 2


def test_wikidata_id_is_unique_and_well_formed():
    EntityFactory(wikidata_id="Q232")
    _refused(lambda: EntityFactory(wikidata_id="Q232"))
    _refused(lambda: EntityFactory(wikidata_id="kazakhstan"))
    EntityFactory(wikidata_id="")
    EntityFactory(wikidata_id="")  # many entities have none


def test_language_override_wins_over_detection():
    article = ArticleFactory(detected_language="mk")
    article.refresh_from_db()
    assert article.language == "mk"
    article.language_override = "bg"
    article.save(update_fields=["language_override"])
    article.refresh_from_db()
    assert article.language == "bg"


def test_article_cannot_duplicate_itself():
    article = ArticleFactory()
    article.duplicate_of = article
    _refused(lambda: article.save())


def test_failed_article_records_a_reason():
    _refused(lambda: ArticleFactory(state="failed", failure_reason=""))
    assert ArticleFactory(state="failed", failure_reason="HTTP 404").pk


def test_one_link_per_article_and_event_and_decisions_are_dated():
    article, event = ArticleFactory(), EventFactory()
    ArticleEvent.objects.create(article=article, event=event, score=0.8)
    _refused(lambda: ArticleEvent.objects.create(article=article, event=event, score=0.5))
    other = EventFactory()
    _refused(
        lambda: ArticleEvent.objects.create(article=article, event=other, state=LinkState.CONFIRMED)
    )
    _refused(lambda: ArticleEvent.objects.create(article=article, event=other, score=1.5))


def test_mention_is_counted_once_per_article_with_a_valid_span():
    article, entity = ArticleFactory(), EntityFactory()
    Mention.objects.create(article=article, entity=entity, count=2, first_start=11, first_end=17)
    _refused(
        lambda: Mention.objects.create(article=article, entity=entity, first_start=0, first_end=1)
    )
    _refused(
        lambda: Mention.objects.create(
            article=ArticleFactory(), entity=entity, first_start=5, first_end=5
        )
    )


def test_citation_must_back_exactly_one_thing_from_a_source():
    article, outlet = ArticleFactory(), OutletFactory()
    relation = EventRelation.objects.create(
        source=EventFactory(), target=EventFactory(), kind="related"
    )
    _refused(lambda: Citation.objects.create(article=article))  # backs nothing
    _refused(lambda: Citation.objects.create(relation=relation))  # no source
    citation = Citation.objects.create(relation=relation, outlet=outlet)
    assert citation.pk


def test_cited_article_cannot_be_deleted():
    article = ArticleFactory()
    relation = EventRelation.objects.create(
        source=EventFactory(), target=EventFactory(), kind="related"
    )
    Citation.objects.create(relation=relation, article=article)
    with pytest.raises(Exception, match="protected"):
        article.delete()


def test_canonical_url_taken_is_a_form_error_of_the_field():
    # Unique by a constraint (not unique=True, see the model): validation still names the field.
    ArticleFactory(canonical_url="https://bbc.com/news/world-asia-59884888")
    with pytest.raises(ValidationError) as refused:
        Article(canonical_url="https://bbc.com/news/world-asia-59884888").validate_constraints()
    assert "already exists" in str(refused.value.message_dict["canonical_url"])


def test_article_indexes_skip_what_storing_need_not_pay_for():
    # Every registration, claim and store adds an entry to each index its row matches: no
    # LIKE twin of the canonical URL, no outlet index of its own, state and updated_at only
    # for the rows that are read by them.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", ["events_article"]
        )
        indexes = dict(cursor.fetchall())
    definitions = " ".join(indexes.values())
    assert "varchar_pattern_ops" not in definitions
    assert "btree (outlet_id)" not in definitions
    assert (
        "UNIQUE INDEX events_article_canonical_url_key"
        in indexes["events_article_canonical_url_key"]
    )
    assert indexes["article_unready"].endswith(
        "(state) WHERE (NOT ((state)::text = 'ready'::text))"
    )
    assert indexes["article_changed"].endswith("(updated_at) WHERE ((state)::text = 'ready'::text)")
    # Copies only: an original, most articles, writes no entry (migration 0019).
    duplicate_of = [d for d in indexes.values() if "btree (duplicate_of_id)" in d]
    assert duplicate_of == [indexes["article_duplicate_of"]]
    assert duplicate_of[0].endswith("WHERE (duplicate_of_id IS NOT NULL)")
    assert [name for name, sql in indexes.items() if "btree (updated_at)" in sql] == [
        "article_changed"
    ]
    assert [name for name, sql in indexes.items() if "btree (state)" in sql] == ["article_unready"]


def test_article_urls_are_unique_without_a_like_twin():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["events_articleurl"],
        )
        indexes = dict(cursor.fetchall())
    assert "varchar_pattern_ops" not in " ".join(indexes.values())
    assert "UNIQUE INDEX events_articleurl_url_key" in indexes["events_articleurl_url_key"]
