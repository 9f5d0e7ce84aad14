"""Alias matching: through inflection and definite articles, at word boundaries, acronyms by
case, longest alias first, counts and the first span in the original text."""

import pytest

from events.ingest.entities import AliasMatcher, AliasSpec, EntityMatch

KAZAKHSTAN, TOKAYEV, CSTO, NATO, US, STATE_DEPT, BBC, SMAILOV, PRICE = range(1, 10)
WHITE_HOUSE, GOVERNMENT, RUSSIA, PRESIDENT, CSTO_RU, UKRAINE = range(10, 16)

ALIASES = (
    AliasSpec(KAZAKHSTAN, "Kazakhstan", "en", False),
    AliasSpec(KAZAKHSTAN, "Казахстан", "bg", False),
    AliasSpec(KAZAKHSTAN, "Казахстан", "ru", False),
    AliasSpec(TOKAYEV, "Kassym-Jomart Tokayev", "en", False),
    AliasSpec(TOKAYEV, "Tokayev", "en", False),
    AliasSpec(TOKAYEV, "Касим-Жомарт Токаев", "bg", False),
    AliasSpec(TOKAYEV, "Токаев", "bg", False),
    AliasSpec(TOKAYEV, "Касым-Жомарт Токаев", "ru", False),
    AliasSpec(TOKAYEV, "Токаев", "ru", False),
    AliasSpec(CSTO, "CSTO", "en", True),
    AliasSpec(CSTO, "ОДКС", "bg", True),
    AliasSpec(CSTO, "ОДКБ", "ru", True),
    AliasSpec(CSTO, "Организация на Договора за колективна сигурност", "bg", False),
    AliasSpec(CSTO, "Организация Договора о коллективной безопасности", "ru", False),
    AliasSpec(NATO, "NATO", "en", True),
    AliasSpec(NATO, "НАТО", "bg", True),
    AliasSpec(NATO, "НАТО", "ru", True),
    AliasSpec(US, "US", "en", True),
    AliasSpec(US, "USA", "en", True),
    AliasSpec(US, "САЩ", "bg", True),
    AliasSpec(US, "Соединённые Штаты", "ru", False),
    AliasSpec(US, "Съединените щати", "bg", False),
    AliasSpec(STATE_DEPT, "Държавен департамент на САЩ", "bg", False),
    AliasSpec(STATE_DEPT, "Държавен департамент", "bg", False),
    AliasSpec(STATE_DEPT, "Госдеп", "ru", False),
    AliasSpec(STATE_DEPT, "Госдепартамент", "ru", False),
    AliasSpec(BBC, "BBC", "en", True),
    AliasSpec(BBC, "Би Би Си", "bg", False),
    AliasSpec(BBC, "Би-би-си", "ru", False),
    AliasSpec(SMAILOV, "Смаилов", "bg", False),
    AliasSpec(SMAILOV, "Смаилов", "ru", False),
    AliasSpec(SMAILOV, "Smailov", "en", False),
    AliasSpec(PRICE, "Ned Price", "en", False),
    AliasSpec(PRICE, "Price", "en", False),
    AliasSpec(PRICE, "Нед Прайс", "bg", False),
    AliasSpec(WHITE_HOUSE, "White House", "en", False),
    AliasSpec(WHITE_HOUSE, "Белия дом", "bg", False),
    AliasSpec(WHITE_HOUSE, "Белый дом", "ru", False),
    AliasSpec(GOVERNMENT, "Правителството на Казахстан", "bg", False),
    AliasSpec(GOVERNMENT, "Правительство Казахстана", "ru", False),
    AliasSpec(RUSSIA, "Русия", "bg", False),
    AliasSpec(RUSSIA, "Россия", "ru", False),
    AliasSpec(RUSSIA, "Russia", "en", False),
    AliasSpec(PRESIDENT, "президент", "bg", False),
    AliasSpec(UKRAINE, "Україна", "uk", False),
    # An entity's canonical name, added for any language.
    AliasSpec(CSTO_RU, "Collective Security Treaty Organization", "", False),
)


@pytest.fixture(scope="module")
def matcher() -> AliasMatcher:
    return AliasMatcher(ALIASES)


def _surfaces(matcher: AliasMatcher, text: str) -> dict[int, str]:
    return {m.entity_id: text[m.first_start : m.first_end] for m in matcher.match(text)}


@pytest.mark.parametrize(
    ("text", "entity", "surface"),
    [
        ("Президентът Токаев заяви", TOKAYEV, "Токаев"),
        ("Решение президента Токаева было принято", TOKAYEV, "Токаева"),
        ("Путин позвонил Токаеву вечером", TOKAYEV, "Токаеву"),
        ("назначение, одобренное Токаевым.", TOKAYEV, "Токаевым"),
        ("обращения Касым-Жомарта Токаева к ОДКБ", TOKAYEV, "Касым-Жомарта Токаева"),
        ("Tokayev's order to shoot without warning", TOKAYEV, "Tokayev's"),
        ("President Tokayev\u2019s address", TOKAYEV, "Tokayev\u2019s"),
        ("ситуация в Казахстане остается", KAZAKHSTAN, "Казахстане"),
        ("президент Казахстана", KAZAKHSTAN, "Казахстана"),
        ("граница с Казахстаном", KAZAKHSTAN, "Казахстаном"),
        ("Kazakhstan's government", KAZAKHSTAN, "Kazakhstan's"),
        ("Той беше приет от президента.", PRESIDENT, "президента"),
        ("Президентът поиска помощ.", PRESIDENT, "Президентът"),
        ("Смаилова назначили премьером", SMAILOV, "Смаилова"),
        ("кандидатурата на Смаилов", SMAILOV, "Смаилов"),
        ("срещата НАТО-Русия", NATO, "НАТО"),
        ("срещата НАТО-Русия", RUSSIA, "Русия"),
        ("переговоры с НАТО", NATO, "НАТО"),
        ("переговоры России и НАТО", RUSSIA, "России"),
        ("войска Организации Договора о коллективной безопасности", CSTO,
         "Организации Договора о коллективной безопасности"),
        ("силите на Организацията на Договора за колективна сигурност", CSTO,
         "Организацията на Договора за колективна сигурност"),
        ("представитель Госдепа заявил", STATE_DEPT, "Госдепа"),
        ("в Госдепартаменте заявили", STATE_DEPT, "Госдепартаменте"),
        ("Държавният департамент съобщи", STATE_DEPT, "Държавният департамент"),
        ("позиция Соединённых Штатов", US, "Соединённых Штатов"),
        ("позиция Соединенных Штатов", US, "Соединенных Штатов"),
        ("Съединените щати са готови", US, "Съединените щати"),
        ("пресс-секретарь Белого дома", WHITE_HOUSE, "Белого дома"),
        ("Правительства Казахстана в отставке", GOVERNMENT, "Правительства Казахстана"),
        ("правителството на Казахстан разполага", GOVERNMENT, "правителството на Казахстан"),
        ("криза в Україні", UKRAINE, "Україні"),
        ("the Collective Security Treaty Organization's troops", CSTO_RU,
         "Collective Security Treaty Organization's"),
    ],
)  # fmt: skip
def test_alias_is_found_through_inflection_and_articles(matcher, text, entity, surface):
    assert _surfaces(matcher, text).get(entity) == surface


@pytest.mark.parametrize(
    ("text", "entity", "surface"),
    [
        ("Касим–Жомарт Токаев", TOKAYEV, "Касим–Жомарт Токаев"),
        ("Касим Жомарт Токаев", TOKAYEV, "Касим Жомарт Токаев"),
        ("Нед\u00a0Прайс каза", PRICE, "Нед\u00a0Прайс"),
        ("според Нед\nПрайс", PRICE, "Нед\nПрайс"),
        ("цитиран от Би-Би-Си", BBC, "Би-Би-Си"),
        ("ТОКАЕВ ПОИСКА ПОМОЩ", TOKAYEV, "ТОКАЕВ"),
        ("toкаев", None, None),  # a Latin "o" is another word
    ],
)
def test_alias_tolerates_separators_and_case(matcher, text, entity, surface):
    surfaces = _surfaces(matcher, text)
    if entity is None:
        assert surfaces == {}
    else:
        assert surfaces.get(entity) == surface


@pytest.mark.parametrize(
    ("text", "entity", "count"),
    [
        ("НАТОвари и НАТОто", NATO, 0),
        ("antiNATO sentiment", NATO, 0),
        ("Priceless art", PRICE, 0),
        ("Ned Price told reporters", PRICE, 1),
        ("USA Today and the US Army", US, 2),
        ("a focus on us and the USSR", US, 0),
        ("Казахстанский тенге подешевел", KAZAKHSTAN, 0),
        ("казахстанските власти", KAZAKHSTAN, 0),
        ("Токаевич и Токаевски", TOKAYEV, 0),
        ("Русиян и Руси", RUSSIA, 0),
        ("Госдепартаментский", STATE_DEPT, 0),
    ],
)
def test_alias_respects_word_boundaries(matcher, text, entity, count):
    counts = {m.entity_id: m.count for m in matcher.match(text)}
    assert counts.get(entity, 0) == count


def test_acronyms_are_matched_by_case(matcher):
    text = "nato, Nato, NATO; одкб, ОДКБ; bbc, BBC; csto, CSTO; us, Us, US"
    counts = {m.entity_id: m.count for m in matcher.match(text)}
    assert counts == {NATO: 2, CSTO: 2, BBC: 1, US: 1}


def test_other_aliases_are_matched_in_any_case_but_a_name_keeps_its_capital(matcher):
    text = "Kazakhstan, KAZAKHSTAN, kazakhstan; Президентът, президентът; Price, PRICE, price"
    counts = {m.entity_id: m.count for m in matcher.match(text)}
    # A capitalised alias is a name: "price" and "kazakhstan" are not mentions, a lower-case
    # alias (президент) matches in any case.
    assert counts == {KAZAKHSTAN: 2, PRESIDENT: 2, PRICE: 2}


def test_longest_alias_wins_where_aliases_overlap(matcher):
    text = "Президентът Касим-Жомарт Токаев поиска помощ. Токаев благодари."
    match = next(m for m in matcher.match(text) if m.entity_id == TOKAYEV)
    assert match == EntityMatch(entity_id=TOKAYEV, count=2, first_start=12, first_end=31)
    assert text[match.first_start : match.first_end] == "Касим-Жомарт Токаев"


def test_longer_alias_of_another_entity_hides_the_shorter_one(matcher):
    # "САЩ" inside the State Department's name is not a separate mention of the United States.
    matches = {m.entity_id: m.count for m in matcher.match("Държавен департамент на САЩ. САЩ.")}
    assert matches == {STATE_DEPT: 1, US: 1}


def test_counts_and_first_spans_point_into_the_original_text(matcher):
    text = (
        "İstanbul. В Казахстан влязоха военни от ОДКС, след като Токаев поиска помощ. "
        "Казахстан е обхванат от протести; Токаев обвини чужбина, ОДКС изпрати войски."
    )
    matches = matcher.match(text)
    assert [m.entity_id for m in matches] == [KAZAKHSTAN, CSTO, TOKAYEV]
    assert [m.count for m in matches] == [2, 2, 2]
    assert [text[m.first_start : m.first_end] for m in matches] == ["Казахстан", "ОДКС", "Токаев"]


def test_alias_shared_by_two_entities_is_a_mention_of_both():
    matcher = AliasMatcher(
        [AliasSpec(1, "Georgia", "en", False), AliasSpec(2, "Georgia", "en", False)]
    )
    assert [m.entity_id for m in matcher.match("Georgia's capital")] == [1, 2]


def test_matcher_without_aliases_or_text_finds_nothing(matcher):
    assert AliasMatcher([]).match("Токаев") == ()
    assert AliasMatcher([AliasSpec(1, " - ", "bg", False)]).match("Токаев - ") == ()
    assert matcher.match("") == ()


SEED = (
    "Американският Държавен департамент се надява да получи от властите в Казахстан "
    "аргументиран отговор, съобщи говорителят на институцията Нед Прайс, цитиран от Би Би Си. "
    "В Казахстан влязоха руски и беларуски военни, след като президентът Касим-Жомарт Токаев "
    "поиска от ОДКС съдействие. Прайс подчерта, че САЩ внимателно ще следят за нарушения. "
    "Същевременно ставащото в Казахстан няма да повлияе на преговорите между НАТО и Русия, "
    "съобщи пресаташето на Белия дом Джен Псаки, цитирана от Reuters. Вследствие на протестите "
    "правителството подаде оставка, която беше приета от президента Токаев. Той определи за "
    "временно изпълняващ премиерските функции Алихан Смаилов."
)


def test_seed_paragraph_mentions(matcher):
    counts = {m.entity_id: m.count for m in matcher.match(SEED)}
    assert counts == {
        STATE_DEPT: 1,
        KAZAKHSTAN: 3,
        PRICE: 1,
        BBC: 1,
        PRESIDENT: 2,
        TOKAYEV: 2,
        CSTO: 1,
        US: 1,
        NATO: 1,
        RUSSIA: 1,
        WHITE_HOUSE: 1,
        SMAILOV: 1,
    }
