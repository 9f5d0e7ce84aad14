"""Language from the body text: Bulgarian told apart from Macedonian and Russian on one or two
sentences; short or ambiguous text is reported as unknown rather than guessed."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from events.ingest import language
from events.ingest.language import LanguageGuess, detect_language, language_detector


@pytest.fixture(scope="module", autouse=True)
def _detector():
    # Building the detector takes about a second; every test in the module shares it.
    language_detector()


@pytest.mark.parametrize(
    "text",
    [
        "Правителството подаде оставка, която беше приета от президента.",
        "Властите въведоха извънредно положение, а мобилният интернет остава блокиран.",
        "Хората излязоха по улиците, за да изразят недоволството си от цените на газа.",
        "Президентът Токаев поиска от ОДКС съдействие за овладяване на протестите в страната.",
        "Същевременно ставащото в Казахстан няма да повлияе на преговорите между НАТО и Русия.",
    ],
)
def test_bulgarian_short_news_paragraph_is_bg(text):
    assert detect_language(text).code == "bg"


@pytest.mark.parametrize(
    "text",
    [
        "Владата поднесе оставка, која беше прифатена од претседателот.",
        "Луѓето излегоа на улиците за да го изразат своето незадоволство од цените на гасот.",
        "Претседателот побара помош од сојузниците, а војниците веќе пристигнаа во земјата.",
        "Македонската влада денеска одржа седница на која се разговараше за буџетот.",
    ],
)
def test_macedonian_short_news_paragraph_is_mk(text):
    assert detect_language(text).code == "mk"


@pytest.mark.parametrize(
    "text",
    [
        "Правительство ушло в отставку, которая была принята президентом.",
        "Власти ввели чрезвычайное положение, а мобильный интернет остаётся заблокированным.",
        "Люди вышли на улицы, чтобы выразить недовольство ценами на сжиженный газ.",
        "Президент Токаев обратился к ОДКБ за помощью в подавлении массовых протестов.",
    ],
)
def test_russian_short_news_paragraph_is_ru(text):
    assert detect_language(text).code == "ru"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Уряд пішов у відставку, яку прийняв президент країни.", "uk"),
        ("Влада је поднела оставку, коју је прихватио председник.", "sr"),
        ("Урад сышоў у адстаўку, якую прыняў прэзідэнт краіны.", "be"),
        ("Үкімет отставкаға кетті, оны президент қабылдады.", "kk"),
        ("The government resigned, and the president accepted the resignation.", "en"),
        ("Die Regierung ist zurückgetreten, der Präsident hat den Rücktritt angenommen.", "de"),
        ("Le gouvernement a démissionné et le président a accepté sa démission.", "fr"),
        ("Hükümet istifa etti ve cumhurbaşkanı istifayı kabul etti.", "tr"),
        ("Η κυβέρνηση παραιτήθηκε και ο πρόεδρος αποδέχτηκε την παραίτηση.", "el"),
        ("Guvernul a demisionat, iar președintele a acceptat demisia.", "ro"),
        ("Rząd podał się do dymisji, a prezydent przyjął rezygnację.", "pl"),
    ],
)
def test_other_newsroom_languages(text, code):
    assert detect_language(text).code == code


def test_language_comes_from_the_opening_of_a_long_body():
    body = "Властите въведоха извънредно положение в цялата страна. " * 200
    guess = detect_language(body)
    assert guess.code == "bg"
    assert guess.confidence > 0.9


@pytest.mark.parametrize(
    "text",
    ["", "   ", "НАТО Русия", "Токаев", "12.01.2022 10:45", "Reuters / BBC / ТАСС"],
)
def test_too_short_text_is_unknown(text):
    assert detect_language(text) == LanguageGuess(code=None, confidence=0.0)


def test_text_where_no_language_is_clearly_ahead_is_unknown():
    # A list of names shared by Bulgarian, Russian and Kazakh gives no language a clear lead.
    guess = detect_language("ОДКС Токаев Казахстан Алихан Смаилов")
    assert guess.code is None
    assert 0 < guess.confidence < 0.6


def test_detector_is_shared_by_threads():
    texts = ["Правителството подаде оставка.", "Правительство ушло в отставку."] * 8
    with ThreadPoolExecutor(max_workers=4) as pool:
        guesses = list(pool.map(detect_language, texts))
    assert [guess.code for guess in guesses] == ["bg", "ru"] * 8
    assert language_detector() is language_detector()


def test_an_opening_without_a_clear_lead_is_read_again_at_twice_the_length():
    # ~300 characters of names that Bulgarian, Russian and Kazakh share, then Bulgarian prose.
    names = "НАТО ОДКС Токаев Русия Казахстан " * 10
    prose = "Властите въведоха извънредно положение, а мобилният интернет остава блокиран. " * 4
    assert len(names) >= language.SAMPLE_CHARS
    assert detect_language(names).confidence < language.DECISIVE
    assert detect_language(names + prose).code == "bg"
