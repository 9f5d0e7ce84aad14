"""Full-text search over events, timeline lines, articles and entities, for the API and the
search page alike.

A query's language is unknown, so it is parsed in several text configurations and the
results OR-ed: 'simple' (lower-cased words, what Bulgarian and other stemmer-less languages
are indexed with), 'english', 'russian', and the configuration of the ``language`` filter
when one is given. A 'simple' prefix query (each word with ``:*``, Bulgarian article and
plural endings cut off first) catches inflections no stemmer knows: Токаев finds Токаева,
протестите finds протест. Typos are caught by pg_trgm: titles by ``%>`` (word similarity
above pg_trgm's threshold, 0.6, through the trigram indexes), entity names and aliases by
word similarity above :data:`NAME_SIMILARITY` (a small table, scanned), which also finds the
articles that mention the entity and the events it takes part in, whatever the script:
"Tokaev" finds Bulgarian articles about Токаев.

Rank: ``ts_rank_cd`` on the stored vector (titles weigh A, bodies B; normalised to 0..1),
plus a smaller share of the title's trigram word similarity; ties go to the newest. No
recency factor: a rank that changes with the clock could not be paged or cached."""

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryField,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    BigIntegerField,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    Lookup,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.db.models.sql import Query as DjangoQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    EntityAlias,
    Event,
    EventTranslation,
    LinkState,
    Mention,
    Participant,
    Update,
)
from events.selectors.pages import ARTICLE_LIST_DEFER
from events.selectors.refs import id_or_slug

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
# Word similarity of a query to an entity's name or alias that counts as naming it:
# "Tokaev" is 0.57 of "Tokayev", "Токаеб" 0.71 of "Токаев"; unrelated short words stay below.
NAME_SIMILARITY = 0.5
# A query this long or longer also names the entities whose name or alias contains it;
# shorter substrings are in half the names.
NAME_SUBSTRING = 3
# Share of a title's trigram word similarity in the rank (full-text rank is in 0..1).
TRIGRAM_WEIGHT = 0.3
# ts_rank_cd normalisation 32: rank / (rank + 1), so every kind of row ranks in 0..1.
RANK_NORMALISATION = 32
BASE_CONFIGS = ("simple", "english", "russian")
# Entities whose names widen a query ("Tokaev" also searches Токаев, Токаева...).
MAX_NAMED_ENTITIES = 5
# Estimated article matches above which a list filtered by a query walks its own order
# rather than collecting the matching ids first (see article_list_matches).
COMMON_MATCHES = 2000
# Article matches ranked per search, newest first (see ranked_articles).
RANK_CANDIDATES = 500
# Estimated full-text matches from which the newest candidates are found by walking the id
# index rather than from the GIN index (see candidate_article_ids): the walk reads ~500/share
# vectors at ~10 µs, the index path every match at ~1 µs; they cost the same near 15-20k
# matches at 100k articles. Above any estimate PostgreSQL gives a word it has no statistics
# for (~1.7k at 100k articles: ~0.4% for each of the query's OR-ed forms).
WALK_MATCHES = 10_000

# A word is \w+ parts joined by hyphens, as PostgreSQL's parser reads Kassym-Jomart or
# Нур-Султан: one word. A hyphen excludes the word it starts only at the query's start or
# after a space (websearch syntax: "Токаев -ОДКС"); any other hyphen is no operator.
_WORD = re.compile(r"(?:(?<!\S)(-))?(\w+(?:-\w+)*)")
# A double-quoted part of a query is a phrase, its words one right after another (websearch
# syntax; a quote left open runs to the end); a hyphen right before the quote, at the
# query's start or after a space, excludes the phrase. Inside quotes nothing is an operator.
_QUOTED = re.compile(r'(?:(?<!\S)(-))?"([^"]*)(?:"|$)')
# Typographic quotes, as keyboards and word processors type them („Bulgarian“, «Russian»,
# “English”): plain double quotes to the parser.
_TYPOGRAPHIC_QUOTES = str.maketrans(dict.fromkeys("„“”«»″", '"'))
# Hyphens that neither join a word nor exclude a word or a phrase: spaces to
# websearch_to_tsquery, which would read "Токаев - президент" as excluding президент.
_LOOSE_HYPHEN = re.compile(r'(?<=\S)-(?!\w)|(?<!\S)-(?![\w"])|(?<=[^\w\s])-')
# A part of digits after a hyphen is a signed number to the parser: COVID-19 is covid, -19.
_DIGITS = re.compile(r"[0-9]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Bulgarian definite articles and plural endings, longest first: протестите, протестът,
# Токаева. Only cut where at least four letters stay.
_BG_ENDINGS = ("ите", "ата", "ята", "ът", "ят", "та", "то", "те", "а", "я", "и")
_MIN_STEM = 4

# Markers ts_headline puts around a match; from the Unicode private-use area, so never
# expected in text; any that a hostile text carries only makes a harmless <mark>.
_START, _STOP = "\ue000", "\ue001"
_HEADLINE_OPTIONS = f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12"
_TITLE_OPTIONS = f"StartSel={_START}, StopSel={_STOP}, HighlightAll=true"


class SearchError(ValueError):
    """A query or filter that cannot be searched; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SearchFilters:
    """What the page and the API narrow results by. Each applies where it means something:
    dates to when an event started, a line occurred and an article was published; language
    to lines and articles; outlet to articles and the lines citing it; entity to participants,
    speakers and mentions; event to its lines and articles."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str = ""
    outlet: str = ""
    entity: str = ""
    event: str = ""


NO_FILTERS = SearchFilters()


def _stem_prefix(word: str) -> str:
    if _CYRILLIC.search(word):
        for ending in _BG_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                return word[: -len(ending)]
    return word


def _name_words(name: str) -> list[str]:
    """The first MAX_WORDS words of an entity's name or alias, as a query's are found."""
    return [word for _minus, word in _WORD.findall(name)[:MAX_WORDS]]


def _parts(word: str) -> list[str]:
    """A word's parts, lower-cased, as PostgreSQL's parser indexes them one after another
    (Kassym-Jomart: kassym, jomart; COVID-19: covid, -19), besides the whole word."""
    first, *rest = word.lower().split("-")
    return [first, *("-" + part if _DIGITS.fullmatch(part) else part for part in rest)]


def _phrase(terms: Sequence[str]) -> str:
    """A hyphenated word's parts as a to_tsquery phrase: each right after the previous."""
    return " <-> ".join(terms)


def _lexeme(word: str) -> str:
    """A to_tsquery operand that is only ever a quoted lexeme."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class _Term:
    """One thing a query asks for: a word, or a quoted phrase's words; ``excluded`` when the
    query asks for texts without it."""

    words: tuple[str, ...]
    excluded: bool = False
    quoted: bool = False


# A query's terms in OR-ed groups of AND-ed terms, and the terms it excludes (from every
# group). "Токаев Назарбаев or Путин" is [[Токаев, Назарбаев], [Путин]].
_Groups = tuple[list[list[_Term]], list[_Term]]


def _terms(q: str) -> _Groups:
    """``q``'s terms (at most MAX_WORDS words in all), as websearch_to_tsquery reads them:
    quoted phrases, ``-`` excluding the word or phrase it starts, and ``or`` between two
    terms as an OR (AND binds the terms either side first: "a b or c" is a & b | c). An
    ``or`` at the start or the end of the query is left out. The one place a query is
    split into words."""
    q = q.translate(_TYPOGRAPHIC_QUOTES)
    tokens: list[_Term | None] = []  # None: an "or"
    pos = 0
    for quoted in [*_QUOTED.finditer(q), None]:
        end = quoted.start() if quoted else len(q)
        for match in _WORD.finditer(q, pos, end):
            minus, word = match.groups()
            tokens.append(None if word.lower() == "or" else _Term((word,), bool(minus)))
        if quoted:
            words = tuple(word for _minus, word in _WORD.findall(quoted.group(2)))
            if words:
                tokens.append(_Term(words, bool(quoted.group(1)), quoted=True))
            pos = quoted.end()
    groups: list[list[_Term]] = [[]]
    excluded: list[_Term] = []
    budget = MAX_WORDS
    for token in tokens:
        if token is None:
            if groups[-1]:
                groups.append([])
            continue
        if budget <= 0:
            break
        token = _Term(token.words[:budget], token.excluded, token.quoted)
        budget -= len(token.words)
        (excluded if token.excluded else groups[-1]).append(token)
    return [group for group in groups if group], excluded


def _query_words(groups: _Groups) -> list[str]:
    """The words a query asks for (not the excluded ones), in the order typed."""
    return [word for group in groups[0] for term in group for word in term.words]


def _prefixes(words: Sequence[str]) -> list[str]:
    """Every part of ``words`` as a quoted to_tsquery prefix, Bulgarian endings cut off."""
    return [f"{_lexeme(_stem_prefix(part))}:*" for word in words for part in _parts(word)]


def prefix_tsquery(q: str) -> str:
    """to_tsquery text for the 'simple' prefix branch: every word (at most MAX_WORDS) as a
    quoted prefix, AND-ed (OR-ed where the query says ``or``), a hyphenated word's parts and
    a quoted phrase's words as a phrase of prefixes; ``-word`` and ``-"a phrase"`` exclude
    it. Built from ``\\w+`` parts only and quoted, so user text never reaches to_tsquery's
    operator syntax."""
    return _prefix_tsquery(_terms(q))


def _prefix_tsquery(terms: _Groups) -> str:
    """:func:`prefix_tsquery` of a query's terms."""
    groups, excluded = terms
    if not groups:
        return ""
    wanted = [" & ".join(_phrase(_prefixes(term.words)) for term in group) for group in groups]
    unwanted = []
    for term in excluded:
        parts = [_lexeme(part) for word in term.words for part in _parts(word)]
        unwanted.append(f"!{parts[0]}" if len(parts) == 1 else f"!({_phrase(parts)})")
    if len(wanted) == 1:
        return " & ".join([*wanted, *unwanted])
    return " & ".join(["(" + " | ".join(wanted) + ")", *unwanted])


def clean_query(q: str | None) -> str:
    q = " ".join((q or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError("q", f"At most {MAX_QUERY_LENGTH} characters.")
    if "\x00" in q:
        raise SearchError("q", "Contains a NUL character.")
    return q


def _config(language: str) -> Func:
    return Func(Value(language), function="tracker_search_config")


def _configs(language: str) -> list[Any]:
    """The configurations a query is parsed in: 'simple', English, Russian, and that of the
    ``language`` filter when one is given."""
    return [*BASE_CONFIGS, _config(language)] if language else [*BASE_CONFIGS]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _date_q(name: str, filters: SearchFilters) -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{name}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        q &= Q(**{f"{name}__lt": _day_start(filters.date_to + dt.timedelta(days=1))})
    return q


# Entities ----------------------------------------------------------------------------------


def _names_q(q: str) -> Q:
    named = Q(similarity__gt=NAME_SIMILARITY)
    if len(q) >= NAME_SUBSTRING:
        named |= Q(name__icontains=q)
    return named


def matching_entity_ids(q: str) -> QuerySet[Entity, Any]:
    """Ids of the entities whose name or an alias (any language) the query names, typos
    allowed. Entities and aliases are small tables: scanned, not indexed."""
    if not _WORD.search(q):
        return Entity.objects.none().values("pk")
    aliases = (
        EntityAlias.objects.annotate(similarity=TrigramWordSimilarity(q, "name"))
        .filter(_names_q(q))
        .order_by()
        .values("entity_id")
    )
    return (
        Entity.objects.annotate(similarity=TrigramWordSimilarity(q, "name"))
        .filter(_names_q(q) | Q(pk__in=aliases))
        .order_by()
        .values("pk")
    )


def search_entities(q: str) -> QuerySet[Entity]:
    """Entities whose name or an alias the query names, annotated with ``rank`` (the best
    word similarity of the name or an alias); not ordered."""
    q = clean_query(q)
    alias_rank = (
        EntityAlias.objects.filter(entity=OuterRef("pk"))
        .annotate(similarity=TrigramWordSimilarity(q, "name"))
        .values("entity")
        .annotate(best=Max("similarity"))
        .values("best")
    )
    return Entity.objects.filter(pk__in=matching_entity_ids(q)).annotate(
        rank=Greatest(
            TrigramWordSimilarity(q, "name"),
            Coalesce(Subquery(alias_rank, output_field=FloatField()), Value(0.0)),
        )
    )


# The query ---------------------------------------------------------------------------------


def _names_tsquery(names: Sequence[str], *, joined: str = " <-> ") -> str:
    """to_tsquery text matching any of ``names``: each name's words AND-ed, a hyphenated
    word's parts joined by ``joined`` (a phrase; AND-ed for a relaxed query), parts of four
    letters or more as prefixes (inflected forms), shorter ones exactly (US, ЕС)."""
    alternatives = []
    for name in dict.fromkeys(names):
        terms = [
            joined.join(
                f"{_lexeme(_stem_prefix(p))}:*" if len(p) >= _MIN_STEM else _lexeme(p)
                for p in _parts(word)
            )
            for word in _name_words(name)
        ]
        if terms:
            alternatives.append("(" + " & ".join(terms) + ")")
    return " | ".join(alternatives)


@dataclass(frozen=True)
class ParsedQuery:
    """A query ready to run: ``q`` as typed (whitespace collapsed), its tsquery, and the
    entities it names, whose names and aliases in every language the tsquery also matches:
    "Tokaev" finds Токаев in a Bulgarian article. ``fuzzy`` is the text titles are compared
    with by trigram similarity: the query's words, or nothing when it excludes words (a
    near miss would bring the excluded ones back) or quotes some (it asks for them as
    typed, and a near miss of "мирни протести" is any title with both words)."""

    q: str
    tsquery: SearchQuery
    entity_ids: tuple[int, ...]
    fuzzy: str
    # For a query with a quoted phrase: the same query with its phrases' words AND-ed and
    # nothing excluded, which the GIN index answers without reading a row (it has no word
    # positions), so that only its matches are tested for the phrases (see
    # candidate_articles). None for any other query.
    relaxed: SearchQuery | None = None


def _exclude(query: SearchQuery, excluded: Sequence[str], language: str) -> SearchQuery:
    """``query`` without the ``-words`` and ``-"phrases"``, in every configuration the query
    is parsed in: each branch of the OR would otherwise bring an excluded one back."""
    for text in excluded:
        kind = "phrase" if " " in text else "plain"
        for config in _configs(language):
            query = query & ~SearchQuery(text, config=config, search_type=kind)
    return query


def parse_query(q: str | None, *, language: str = "") -> ParsedQuery | None:
    """``q`` parsed in the 'simple', English and Russian configurations (and ``language``'s),
    OR-ed, with the 'simple' prefix branch and the names of the entities it names (one small
    query); ``-word`` excluded from all of them. None when ``q`` has no word to search for.
    Raises SearchError on a query that is too long."""
    parsed, _entities = _parse(q, language=language, entities=MAX_NAMED_ENTITIES)
    return parsed


def _parse(
    q: str | None, *, language: str, entities: int
) -> tuple[ParsedQuery | None, list[Entity]]:
    """:func:`parse_query`, and the ``entities`` entities the query names best, from the
    same statement: best rank first, ties by name; each carries
    ``rank`` and ``alias_list`` (its aliases' names and languages, in the aliases' order)."""
    q = clean_query(q)
    terms = _terms(q)
    prefix = _prefix_tsquery(terms)
    if not prefix:
        return None, []
    words = " ".join(_query_words(terms))
    negated = [" ".join(term.words) for term in terms[1]]
    exact = any(term.quoted for group in terms[0] for term in group)
    # A quoted phrase (two words or parts or more): PostgreSQL cannot estimate it, see
    # _phrase_candidates. A hyphenated word unquoted keeps the estimate: its parts nearly
    # always come together, so it is about as common as they are.
    phrase = any(
        term.quoted and len([p for word in term.words for p in _parts(word)]) > 1
        for group in terms[0]
        for term in group
    )
    named = _named_entities(words, entities)
    for entity in named:
        languages = entity.alias_languages  # type: ignore[attr-defined]
        entity.alias_list = [  # type: ignore[attr-defined]
            {"name": name, "language": lang}
            for name, lang in zip(entity.alias_names, languages, strict=True)  # type: ignore[attr-defined]
            if name is not None
        ]
    top = named[:MAX_NAMED_ENTITIES]
    named.sort(key=lambda entity: (-entity.rank, entity.name))  # type: ignore[attr-defined]
    named = named[:entities]
    names = [
        name
        for entity in top
        for name in (entity.name, *(a["name"] for a in entity.alias_list))  # type: ignore[attr-defined]
        if name
    ]
    query = _exclude(_branches(q, prefix, language, names), negated, language)
    relaxed = _CompiledQuery.of(_relaxed(terms[0], language, names)) if phrase else None
    parsed = ParsedQuery(
        q=q,
        tsquery=_CompiledQuery.of(query),
        entity_ids=tuple(entity.pk for entity in top),
        fuzzy="" if negated or exact else words,
        relaxed=relaxed,
    )
    return parsed, named


def _relaxed(groups: list[list[_Term]], language: str, names: Sequence[str]) -> SearchQuery:
    """What :func:`_branches` matches and more, with no phrase in it (GIN then needs no
    row to answer): each group's words AND-ed in every configuration (plainto_tsquery has
    the same lexemes as websearch_to_tsquery, a hyphenated word's included), the groups
    OR-ed, the names' parts AND-ed; nothing excluded."""
    branches = []
    for group in groups:
        words = [word for term in group for word in term.words]
        prefixes = " & ".join(_prefixes(words))
        branches.append(SearchQuery(prefixes, config="simple", search_type="raw"))
        branches += [
            SearchQuery(" ".join(words), config=c, search_type="plain") for c in _configs(language)
        ]
    if names:
        names_query = _names_tsquery(names, joined=" & ")
        branches.append(SearchQuery(names_query, config="simple", search_type="raw"))
    query, *others = branches
    for branch in others:
        query = query | branch
    return query


def _branches(q: str, prefix: str, language: str, names: Sequence[str]) -> SearchQuery:
    """``q`` in every configuration it is searched in, OR-ed: the 'simple' ``prefix``
    branch, websearch in 'simple', English, Russian (and ``language``'s), and ``names``."""
    websearch = _LOOSE_HYPHEN.sub(" ", q.translate(_TYPOGRAPHIC_QUOTES))
    query = SearchQuery(prefix, config="simple", search_type="raw")
    for config in _configs(language):
        query = query | SearchQuery(websearch, config=config, search_type="websearch")
    if names:
        query = query | SearchQuery(_names_tsquery(names), config="simple", search_type="raw")
    return query


def _named_entities(words: str, entities: int) -> list[Entity]:
    """The entities ``words`` names (:func:`search_entities`: the same condition and rank)
    that widen the query (the best :data:`MAX_NAMED_ENTITIES` by rank, ties by id) or are
    listed (the best ``entities`` by rank, ties by name), best rank first, ties by id; with
    their aliases' names and languages in ``alias_names`` and ``alias_languages``. One
    statement, written out: built through the ORM (windows over an annotated, aggregated
    queryset) it cost ~4 ms of Python per search, more than running it."""
    if not _WORD.search(words):
        return []
    # As Django's icontains writes it (see _names_q).
    like = f"%{connection.ops.prep_for_like_query(words)}%"
    pattern = like if len(words) >= NAME_SUBSTRING else None
    params = {
        "q": words,
        "pattern": pattern,
        "similarity": NAME_SIMILARITY,
        "widen": MAX_NAMED_ENTITIES,
        "listed": entities,
    }
    return list(Entity.objects.raw(_NAMED_ENTITIES_SQL, params))


_NAMED_ENTITIES_SQL = """
WITH named AS (
    SELECT id FROM events_entity
    WHERE word_similarity(%(q)s, name) > %(similarity)s
        OR upper(name::text) LIKE upper(%(pattern)s)
    UNION
    SELECT entity_id FROM events_entityalias
    WHERE word_similarity(%(q)s, name) > %(similarity)s
        OR upper(name::text) LIKE upper(%(pattern)s)
), ranked AS (
    SELECT entity.id, entity.name, entity.slug, entity.kind,
        greatest(
            word_similarity(%(q)s, entity.name),
            coalesce(
                (SELECT max(word_similarity(%(q)s, best.name)) FROM events_entityalias best
                 WHERE best.entity_id = entity.id),
                0.0
            )
        ) AS rank,
        array_agg(alias.name ORDER BY alias.language, alias.name) AS alias_names,
        array_agg(alias.language ORDER BY alias.language, alias.name) AS alias_languages
    FROM events_entity entity
    LEFT JOIN events_entityalias alias ON alias.entity_id = entity.id
    WHERE entity.id IN (SELECT id FROM named)
    GROUP BY entity.id
), placed AS (
    SELECT ranked.*,
        row_number() OVER (ORDER BY rank DESC, id) AS by_id,
        row_number() OVER (ORDER BY rank DESC, name) AS by_name
    FROM ranked
)
SELECT id, name, slug, kind, rank, alias_names, alias_languages FROM placed
WHERE by_id <= %(widen)s OR by_name <= %(listed)s
ORDER BY rank DESC, id
"""


class _CompiledQuery(SearchQuery):
    """A search query compiled to SQL once. A page's statements use the query a dozen times
    (filters, ranks, headlines), and each use resolved and compiled again the whole tree of
    OR-ed configurations and names: ~4 ms of a search page's CPU."""

    def __init__(self, sql: str, params: Sequence[Any]) -> None:
        Expression.__init__(self, output_field=SearchQueryField())
        self.sql, self.params = sql, tuple(params)
        self.source_expressions: list[Any] = []
        self.extra: dict[str, Any] = {}
        self.config = None
        self.invert = False

    @classmethod
    def of(cls, query: SearchQuery) -> "_CompiledQuery":
        compiler = DjangoQuery(Article).get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.compile(query.resolve_expression(compiler.query))
        return cls(f"({sql})", params)

    def resolve_expression(self, *args: Any, **kwargs: Any) -> "_CompiledQuery":
        return self

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **kwargs: Any) -> Any:
        sql = f"!!{self.sql}" if self.invert else self.sql
        return sql, list(self.params)


def _near(parsed: ParsedQuery, field_name: str) -> Q:
    """Rows whose ``field_name`` is a near miss of the query (trigram word similarity above
    pg_trgm's threshold, through the trigram index); none when the query excludes words."""
    if not parsed.fuzzy:
        return Q(pk__in=[])
    return Q(**{f"{field_name}__trigram_word_similar": parsed.fuzzy})


def _similarity(parsed: ParsedQuery, field_name: str) -> Any:
    if not parsed.fuzzy:
        return Value(0.0)
    return TRIGRAM_WEIGHT * TrigramWordSimilarity(parsed.fuzzy, field_name)


def _rank(query: SearchQuery, vector: str = "search") -> SearchRank:
    return SearchRank(F(vector), query, cover_density=True, normalization=Value(RANK_NORMALISATION))


# Events ------------------------------------------------------------------------------------


def matching_event_ids(parsed: ParsedQuery) -> QuerySet[Event, Any]:
    """Ids of the events whose English title or summary, a translation, or a participant
    matches: one subquery per index (the event's vector, its title's trigrams, the
    translations' vectors, participants by entity), UNION-ed. An OR of them in one WHERE
    is answered by no index, so it tested every event row. (Translation titles have no
    trigram index yet: that branch is scanned.)"""
    query = parsed.tsquery
    ids: list[QuerySet[Any, Any]] = [
        EventTranslation.objects.filter(search=query).order_by().values("event_id")
    ]
    if parsed.fuzzy:
        ids.append(Event.objects.filter(_near(parsed, "title")).order_by().values("pk"))
        ids.append(
            EventTranslation.objects.filter(_near(parsed, "title")).order_by().values("event_id")
        )
    if parsed.entity_ids:
        ids.append(
            Participant.objects.filter(entity_id__in=parsed.entity_ids)
            .order_by()
            .values("event_id")
        )
    return Event.objects.filter(search=query).order_by().values("pk").union(*ids)


def search_events(parsed: ParsedQuery, *, filters: SearchFilters = NO_FILTERS) -> QuerySet[Event]:
    """Events (not merged away) whose English title or summary, a translation, or a
    participant matches, annotated with ``rank``; not ordered (the API list keeps its
    cursor order, the page and /search/ sort by rank). The matching ids are collected first
    (:func:`matching_event_ids`, an init plan run once); only those rows are ranked."""
    query = parsed.tsquery
    events = Event.objects.filter(
        _EqualsAny(F("pk"), ArraySubquery(matching_event_ids(parsed))),
        merged_into__isnull=True,
    ).defer("search")
    events = events.filter(_date_q("start", filters))
    if filters.entity:
        participants = Participant.objects.filter(id_or_slug(filters.entity, "entity__"))
        events = events.filter(Exists(participants.filter(event=OuterRef("pk"))))
    if filters.event:
        events = events.filter(slug=filters.event)
    translation_rank = (
        EventTranslation.objects.filter(event=OuterRef("pk"))
        .annotate(r=_rank(query, "search"))
        .values("event")
        .annotate(best=Max("r"))
        .values("best")
    )
    return events.annotate(
        rank=Greatest(_rank(query), Coalesce(Subquery(translation_rank), Value(0.0)))
        + _similarity(parsed, "title")
    )


# Timeline lines ----------------------------------------------------------------------------


def search_updates(
    parsed: ParsedQuery, *, editor: bool, filters: SearchFilters = NO_FILTERS
) -> QuerySet[Update]:
    """Timeline lines matching in their own language, annotated with ``rank``; the newest
    :data:`RANK_CANDIDATES` matches only, as for articles (ranking reads each match's
    vector, and a common word would match a large share of a newsroom's lines). The matches'
    ids come from the GIN and trigram indexes first (an init plan), so a word found nowhere
    reads no line. Only editors get drafts and lines in review."""
    query = parsed.tsquery
    matching = Update.objects.filter(Q(search=query) | _near(parsed, "headline")).order_by()
    updates = Update.objects.filter(_EqualsAny(F("pk"), ArraySubquery(matching.values("pk"))))
    if not editor:
        updates = updates.filter(status__in=PUBLIC_STATUSES)
    updates = updates.filter(_date_q("occurred_at", filters))
    if filters.language:
        updates = updates.filter(language=filters.language)
    if filters.event:
        updates = updates.filter(event__slug=filters.event)
    if filters.entity:
        spoken = Citation.objects.filter(id_or_slug(filters.entity, "speaker__"))
        updates = updates.filter(Exists(spoken.filter(update=OuterRef("pk"))))
    if filters.outlet:
        cited = Citation.objects.filter(
            id_or_slug(filters.outlet, "outlet__") | id_or_slug(filters.outlet, "article__outlet__")
        )
        updates = updates.filter(Exists(cited.filter(update=OuterRef("pk"))))
    newest = updates.order_by("-id").values("pk")[:RANK_CANDIDATES]
    return (
        Update.objects.filter(pk__in=newest)
        .defer("search")
        .annotate(rank=_rank(query) + _similarity(parsed, "headline"))
    )


# Articles ----------------------------------------------------------------------------------


def article_matches(parsed: ParsedQuery) -> Q:
    """Articles whose title or text matches (names of the entities the query names
    included), or whose title is a near miss of the query. Both sides are indexed (GIN on the
    vector, trigram GIN on the title)."""
    return Q(search=parsed.tsquery) | _near(parsed, "title")


def article_list_matches(parsed: ParsedQuery) -> Q:
    """:func:`article_matches` in the form that keeps a list in its own order fast, chosen by
    PostgreSQL's estimate of the matches (one EXPLAIN, no execution).

    Testing a row reads its vector (about 10 µs: it is TOASTed), which the planner does not
    price, and the GIN index answers without reading any. So a common word (many estimated
    matches) walks the list's order and stops at the page's end, while a rare word first
    collects its few ids from the indexes: walking the list for a word that is not there
    would read every vector in the table."""
    condition = article_matches(parsed)
    if parsed.relaxed is not None:
        return _phrase_candidates(parsed) & condition
    matches = Article.objects.filter(condition).values("pk")
    if _estimated_rows(matches) >= COMMON_MATCHES:
        return condition
    # id = ANY(ARRAY(...)): an init plan run once from the indexes. An IN (subquery) would be
    # turned into a join and walked in the list's order again.
    return Q(_EqualsAny(F("pk"), ArraySubquery(matches)))


class _EqualsAny(Lookup):
    """``lhs = ANY(array)``."""

    lookup_name = "equals_any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _estimated_rows(queryset: QuerySet[Any, Any]) -> float:
    plan = json.loads(queryset.explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


def search_articles(
    parsed: ParsedQuery,
    *,
    filters: SearchFilters = NO_FILTERS,
    editor: bool = False,
    include_duplicates: bool = False,
) -> QuerySet[Article]:
    """Listed (ready) articles matching ``parsed``, not ordered, without rank (ranking reads
    every match's vector: see :func:`ranked_articles`). Matching the text is fine for anyone;
    showing it is not (see :func:`search_all`)."""
    return _listed_articles(
        article_matches(parsed),
        filters=filters,
        editor=editor,
        include_duplicates=include_duplicates,
    )


def _listed_articles(
    condition: Q, *, filters: SearchFilters, editor: bool, include_duplicates: bool = False
) -> QuerySet[Article]:
    # The match is the last condition written: PostgreSQL tests equally priced conditions
    # in the order written, and the match reads the row's TOASTed vector (~5-10 µs). A walk
    # of the id index (or of an event's links) then skips the rows outside the dates
    # without reading their vectors (a month of a common name: 119 -> 61 ms at 100k
    # articles). It still tests the match before text equalities (state, language), which
    # it prices higher.
    articles = Article.objects.filter(state=ArticleState.READY)
    if not include_duplicates:
        articles = articles.filter(duplicate_of__isnull=True)
    articles = articles.filter(_date_q("published_at", filters))
    if filters.language:
        articles = articles.filter(language=filters.language)
    if filters.outlet:
        articles = articles.filter(id_or_slug(filters.outlet, "outlet__"))
    if filters.entity:
        mentions = Mention.objects.filter(id_or_slug(filters.entity, "entity__"))
        articles = articles.filter(Exists(mentions.filter(article=OuterRef("pk"))))
    if filters.event:
        states = (LinkState.CONFIRMED, LinkState.SUGGESTED) if editor else (LinkState.CONFIRMED,)
        links = ArticleEvent.objects.filter(event__slug=filters.event, state__in=states)
        articles = articles.filter(Exists(links.filter(article=OuterRef("pk"))))
    return articles.filter(condition)


def candidate_article_ids(
    parsed: ParsedQuery, *, filters: SearchFilters = NO_FILTERS, editor: bool = False
) -> list[int]:
    """The ids of :func:`candidate_articles`, newest first. Two queries."""
    return list(candidate_articles(parsed, filters=filters, editor=editor))


def candidate_articles(
    parsed: ParsedQuery, *, filters: SearchFilters = NO_FILTERS, editor: bool = False
) -> QuerySet[Article, int]:
    """The newest :data:`RANK_CANDIDATES` matches' ids, newest first, as a query to run or
    embed. Choosing it runs one: an EXPLAIN (PostgreSQL's estimate of the full-text matches).

    The newest-first id index gives the newest matches by walking it and testing each row,
    which reads the row's vector (~7-15 µs: it is TOASTed, and the planner does not price
    that) or splits its title into trigrams (~8 µs). Cheap for a common word (500 matches
    within the first thousand rows); for a word found nowhere it read the whole table (1.5 s
    at 100k articles), and the planner chose the walk whenever it estimated ~1% matches,
    its estimate for any word it has no statistics for. So:

    - at :data:`WALK_MATCHES` estimated full-text matches or more, the id index is walked
      for them and stops at the 500th (a few ms). Near misses of titles are not looked for
      then: the titles containing the word are among the full-text matches, and its near
      misses, thousands of titles for a common name, cost ~8 µs each to confirm;
    - below, the full-text matches' ids come from the GIN index first and the near misses'
      from the trigram index (each an init plan, UNION-ed): only those rows are sorted. A
      word found nowhere costs two index probes. The GIN index is read by a function
      (migration 0015) that does not let the planner test every row instead, which it
      preferred for a query widened by entity names (0.9 s instead of 10 ms)."""
    full_text = Article.objects.filter(search=parsed.tsquery).order_by()
    if parsed.relaxed is not None:
        conditions = [_phrase_candidates(parsed) & Q(search=parsed.tsquery)]
    elif _estimated_rows(full_text.values("pk")) >= WALK_MATCHES:
        conditions = [Q(search=parsed.tsquery)]
    else:
        conditions = [Q(_EqualsAny(F("pk"), _ArticleIdsMatching(parsed.tsquery)))]
        if parsed.fuzzy:
            conditions.append(_from_index(Article.objects.filter(_near(parsed, "title"))))
    parts = [
        _listed_articles(condition, filters=filters, editor=editor)
        .order_by("-id")
        .values_list("pk", flat=True)[:RANK_CANDIDATES]
        for condition in conditions
    ]
    if len(parts) == 1:
        return parts[0]
    return parts[0].union(*parts[1:]).order_by("-pk")[:RANK_CANDIDATES]


def _phrase_candidates(parsed: ParsedQuery) -> Q:
    """For a query with a quoted phrase: the ids of its relaxed form's matches, from the GIN
    index, as an init plan; each is then tested for the phrase itself. PostgreSQL estimates
    a phrase as if its words were AND-ed: "мирни протести" as 7,000 matches of 100k, where
    315 have the words together, so the walk of the id index read every row (0.6 s)."""
    return Q(_EqualsAny(F("pk"), _ArticleIdsMatching(parsed.relaxed)))


def _from_index(matching: QuerySet[Article]) -> Q:
    """``id = ANY(ARRAY(<matching ids>))``: an init plan run once (from the index its
    condition has); an IN (subquery) would be turned into a join and walked in id order."""
    return Q(_EqualsAny(F("pk"), ArraySubquery(matching.order_by().values("pk"))))


class _ArticleIdsMatching(Func):
    """``ARRAY(SELECT tracker_article_ids_matching(query))``: the ids of the articles whose
    vector matches, from the GIN index, as an init plan run once."""

    function = "tracker_article_ids_matching"
    template = "ARRAY(SELECT %(function)s(%(expressions)s))"
    output_field = ArrayField(BigIntegerField())


def ranked_articles(
    parsed: ParsedQuery, *, filters: SearchFilters = NO_FILTERS, editor: bool = False
) -> QuerySet[Article]:
    """:func:`search_articles` annotated with ``rank``, best first. Only the newest
    :data:`RANK_CANDIDATES` matches are ranked: ranking reads each match's vector (tens of
    microseconds each), and a common word matches half the corpus. The candidates' ids
    (:func:`candidate_articles`) are an init plan of the ranking statement, run once, whose
    rows are then looked up by primary key: one statement (and the EXPLAIN that chooses the
    candidates' path), not a second one sending the 500 ids back."""
    candidates = candidate_articles(parsed, filters=filters, editor=editor)
    return (
        Article.objects.filter(_EqualsAny(F("pk"), ArraySubquery(candidates)))
        .annotate(rank=_rank(parsed.tsquery) + _similarity(parsed, "title"))
        .order_by("-rank", F("published_at").desc(nulls_last=True), "-id")
    )


# The search page ---------------------------------------------------------------------------


def highlight(marked: str | None) -> SafeString:
    """ts_headline output as safe HTML: everything escaped, markers turned into balanced
    <mark> elements. ts_headline marks a hyphenated word's parts one by one: they are one
    mark (<mark>Kassym-Jomart</mark>)."""
    parts: list[str] = []
    open_ = False
    joined = (marked or "").replace(f"{_STOP}-{_START}", "-")
    for piece in re.split(f"([{_START}{_STOP}])", joined):
        if piece == _START:
            if not open_:
                parts.append("<mark>")
                open_ = True
        elif piece == _STOP:
            if open_:
                parts.append("</mark>")
                open_ = False
        else:
            parts.append(escape(piece))
    if open_:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def _headline(text: Any, language: Any, query: SearchQuery, options: str) -> Func:
    return Func(
        Func(language, function="tracker_search_config"),
        text,
        query,
        Value(options),
        function="ts_headline",
        output_field=TextField(),
    )


@dataclass
class SearchResults:
    q: str
    events: list[Event] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.events or self.updates or self.articles or self.entities)


def search_all(
    q: str | None,
    *,
    editor: bool,
    show_text: bool,
    filters: SearchFilters = NO_FILTERS,
    language: str = "en",
    limit: int = 20,
) -> SearchResults:
    """The search page's results: each kind best first, at most ``limit`` rows, in a fixed
    number of queries (five: entities, events, lines, the EXPLAIN choosing the article
    candidates' path, articles). Rows carry ``title_html`` and ``snippet_html``, safe HTML
    highlighted by ts_headline, which runs for the shown rows only (PostgreSQL evaluates it
    after the sort and limit). Event titles are in ``language`` when curated. Article text
    snippets only when ``show_text`` (signed-in readers and editors); otherwise empty."""
    # The entities listed come from the statement that widens the query with their names.
    parsed, entities = _parse(q, language=filters.language, entities=limit)
    if parsed is None:
        return SearchResults(q=clean_query(q))
    results = SearchResults(q=parsed.q)
    results.events = _top_events(parsed, filters, language, limit)
    results.updates = _top_updates(parsed, filters, editor, language, limit)
    results.articles = _top_articles(parsed, filters, editor, show_text, limit)
    if not (filters.event or filters.outlet or filters.entity):
        results.entities = entities
    return results


def _label(language: str, column: str, event: str = "pk") -> Coalesce:
    """An event's title (or its language) in ``language`` when curated, else English;
    ``event`` names the outer query's event id."""
    curated = EventTranslation.objects.filter(event=OuterRef(event), language=language)
    if event == "pk":
        fallback: Any = F("title") if column == "title" else Value("en")
    else:
        fallback = Subquery(Event.objects.filter(pk=OuterRef(event)).order_by().values("title"))
    return Coalesce(Subquery(curated.exclude(title="").values(column)[:1]), fallback)


def _top_events(
    parsed: ParsedQuery, filters: SearchFilters, language: str, limit: int
) -> list[Event]:
    query = parsed.tsquery
    rows = (
        search_events(parsed, filters=filters)
        .annotate(
            label_marked=_headline(
                _label(language, "title"), _label(language, "language"), query, _TITLE_OPTIONS
            ),
            summary_marked=_headline(F("summary"), Value("en"), query, _HEADLINE_OPTIONS),
        )
        .order_by("-rank", F("start").desc(nulls_last=True), "-id")[:limit]
    )
    events: list[Event] = list(rows)
    for event in events:
        event.title_html = highlight(event.label_marked)  # type: ignore[attr-defined]
        event.snippet_html = _snippet(event.summary_marked)  # type: ignore[attr-defined]
    return events


def _top_updates(
    parsed: ParsedQuery, filters: SearchFilters, editor: bool, language: str, limit: int
) -> list[Update]:
    query = parsed.tsquery
    # The event's slug and label as subqueries, which PostgreSQL runs for the shown rows
    # only (after the sort and limit): a join ran for every candidate (~350 for a common
    # name), and prefetching the events' translations took a query of its own.
    event = Event.objects.filter(pk=OuterRef("event_id")).order_by()  # one row: no sort
    rows = (
        search_updates(parsed, editor=editor, filters=filters)
        .annotate(
            event_slug=Subquery(event.values("slug")),
            event_label=_label(language, "title", event="event_id"),
            title_marked=_headline(F("headline"), F("language"), query, _TITLE_OPTIONS),
            body_marked=_headline(F("body"), F("language"), query, _HEADLINE_OPTIONS),
        )
        .order_by("-rank", "-occurred_at", "-id")[:limit]
    )
    updates: list[Update] = list(rows)
    for update in updates:
        update.title_html = highlight(update.title_marked)  # type: ignore[attr-defined]
        update.snippet_html = _snippet(update.body_marked)  # type: ignore[attr-defined]
    return updates


def _top_articles(
    parsed: ParsedQuery, filters: SearchFilters, editor: bool, show_text: bool, limit: int
) -> list[Article]:
    query = parsed.tsquery
    rows = (
        ranked_articles(parsed, filters=filters, editor=editor)
        .select_related("outlet")
        .defer(*ARTICLE_LIST_DEFER)
        .annotate(title_marked=_headline(F("title"), F("language"), query, _TITLE_OPTIONS))
    )
    if show_text:
        rows = rows.annotate(
            text_marked=_headline(F("text"), F("language"), query, _HEADLINE_OPTIONS)
        )
    articles: list[Article] = list(rows[:limit])
    for article in articles:
        article.title_html = highlight(article.title_marked)  # type: ignore[attr-defined]
        article.snippet_html = _snippet(getattr(article, "text_marked", ""))  # type: ignore[attr-defined]
    return articles


def _snippet(marked: str | None) -> SafeString:
    """A highlighted excerpt, or nothing when the text has no match to show."""
    if not marked or _START not in marked:
        return mark_safe("")  # noqa: S308 - empty
    return highlight(marked)
