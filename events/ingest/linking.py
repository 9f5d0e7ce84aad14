"""Which tracked events an article belongs to: a score from the entities they share, the words
they share and how close the article's date is to the event's.

An article is about an event when it is about the same *who* and the same *what*: a football
match between Russia and Kazakhstan shares the entities of the CSTO deployment but not its
words, and an article on fuel prices in another country shares words but not entities. So the
score is the geometric mean of the two agreements, neither is enough alone, and time only
discounts.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Terms: letters only, casefolded, stop words dropped, long words cut to a prefix so that
# inflections meet (Казахстан, Казахстане, казахстанските → казахс).
STEM_CHARS = 6
MIN_TERM_CHARS = 3
# Cosine similarity of two news texts on the same story rarely exceeds this much; it counts as
# full lexical agreement. Fewer shared terms than MIN_SHARED_TERMS scale it down: a name or two
# in common (Russia, Kazakhstan) is not a shared subject.
FULL_COSINE = 0.35
MIN_SHARED_TERMS = 5
# Share of an event's entity weight an article must mention to count as full entity agreement;
# an event without entities counts as half agreement.
FULL_COVERAGE = 0.8
NO_ENTITIES = 0.5
# An event without an end is taken to last this long; outside its window the score halves
# every HALF_LIFE, down to TIME_FLOOR.
OPEN_END = timedelta(days=7)
HALF_LIFE = timedelta(days=10)
TIME_FLOOR = 0.2
SUGGESTION_THRESHOLD = 0.4

_WORD = re.compile(r"[^\W\d_]+")

# Function words, and the reporting verbs and calendar words every news story has.
_STOP_WORDS = {
    "en": """a about according added after again against all also an and another any are as at be
    because been before being between both but by can could did do does during each even few for
    from further had has have having he her here hers him his how however i if in into is it its
    itself just last may me more most much must my new news next no nor not now of off on once
    one only or other our out over own per reported said same says she should since so some
    still such than that the their them then there these they this those through to told too
    two under until up upon us very was we week were what when where which while who whom why
    will with within without would year years you your monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october november
    december""",
    "bg": """аз ако ала без беше бил била били било близо бъдат бъде вас ваш ваша вече вие все
    всеки всички всичко всяка във въпреки върху година години дали два две днес докато дори
    досега едва един една едно ето заради зад заяви заявиха или има имат иска каза казва как
    каква какво както какъв като кога когато което които кой който колко която къде където
    към между мен мнозина мога могат може мой над назад най накрая нас него нещо нея ние
    никой нито някои някой няколко няма обаче около освен особено отгоре отново още пак повече
    повечето под поне поради после почти преди пред през пък първата първи първо само сега
    след сме според срещу сте съм със също така такива такъв там тези този той точно три
    трябва тук тъй тях утре хиляди часа често чрез щом януари февруари съобщи съобщиха цитиран
    цитирана цитирани""",
    "ru": """без более больше будет будто был была были было быть вам вас весь вот все всего
    всех где даже два для друг другой его если есть еще зачем здесь или иногда как какая
    какой когда конечно которая которого которой которые который которых кто куда лучше между
    меня мне много может можно мой моя над надо наконец нас него нее ней нельзя нет нибудь
    никогда ним них ничего опять перед под после потом потому почти при про раз разве сам
    свою себе себя сегодня сейчас сказал сказала сказать совсем так такой там тебя тем теперь
    тогда того тоже только том тот три тут уже хорошо хоть чего чем через что чтобы чуть эти
    этого этой этом этот эту года году также заявил заявила заявили сообщил сообщила сообщили
    сообщает словам января февраля""",
}
STOP_WORDS = frozenset(" ".join(_STOP_WORDS.values()).split())


@dataclass(frozen=True)
class ArticleProfile:
    entity_ids: frozenset[int]
    terms: Mapping[str, float]  # from terms_of: L2-normalised
    published_at: datetime | None


@dataclass(frozen=True)
class EventProfile:
    event_id: int
    entity_weights: Mapping[int, float]  # how central each entity is to the event
    terms: Mapping[str, float]  # from terms_of over the event's labels, updates and articles
    start: datetime | None
    end: datetime | None


def terms_of(text: str) -> dict[str, float]:
    """Term weights of ``text``: 1 + log(count) per term, L2-normalised (empty for no terms)."""
    counts = Counter(
        word[:STEM_CHARS]
        for word in _WORD.findall(text.casefold().replace("ё", "е"))
        if len(word) >= MIN_TERM_CHARS and word not in STOP_WORDS
    )
    weights = {term: 1 + math.log(count) for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {term: w / norm for term, w in weights.items()} if norm else {}


def score(article: ArticleProfile, event: EventProfile) -> float:
    """How well ``article`` fits ``event``, in [0, 1]: the geometric mean of entity and lexical
    agreement (both are needed), discounted by distance in time."""
    entities = _entity_agreement(article.entity_ids, event.entity_weights)
    if not entities:
        return 0.0  # no shared entity: nothing else can lift the product (most events)
    words = _lexical_agreement(article.terms, event.terms)
    return math.sqrt(entities * words) * time_factor(article.published_at, event.start, event.end)


def suggest(
    article: ArticleProfile, events: Iterable[EventProfile], limit: int = 3
) -> list[tuple[int, float]]:
    """The best-fitting events at or above :data:`SUGGESTION_THRESHOLD`, best first, as
    (event_id, score); an article that fits none gets an empty list."""
    scored = [(event.event_id, score(article, event)) for event in events]
    fitting = [(event_id, s) for event_id, s in scored if s >= SUGGESTION_THRESHOLD]
    return sorted(fitting, key=lambda pair: (-pair[1], pair[0]))[:limit]


def time_factor(published: datetime | None, start: datetime | None, end: datetime | None) -> float:
    """1 inside the event's window (or when either date is unknown), halving every HALF_LIFE
    away from it, never below TIME_FLOOR."""
    if published is None or start is None:
        return 1.0
    published, start = _aware(published), _aware(start)
    until = _aware(end) if end is not None else start + OPEN_END
    if published < start:
        distance = start - published
    elif published > until:
        distance = published - until
    else:
        return 1.0
    return max(TIME_FLOOR, 0.5 ** (distance / HALF_LIFE))


def _entity_agreement(entity_ids: frozenset[int], weights: Mapping[int, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return NO_ENTITIES
    covered = sum(weights.get(entity_id, 0.0) for entity_id in entity_ids) / total
    return min(1.0, covered / FULL_COVERAGE)


def _lexical_agreement(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    shared = [weight * b[term] for term, weight in a.items() if term in b]
    cosine = sum(shared)
    return min(1.0, cosine / FULL_COSINE) * min(1.0, len(shared) / MIN_SHARED_TERMS)


def _aware(moment: datetime) -> datetime:
    # Django stores aware datetimes; a naive one from a feed is taken as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
