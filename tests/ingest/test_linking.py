"""Event suggestions: the event an article is about scores highest, an unrelated article gets
no suggestion, and distance in time discounts."""

from datetime import UTC, datetime, timedelta

import pytest

from events.ingest import linking
from events.ingest.linking import (
    SUGGESTION_THRESHOLD,
    TIME_FLOOR,
    ArticleProfile,
    EventProfile,
    score,
    suggest,
    terms_of,
    time_factor,
)

KAZAKHSTAN, TOKAYEV, CSTO, NATO, RUSSIA, BELARUS, US, UKRAINE, BRUSSELS = range(1, 10)
GOVERNMENT, NAZARBAYEV, SMAILOV, PRICE, BULGARIA, SOFIA = range(10, 16)
CSTO_DEPLOYMENT, NATO_RUSSIA_COUNCIL, PROTESTS, SOFIA_BUDGET = 101, 102, 103, 104


def _day(day: int, month: int = 1) -> datetime:
    return datetime(2022, month, day, 12, tzinfo=UTC)


def _event(event_id, participants, place, start, end, *texts) -> EventProfile:
    # As the enrichment service builds it: participants weigh 3, the place 2; terms from the
    # labels in each language and the published timeline.
    weights = dict.fromkeys(participants, 3.0)
    weights[place] = weights.get(place, 0.0) + 2.0
    return EventProfile(
        event_id=event_id,
        entity_weights=weights,
        terms=terms_of(" ".join(texts)),
        start=start,
        end=end,
    )


EVENTS = (
    _event(
        CSTO_DEPLOYMENT,
        [CSTO, RUSSIA, BELARUS, TOKAYEV],
        KAZAKHSTAN,
        _day(6),
        _day(19),
        "CSTO peacekeeping troops deployed to Kazakhstan",
        "At President Tokayev's request the Russian-led Collective Security Treaty Organization "
        "sent about 2,500 troops, most of them Russian paratroopers, to guard strategic "
        "facilities during the unrest. The contingent withdrew by 19 January.",
        "ОДКС изпраща мироопазващи сили в Казахстан",
        "По искане на президента Токаев Организацията на Договора за колективна сигурност "
        "изпрати около 2500 военни, предимно руски десантници, за охрана на стратегически обекти.",
        "Миротворцы ОДКБ в Казахстане",
        "По просьбе президента Токаева Организация Договора о коллективной безопасности "
        "направила в Казахстан около 2500 военнослужащих, в основном российских десантников.",
        "Tokayev asks the CSTO for help against 'terrorist bands'",
        "First Russian paratroopers land near Almaty; Belarusian and Armenian units follow.",
        "Tokayev announces that the CSTO mission is complete and troops will withdraw.",
    ),
    _event(
        NATO_RUSSIA_COUNCIL,
        [NATO, RUSSIA, US, UKRAINE],
        BRUSSELS,
        _day(12),
        _day(12),
        "NATO-Russia Council meets in Brussels",
        "The first session of the NATO-Russia Council in two years discussed Russia's demands "
        "for security guarantees and the build-up of Russian troops near Ukraine.",
        "Среща на Съвета НАТО-Русия в Брюксел",
        "Първото заседание на Съвета НАТО-Русия от две години обсъди руските искания за "
        "гаранции за сигурност и струпването на руски войски край Украйна.",
        "Совет Россия-НАТО в Брюсселе",
        "Заседание Совета Россия-НАТО обсудило гарантии безопасности и ситуацию вокруг Украины.",
        "Stoltenberg: allies ready to discuss arms control, not enlargement",
        "Grushko says Russia expects a written answer to its security proposals.",
    ),
    _event(
        PROTESTS,
        [TOKAYEV, GOVERNMENT, NAZARBAYEV],
        KAZAKHSTAN,
        _day(2),
        _day(11),
        "Protests in Kazakhstan over fuel prices",
        "Protests over a sharp rise in liquefied gas prices began in Zhanaozen on 2 January and "
        "spread across the country; the government resigned and a state of emergency was "
        "declared.",
        "Протести в Казахстан заради цените на горивата",
        "Протестите срещу поскъпването на втечнения газ започнаха в Жанаозен и обхванаха "
        "страната; правителството подаде оставка, въведено беше извънредно положение.",
        "Протесты в Казахстане из-за цен на газ",
        "Протесты против подорожания сжиженного газа начались в Жанаозене; правительство ушло "
        "в отставку, введено чрезвычайное положение.",
        "Government resigns; Tokayev takes over the Security Council from Nazarbayev",
        "Smailov named acting prime minister",
    ),
    _event(
        SOFIA_BUDGET,
        [BULGARIA],
        SOFIA,
        _day(10),
        None,
        "Bulgarian parliament debates the 2022 budget",
        "Парламентът обсъжда бюджета за 2022 година: пенсии, заплати и данъци.",
    ),
)


def _article(text: str, entities: set[int], published: datetime | None) -> ArticleProfile:
    return ArticleProfile(
        entity_ids=frozenset(entities), terms=terms_of(text), published_at=published
    )


CSTO_ARTICLE_RU = _article(
    "Коллективные миротворческие силы ОДКБ направлены в Казахстан для стабилизации обстановки. "
    "Решение было принято после обращения президента Казахстана Касым-Жомарта Токаева, который "
    "заявил, что страна подверглась угрозе со стороны террористических банд. В состав "
    "контингента вошли подразделения ВДВ России; свои подразделения также направила Белоруссия. "
    "Миротворцы будут охранять важные государственные и военные объекты.",
    {CSTO, KAZAKHSTAN, TOKAYEV, RUSSIA, BELARUS},
    _day(7),
)
CSTO_ARTICLE_BG = _article(
    "Американският Държавен департамент се надява да получи от властите в Казахстан отговор "
    "защо е необходимо разполагането на сили от Организацията на Договора за колективна "
    "сигурност (ОДКС), съобщи Нед Прайс. В Казахстан влязоха руски и беларуски военни, след "
    "като президентът Касим-Жомарт Токаев поиска от ОДКС съдействие. Същевременно ставащото "
    "в Казахстан няма да повлияе на преговорите между НАТО и Русия, насрочени за идната седмица.",
    {US, KAZAKHSTAN, CSTO, PRICE, RUSSIA, TOKAYEV, NATO},
    _day(7),
)
NATO_ARTICLE_EN = _article(
    "Senior officials from NATO and Russia met in Brussels on Wednesday for the first session "
    "of the NATO-Russia Council in more than two years. NATO Secretary General Jens Stoltenberg "
    "said allies were ready to discuss arms control but would not accept Moscow's demand to rule "
    "out enlargement. Russia's deputy foreign minister said Moscow expected written answers on "
    "security guarantees as its troops massed near Ukraine.",
    {NATO, RUSSIA, BRUSSELS, UKRAINE},
    _day(12),
)
FOOTBALL_ARTICLE = _article(
    "Russia beat Kazakhstan 2-0 in Moscow on Saturday to stay top of their qualifying group. "
    "A header from the captain just before half-time and a late penalty settled the match, "
    "though Kazakhstan's goalkeeper kept the score down with three fine saves. The coach said "
    "his team had dominated possession and deserved the win in front of a full stadium; "
    "Kazakhstan host Russia in the return fixture in March.",
    {RUSSIA, KAZAKHSTAN},
    _day(8),
)
WEATHER_ARTICLE = _article(
    "Обилен снеговалеж затрудни движението в София и в Западна България. Снегопочистващите "
    "машини работят денонощно, а шофьорите се призовават да тръгват на път с автомобили, "
    "подготвени за зимни условия. Синоптиците очакват температурите да паднат до минус 15 "
    "градуса през нощта.",
    {SOFIA, BULGARIA},
    _day(8),
)


def _scores(article: ArticleProfile) -> dict[int, float]:
    return {event.event_id: score(article, event) for event in EVENTS}


@pytest.mark.parametrize(
    ("article", "best"),
    [
        (CSTO_ARTICLE_RU, CSTO_DEPLOYMENT),
        (CSTO_ARTICLE_BG, CSTO_DEPLOYMENT),
        (NATO_ARTICLE_EN, NATO_RUSSIA_COUNCIL),
    ],
)
def test_article_is_suggested_first_for_its_event(article, best):
    suggestions = suggest(article, EVENTS)
    assert suggestions[0][0] == best
    assert all(s >= SUGGESTION_THRESHOLD for _, s in suggestions)


def test_csto_article_scores_csto_event_above_nato_russia_talks():
    scores = _scores(CSTO_ARTICLE_RU)
    assert scores[CSTO_DEPLOYMENT] > scores[NATO_RUSSIA_COUNCIL] + 0.2
    assert scores[NATO_RUSSIA_COUNCIL] < SUGGESTION_THRESHOLD


@pytest.mark.parametrize("article", [FOOTBALL_ARTICLE, WEATHER_ARTICLE])
def test_unrelated_article_gets_no_suggestion(article):
    assert suggest(article, EVENTS) == []


def test_suggestions_are_limited_and_ordered():
    suggestions = suggest(CSTO_ARTICLE_RU, EVENTS, limit=1)
    assert [event_id for event_id, _ in suggestions] == [CSTO_DEPLOYMENT]
    ranked = suggest(CSTO_ARTICLE_BG, EVENTS, limit=3)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (_day(6), 1.0),
        (_day(15), 1.0),
        (_day(19), 1.0),
        (_day(29), 0.5),  # ten days after the end
        (_day(27, month=12).replace(year=2021), 0.5),  # ten days before the start
        (_day(1, month=6), TIME_FLOOR),
        (None, 1.0),
    ],
)
def test_time_factor(published, expected):
    assert time_factor(published, _day(6), _day(19)) == pytest.approx(expected)


def test_event_without_end_lasts_a_week_then_decays():
    assert time_factor(_day(13), _day(6), None) == 1.0
    assert time_factor(_day(23), _day(6), None) == pytest.approx(0.5)
    assert time_factor(_day(8), None, None) == 1.0


def test_naive_datetimes_are_taken_as_utc():
    assert time_factor(datetime(2022, 1, 29, 12), _day(6), _day(19)) == pytest.approx(0.5)  # noqa: DTZ001


def test_late_article_scores_lower_and_loses_its_suggestion():
    late = ArticleProfile(
        entity_ids=CSTO_ARTICLE_RU.entity_ids,
        terms=CSTO_ARTICLE_RU.terms,
        published_at=CSTO_ARTICLE_RU.published_at + timedelta(days=120),
    )
    csto = next(e for e in EVENTS if e.event_id == CSTO_DEPLOYMENT)
    assert score(late, csto) < score(CSTO_ARTICLE_RU, csto)
    assert CSTO_DEPLOYMENT not in dict(suggest(late, EVENTS))


def test_scores_stay_in_unit_interval():
    for article in (CSTO_ARTICLE_RU, CSTO_ARTICLE_BG, NATO_ARTICLE_EN, FOOTBALL_ARTICLE):
        assert all(0.0 <= s <= 1.0 for s in _scores(article).values())
    text = "ОДКБ направила миротворцев в Казахстан по просьбе Токаева"
    same = EventProfile(1, {CSTO: 1.0}, terms_of(text), None, None)
    assert score(ArticleProfile(frozenset({CSTO}), terms_of(text), None), same) == pytest.approx(1)


def test_event_without_entities_is_scored_on_words_at_half_entity_agreement():
    event = EventProfile(1, {}, CSTO_ARTICLE_RU.terms, None, None)
    assert score(CSTO_ARTICLE_RU, event) == pytest.approx(0.5**0.5)


def test_empty_profiles_score_zero():
    assert score(CSTO_ARTICLE_RU, EventProfile(1, {}, {}, None, None)) == 0.0
    assert score(CSTO_ARTICLE_RU, EventProfile(1, {CSTO: 3.0}, {}, None, None)) == 0.0
    assert score(ArticleProfile(frozenset(), {}, None), EVENTS[0]) == 0.0
    assert suggest(CSTO_ARTICLE_RU, []) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Казахстан, Казахстане и казахстанските власти", {"казахс", "власти"}),
        ("Tokayev, Tokayev's and TOKAYEV said the CSTO", {"tokaye", "csto"}),
        ("и в на от за по с се 2022 — 12.01", set()),
        ("", set()),
    ],
)
def test_terms_are_stems_without_stop_words(text, expected):
    terms = terms_of(text)
    assert set(terms) == expected
    if terms:
        assert sum(w * w for w in terms.values()) == pytest.approx(1.0)


def _report() -> None:
    for name in ("CSTO_ARTICLE_RU", "CSTO_ARTICLE_BG", "NATO_ARTICLE_EN", "FOOTBALL_ARTICLE",
                 "WEATHER_ARTICLE"):  # fmt: skip
        print(name, {k: round(v, 3) for k, v in _scores(globals()[name]).items()})


if __name__ == "__main__":
    _report()


def test_an_event_sharing_no_entity_is_not_compared_word_by_word(monkeypatch):
    # Most tracked events share no entity with a given article: their score is 0 whatever
    # the words, so the article's terms are not compared with theirs.
    def compared(*_):
        raise AssertionError("words compared for an event sharing no entity")

    monkeypatch.setattr(linking, "_lexical_agreement", compared)
    unrelated = EventProfile(1, {SOFIA: 3.0}, CSTO_ARTICLE_RU.terms, None, None)
    assert score(CSTO_ARTICLE_RU, unrelated) == 0.0
