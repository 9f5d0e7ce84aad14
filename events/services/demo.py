"""Loads the Kazakhstan-crisis demo (``events.demo.data``) into the database.

Idempotent and respectful of editors: every row is looked up by its natural key (slug,
canonical URL, domain, an update's event and headline) and created only when missing; an
existing row is never changed, so a second run writes nothing and an editor's later edits
survive. Timeline lines go through ``events.services.timeline`` like every other interface.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from events.demo import data
from events.ingest.fingerprint import fingerprint
from events.models import (
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    EntityAlias,
    Event,
    EventRelation,
    EventTranslation,
    LinkOrigin,
    LinkState,
    Outlet,
    OutletDomain,
    Participant,
    RelationKind,
    Update,
)
from events.services.articles import article_band_keys_set
from events.services.enrichment import article_enrich
from events.services.roles import roles_ensure
from events.services.timeline import CitationData, update_create, update_publish

# What the summary counts, in the order it lists them: (one, many).
COUNTED = (
    ("event", "events"),
    ("event translation", "event translations"),
    ("participant", "participants"),
    ("relation", "relations"),
    ("relation citation", "relation citations"),
    ("outlet", "outlets"),
    ("outlet domain", "outlet domains"),
    ("entity", "entities"),
    ("entity alias", "entity aliases"),
    ("article", "articles"),
    ("article-event link", "article-event links"),
    ("update", "updates"),
)


@dataclass(frozen=True)
class DemoLoadResult:
    """How many rows of each kind the run created, keyed by the plural names in ``COUNTED``;
    ``skipped`` when ``if_empty`` found events."""

    created: dict[str, int] = field(default_factory=dict)
    skipped: bool = False

    @property
    def changed(self) -> bool:
        return any(self.created.values())

    def summary(self) -> str:
        if self.skipped:
            return "demo not loaded: the database already has events (--if-empty)"
        if not self.changed:
            return "demo already loaded: nothing changed"
        counts = ", ".join(
            f"{n} {one if n == 1 else many}"
            for one, many in COUNTED
            if (n := self.created.get(many, 0))
        )
        return f"demo loaded: {counts}"


@dataclass
class _Loaded:
    """The demo's rows by slug, and how many of them this run created."""

    created: Counter[str] = field(default_factory=Counter)
    entities: dict[str, Entity] = field(default_factory=dict)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        if created:
            self.created[kind] += 1


@transaction.atomic
def demo_load(*, if_empty: bool = False) -> DemoLoadResult:
    """Create whatever part of the demo is missing. With ``if_empty``, do nothing at all when
    any event exists (``make run`` loads the demo only into a fresh database)."""
    if if_empty and Event.objects.exists():
        return DemoLoadResult(skipped=True)
    roles_ensure()
    loaded = _Loaded()
    for entity in data.ENTITIES:
        _entity_load(loaded, entity)
    for outlet in data.OUTLETS:
        _outlet_load(loaded, outlet)
    article = _article_load(loaded, data.SEED_ARTICLE)
    for event in data.EVENTS:
        _event_load(loaded, event)
    for relation in data.RELATIONS:
        _relation_load(loaded, relation, article)
    _article_links_load(loaded, article)
    for update in data.UPDATES:
        _update_load(loaded, update, article)
    if loaded.created.get("articles"):
        # Tag the seed article the way ingestion tags every article: mentions and suggestions.
        article_enrich(article=article)
    return DemoLoadResult(created=dict(loaded.created))


def _entity_load(loaded: _Loaded, spec: data.EntityData) -> None:
    entity = Entity.objects.filter(slug=spec.slug).first()
    if entity is None and spec.wikidata_id:
        # An editor may already have the same item under another slug; the id is unique.
        entity = Entity.objects.filter(wikidata_id=spec.wikidata_id).first()
    if entity is None:
        entity = Entity.objects.create(
            slug=spec.slug,
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            wikidata_id=spec.wikidata_id,
            latitude=spec.latitude,
            longitude=spec.longitude,
        )
        loaded.count("entities", True)
    loaded.entities[spec.slug] = entity
    for alias in spec.aliases:
        # Aliases are unique per entity, language and lower-cased name.
        _, created = EntityAlias.objects.get_or_create(
            entity=entity,
            language=alias.language,
            name__iexact=alias.name,
            defaults={"name": alias.name, "is_acronym": alias.is_acronym},
        )
        loaded.count("entity aliases", created)


def _outlet_load(loaded: _Loaded, spec: data.OutletData) -> None:
    entity = loaded.entities.get(spec.entity_slug)
    if entity is not None and Outlet.objects.filter(entity=entity).exists():
        entity = None  # already an outlet's entity (one-to-one): leave that link alone
    outlet, created = Outlet.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "kind": spec.kind,
            "country": spec.country,
            "languages": list(spec.languages),
            "homepage": spec.homepage,
            "entity": entity,
        },
    )
    loaded.count("outlets", created)
    loaded.outlets[spec.slug] = outlet
    for domain in spec.domains:
        _, created = OutletDomain.objects.get_or_create(domain=domain, defaults={"outlet": outlet})
        loaded.count("outlet domains", created)


def _article_load(loaded: _Loaded, spec: data.ArticleData) -> Article:
    text = spec.text_path.read_text(encoding="utf-8")
    fp = fingerprint(text)
    article, created = Article.objects.get_or_create(
        canonical_url=spec.canonical_url,
        defaults={
            "outlet": loaded.outlets[spec.outlet_slug],
            "title": spec.title,
            "detected_language": spec.language,
            "text": text,
            "content_hash": fp.content_hash,
            "minhash": list(fp.minhash),
            "text_version": 1,
            "state": ArticleState.READY,
        },
    )
    loaded.count("articles", created)
    if created:
        article_band_keys_set(article_id=article.pk, keys=fp.band_keys)
    return article


def _event_load(loaded: _Loaded, spec: data.EventData) -> None:
    event, created = Event.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "title": spec.title,
            "summary": spec.summary,
            "kind": spec.kind,
            "status": spec.status,
            "start": spec.start,
            "start_precision": spec.start_precision,
            "end": spec.end,
            "end_precision": spec.end_precision,
            "place": spec.place,
            "place_entity": loaded.entities.get(spec.place_entity_slug),
            "latitude": spec.latitude,
            "longitude": spec.longitude,
        },
    )
    loaded.count("events", created)
    loaded.events[spec.slug] = event
    for translation in spec.translations:
        _, created = EventTranslation.objects.get_or_create(
            event=event,
            language=translation.language,
            defaults={"title": translation.title, "summary": translation.summary},
        )
        loaded.count("event translations", created)
    for participant in spec.participants:
        _, created = Participant.objects.get_or_create(
            event=event,
            entity=loaded.entities[participant.entity_slug],
            role=participant.role,
            defaults={"note": participant.note},
        )
        loaded.count("participants", created)


def _relation_load(loaded: _Loaded, spec: data.RelationData, article: Article) -> None:
    source, target = loaded.events[spec.source_slug], loaded.events[spec.target_slug]
    same_link = Q(source=source, target=target)
    if spec.kind == RelationKind.RELATED:
        same_link |= Q(source=target, target=source)  # "related" has no direction
    relation = EventRelation.objects.filter(same_link, kind=spec.kind).first()
    if relation is None:
        relation = EventRelation.objects.create(
            source=source, target=target, kind=spec.kind, note=spec.note
        )
        loaded.count("relations", True)
    if Citation.objects.filter(relation=relation, article=article).exists():
        return
    for position, quote in enumerate(spec.citations):
        outlet, speaker = _quote_sources(loaded, quote)
        span_start = _quote_start(article, quote)
        citation = Citation(
            relation=relation,
            article=article,
            outlet=outlet,
            speaker=speaker,
            quote=quote.quote,
            quote_language=data.SEED_ARTICLE.language,
            translation=quote.translation,
            translation_language=data.TRANSLATION_LANGUAGE,
            span_start=span_start,
            span_end=span_start + len(quote.quote),
            retrieved_at=article.created_at,
            position=position,
        )
        citation.full_clean()
        citation.save()
        loaded.count("relation citations", True)


def _quote_sources(loaded: _Loaded, quote: data.QuoteData) -> tuple[Outlet | None, Entity | None]:
    """Who relayed the words (the BBC) and who said them (Ned Price), when the quote says."""
    outlet = loaded.outlets[quote.outlet_slug] if quote.outlet_slug else None
    speaker = loaded.entities[quote.speaker_slug] if quote.speaker_slug else None
    return outlet, speaker


def _quote_start(article: Article, quote: data.QuoteData) -> int:
    """Where the quote starts in the article. Demo data that does not quote the article
    verbatim is a bug, not something to load without a span."""
    start = article.text.find(quote.quote)
    if start < 0:
        raise ValueError(f"demo quote not found in {article.canonical_url}: {quote.quote!r}")
    return start


def _article_links_load(loaded: _Loaded, article: Article) -> None:
    """The seed article backs every event it is cited for: confirmed, as an editor would."""
    cited = {update.event_slug for update in data.UPDATES}
    for slug in sorted(cited):
        _, created = ArticleEvent.objects.get_or_create(
            article=article,
            event=loaded.events[slug],
            defaults={
                "score": 1.0,
                "origin": LinkOrigin.EDITOR,
                "state": LinkState.CONFIRMED,
                "decided_at": article.created_at,
            },
        )
        loaded.count("article-event links", created)


def _update_load(loaded: _Loaded, spec: data.UpdateData, article: Article) -> None:
    # Lock the event so two concurrent loads cannot both add the line.
    event = Event.objects.select_for_update().get(pk=loaded.events[spec.event_slug].pk)
    # A line whose headline an editor has since corrected still counts: its history has it.
    if (
        Update.objects.filter(event=event)
        .filter(Q(headline=spec.headline) | Q(versions__headline=spec.headline))
        .exists()
    ):
        return
    update = update_create(
        event=event,
        occurred_at=spec.occurred_at,
        precision=spec.precision,
        headline=spec.headline,
        body=spec.body,
        by=None,
        citations=[_citation_data(loaded, quote, article) for quote in spec.citations],
    )
    update_publish(update=update, by=None)
    loaded.count("updates", True)


def _citation_data(loaded: _Loaded, quote: data.QuoteData, article: Article) -> CitationData:
    # The timeline service locates the span itself; checking first keeps a bad quote loud.
    _quote_start(article, quote)
    outlet, speaker = _quote_sources(loaded, quote)
    return CitationData(
        article_id=article.pk,
        outlet_id=outlet.pk if outlet else None,
        speaker_id=speaker.pk if speaker else None,
        quote=quote.quote,
        quote_language=data.SEED_ARTICLE.language,
        translation=quote.translation,
        translation_language=data.TRANSLATION_LANGUAGE,
    )
