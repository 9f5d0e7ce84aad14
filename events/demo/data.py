"""The demo content: the January 2022 Kazakhstan crisis as told by one Bulgarian news article.

Plain frozen data; ``events.services.demo`` turns it into rows. Rows refer to each other by
slug. Every quote is copied character for character from ``seed_article_bg.txt`` so the
timeline service can locate its span; every date is one the record supports, with precision
"day" because no hour is known. Wikidata ids are given only where certain.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from events.models import (
    EntityKind,
    EventKind,
    EventStatus,
    OutletKind,
    ParticipantRole,
    Precision,
    RelationKind,
)

SEED_ARTICLE_PATH = Path(__file__).with_name("seed_article_bg.txt")
# The seed file carries no URL: a urn: keeps the article unique without inventing one.
SEED_ARTICLE_URL = "urn:tracker-seed:000_1b6525c019272edc"
# The language the demo's translations of quotes are written in.
TRANSLATION_LANGUAGE = "en"


def day(month: int, day_of_month: int) -> dt.datetime:
    """A day in January 2022, stored as midnight UTC (its precision says only the day counts)."""
    return dt.datetime(2022, month, day_of_month, tzinfo=dt.UTC)


@dataclass(frozen=True)
class AliasData:
    name: str
    language: str
    is_acronym: bool = False


@dataclass(frozen=True)
class EntityData:
    slug: str
    name: str
    kind: str
    aliases: tuple[AliasData, ...]
    description: str = ""
    wikidata_id: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class OutletData:
    slug: str
    name: str
    kind: str
    country: str
    languages: tuple[str, ...]
    homepage: str = ""
    domains: tuple[str, ...] = ()
    entity_slug: str = ""


@dataclass(frozen=True)
class ArticleData:
    canonical_url: str
    outlet_slug: str
    title: str
    language: str
    text_path: Path


@dataclass(frozen=True)
class TranslationData:
    language: str
    title: str
    summary: str


@dataclass(frozen=True)
class ParticipantData:
    entity_slug: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class EventData:
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    start: dt.datetime
    translations: tuple[TranslationData, ...]
    participants: tuple[ParticipantData, ...]
    start_precision: str = Precision.DAY
    end: dt.datetime | None = None
    end_precision: str = Precision.DAY
    place: str = ""
    place_entity_slug: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class QuoteData:
    """A passage of the seed article; ``speaker``/``outlet`` say who said it via whom."""

    quote: str
    translation: str
    speaker_slug: str = ""
    outlet_slug: str = ""


@dataclass(frozen=True)
class RelationData:
    """Reads "source <kind> target"."""

    source_slug: str
    kind: str
    target_slug: str
    note: str = ""
    citations: tuple[QuoteData, ...] = ()


@dataclass(frozen=True)
class UpdateData:
    event_slug: str
    occurred_at: dt.datetime
    headline: str
    body: str
    citations: tuple[QuoteData, ...]
    precision: str = Precision.DAY


def _aliases(*names: tuple[str, str] | tuple[str, str, bool]) -> tuple[AliasData, ...]:
    return tuple(AliasData(*name) for name in names)


ACRONYM = True

ENTITIES: tuple[EntityData, ...] = (
    EntityData(
        slug="ned-price",
        name="Ned Price",
        kind=EntityKind.PERSON,
        description="Spokesperson of the US State Department during the crisis",
        aliases=_aliases(("Ned Price", "en"), ("Нед Прайс", "bg"), ("Нед Прайс", "ru")),
    ),
    EntityData(
        slug="us-state-department",
        name="US State Department",
        kind=EntityKind.ORGANISATION,
        description="The foreign ministry of the United States",
        aliases=_aliases(
            ("US State Department", "en"),
            ("State Department", "en"),
            ("United States Department of State", "en"),
            ("Държавен департамент", "bg"),
            ("Държавният департамент", "bg"),
            ("Държавен департамент на САЩ", "bg"),
            ("Государственный департамент США", "ru"),
            ("Госдепартамент", "ru"),
            ("Госдеп", "ru"),
        ),
    ),
    EntityData(
        slug="kazakhstan",
        name="Kazakhstan",
        kind=EntityKind.PLACE,
        description="Country in Central Asia",
        wikidata_id="Q232",
        latitude=48.0196,
        longitude=66.9237,
        aliases=_aliases(
            ("Kazakhstan", "en"),
            ("Republic of Kazakhstan", "en"),
            ("Казахстан", "bg"),
            ("Република Казахстан", "bg"),
            ("Казахстан", "ru"),
            ("Республика Казахстан", "ru"),
        ),
    ),
    EntityData(
        slug="csto",
        name="Collective Security Treaty Organization",
        kind=EntityKind.ORGANISATION,
        description="Russia-led military alliance of six post-Soviet states",
        aliases=_aliases(
            ("CSTO", "en", ACRONYM),
            ("Collective Security Treaty Organization", "en"),
            ("ОДКС", "bg", ACRONYM),
            ("Организация на Договора за колективна сигурност", "bg"),
            ("Организацията на Договора за колективна сигурност", "bg"),
            ("ОДКБ", "ru", ACRONYM),
            ("Организация Договора о коллективной безопасности", "ru"),
        ),
    ),
    EntityData(
        slug="bbc",
        name="BBC",
        kind=EntityKind.ORGANISATION,
        description="British public broadcaster",
        wikidata_id="Q9531",
        aliases=_aliases(
            ("BBC", "en", ACRONYM),
            ("British Broadcasting Corporation", "en"),
            ("Би Би Си", "bg"),
            ("BBC", "bg", ACRONYM),
            ("Би-би-си", "ru"),
            ("BBC", "ru", ACRONYM),
        ),
    ),
    EntityData(
        slug="washington-dc",
        name="Washington, D.C.",
        kind=EntityKind.PLACE,
        description="Capital of the United States; also stands for the US government",
        wikidata_id="Q61",
        latitude=38.9072,
        longitude=-77.0369,
        aliases=_aliases(
            ("Washington", "en"),
            ("Washington, D.C.", "en"),
            ("Вашингтон", "bg"),
            ("Вашингтон", "ru"),
        ),
    ),
    EntityData(
        slug="russia",
        name="Russia",
        kind=EntityKind.PLACE,
        description="Country in Eastern Europe and Northern Asia",
        wikidata_id="Q159",
        latitude=61.524,
        longitude=105.3188,
        aliases=_aliases(
            ("Russia", "en"),
            ("Russian Federation", "en"),
            ("Русия", "bg"),
            ("Руска федерация", "bg"),
            ("Россия", "ru"),
            ("Российская Федерация", "ru"),
        ),
    ),
    EntityData(
        slug="belarus",
        name="Belarus",
        kind=EntityKind.PLACE,
        description="Country in Eastern Europe",
        wikidata_id="Q184",
        latitude=53.7098,
        longitude=27.9534,
        aliases=_aliases(
            ("Belarus", "en"),
            ("Беларус", "bg"),
            ("Беларусь", "ru"),
            ("Белоруссия", "ru"),
        ),
    ),
    EntityData(
        slug="kassym-jomart-tokayev",
        name="Kassym-Jomart Tokayev",
        kind=EntityKind.PERSON,
        description="President of Kazakhstan",
        aliases=_aliases(
            ("Kassym-Jomart Tokayev", "en"),
            ("Tokayev", "en"),
            ("Касим-Жомарт Токаев", "bg"),
            ("Токаев", "bg"),
            ("Касым-Жомарт Токаев", "ru"),
            ("Токаев", "ru"),
        ),
    ),
    EntityData(
        slug="united-states",
        name="United States",
        kind=EntityKind.PLACE,
        description="Country in North America",
        wikidata_id="Q30",
        latitude=37.0902,
        longitude=-95.7129,
        aliases=_aliases(
            ("United States", "en"),
            ("United States of America", "en"),
            ("US", "en", ACRONYM),
            ("USA", "en", ACRONYM),
            ("САЩ", "bg", ACRONYM),
            ("Съединените щати", "bg"),
            ("Съединените американски щати", "bg"),
            ("США", "ru", ACRONYM),
            ("Соединённые Штаты", "ru"),
            ("Соединённые Штаты Америки", "ru"),
        ),
    ),
    EntityData(
        slug="nato",
        name="NATO",
        kind=EntityKind.ORGANISATION,
        description="North Atlantic military alliance",
        wikidata_id="Q7184",
        aliases=_aliases(
            ("NATO", "en", ACRONYM),
            ("North Atlantic Treaty Organization", "en"),
            ("НАТО", "bg", ACRONYM),
            ("Организация на Северноатлантическия договор", "bg"),
            ("НАТО", "ru", ACRONYM),
            ("Организация Североатлантического договора", "ru"),
        ),
    ),
    EntityData(
        slug="ukraine",
        name="Ukraine",
        kind=EntityKind.PLACE,
        description="Country in Eastern Europe",
        wikidata_id="Q212",
        latitude=48.3794,
        longitude=31.1656,
        aliases=_aliases(("Ukraine", "en"), ("Украйна", "bg"), ("Украина", "ru")),
    ),
    EntityData(
        slug="white-house",
        name="White House",
        kind=EntityKind.ORGANISATION,
        description="Residence and office of the US president; stands for the US administration",
        wikidata_id="Q35525",
        latitude=38.8977,
        longitude=-77.0365,
        aliases=_aliases(
            ("White House", "en"),
            ("Белия дом", "bg"),
            ("Белият дом", "bg"),
            ("Белый дом", "ru"),
        ),
    ),
    EntityData(
        slug="jen-psaki",
        name="Jen Psaki",
        kind=EntityKind.PERSON,
        description="White House press secretary during the crisis",
        aliases=_aliases(
            ("Jen Psaki", "en"),
            ("Джен Псаки", "bg"),
            ("Джен Псаки", "ru"),
        ),
    ),
    EntityData(
        slug="reuters",
        name="Reuters",
        kind=EntityKind.ORGANISATION,
        description="International news agency",
        wikidata_id="Q130879",
        aliases=_aliases(
            ("Reuters", "en"),
            # The seed article writes the name in Latin script.
            ("Reuters", "bg"),
            ("Ройтерс", "bg"),
            ("Reuters", "ru"),
            ("Рейтер", "ru"),
        ),
    ),
    EntityData(
        slug="brussels",
        name="Brussels",
        kind=EntityKind.PLACE,
        description="Capital of Belgium; seat of NATO headquarters",
        wikidata_id="Q239",
        latitude=50.8503,
        longitude=4.3517,
        aliases=_aliases(("Brussels", "en"), ("Брюксел", "bg"), ("Брюссель", "ru")),
    ),
    EntityData(
        slug="government-of-kazakhstan",
        name="Government of Kazakhstan",
        kind=EntityKind.ORGANISATION,
        description="The cabinet of ministers of Kazakhstan",
        aliases=_aliases(
            ("Government of Kazakhstan", "en"),
            ("Правителство на Казахстан", "bg"),
            ("Правителството на Казахстан", "bg"),
            ("Правительство Казахстана", "ru"),
            ("Правительство Республики Казахстан", "ru"),
        ),
    ),
    EntityData(
        slug="alikhan-smailov",
        name="Alikhan Smailov",
        kind=EntityKind.PERSON,
        description="Acting prime minister of Kazakhstan from 5 January 2022",
        aliases=_aliases(
            ("Alikhan Smailov", "en"),
            ("Smailov", "en"),
            ("Алихан Смаилов", "bg"),
            ("Смаилов", "bg"),
            ("Алихан Смаилов", "ru"),
            ("Смаилов", "ru"),
        ),
    ),
    EntityData(
        slug="nursultan-nazarbayev",
        name="Nursultan Nazarbayev",
        kind=EntityKind.PERSON,
        description="First president of Kazakhstan; chaired its Security Council until 5 Jan 2022",
        aliases=_aliases(
            ("Nursultan Nazarbayev", "en"),
            ("Nazarbayev", "en"),
            ("Нурсултан Назарбаев", "bg"),
            ("Назарбаев", "bg"),
            ("Нурсултан Назарбаев", "ru"),
            ("Назарбаев", "ru"),
        ),
    ),
    EntityData(
        slug="security-council-of-kazakhstan",
        name="Security Council of Kazakhstan",
        kind=EntityKind.ORGANISATION,
        description="Kazakhstan's national security advisory body",
        aliases=_aliases(
            ("Security Council of Kazakhstan", "en"),
            ("Съвет за сигурност на Казахстан", "bg"),
            ("Съвета за сигурност на Казахстан", "bg"),
            ("Совет безопасности Казахстана", "ru"),
            ("Совет безопасности Республики Казахстан", "ru"),
        ),
    ),
)

SEED_PUBLISHER_SLUG = "seed-article-publisher-bg"

OUTLETS: tuple[OutletData, ...] = (
    OutletData(
        slug="bbc",
        name="BBC",
        kind=OutletKind.BROADCASTER,
        country="GB",
        languages=("en", "ru"),
        homepage="https://www.bbc.com/",
        domains=("bbc.com", "bbc.co.uk"),
        entity_slug="bbc",
    ),
    OutletData(
        slug="reuters",
        name="Reuters",
        kind=OutletKind.WIRE,
        country="GB",
        languages=("en",),
        homepage="https://www.reuters.com/",
        domains=("reuters.com",),
        entity_slug="reuters",
    ),
    # The seed file names neither its publisher nor its address; this outlet says so rather
    # than guess one. An editor who identifies the publisher can rename it and add a domain.
    OutletData(
        slug=SEED_PUBLISHER_SLUG,
        name="Bulgarian publisher of the seed article (unnamed in the source file)",
        kind=OutletKind.OTHER,
        country="BG",
        languages=("bg",),
    ),
)

SEED_ARTICLE = ArticleData(
    canonical_url=SEED_ARTICLE_URL,
    outlet_slug=SEED_PUBLISHER_SLUG,
    # Editorial: the file has no title; this one states its first paragraph's gist. It has
    # no date either, so the article's published_at stays empty.
    title="САЩ очакват обяснение от Казахстан за силите на ОДКС",
    language="bg",
    text_path=SEED_ARTICLE_PATH,
)

UNREST = "2022-kazakhstan-unrest"
LPG_PRICES = "2022-kazakhstan-lpg-price-increase"
CSTO_DEPLOYMENT = "2022-csto-deployment-to-kazakhstan"
NATO_RUSSIA_TALKS = "2022-nato-russia-council-brussels"
RESIGNATION = "2022-kazakhstan-government-resignation"
SECURITY_COUNCIL = "2022-nazarbayev-leaves-security-council"
EMERGENCY = "2022-kazakhstan-state-of-emergency"
INTERNET_BLOCKED = "2022-kazakhstan-mobile-internet-blocked"
US_STATEMENT = "2022-us-state-department-statement-on-csto"

BRUSSELS = (50.8503, 4.3517)
WASHINGTON = (38.9072, -77.0369)

EVENTS: tuple[EventData, ...] = (
    EventData(
        slug=UNREST,
        title="2022 Kazakhstan unrest",
        summary=(
            "Protests began on 2 January 2022 in Zhanaozen, in the Mangystau Region of western "
            "Kazakhstan, over a sharp rise in the price of liquefied gas, and spread to cities "
            "across the country, including Almaty. They grew into a political crisis: the "
            "government resigned, a state of emergency was declared, mobile internet was blocked "
            "and, at President Kassym-Jomart Tokayev's request, CSTO forces were deployed. Force "
            "used to disperse the protesters caused deaths. The unrest had subsided by 11 January."
        ),
        kind=EventKind.CRISIS,
        status=EventStatus.CONCLUDED,
        start=day(1, 2),
        end=day(1, 11),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Вълненията в Казахстан (януари 2022 г.)",
                "Протестите започнаха на 2 януари 2022 г. в Жанаозен, в Мангистауска област в "
                "Западен Казахстан, заради рязкото поскъпване на втечнения газ и се разпространиха "
                "в градове из цялата страна, включително в Алмати. Те прераснаха в политическа "
                "криза: правителството подаде оставка, беше въведено извънредно положение, "
                "мобилният интернет беше блокиран, а по искане на президента Касим-Жомарт Токаев "
                "в страната бяха разположени сили на ОДКС. При разпръсването на протестиращите "
                "властите употребиха сила, довела до жертви. До 11 януари вълненията утихнаха.",
            ),
            TranslationData(
                "ru",
                "Беспорядки в Казахстане (январь 2022 года)",
                "Протесты начались 2 января 2022 года в Жанаозене Мангистауской области на западе "
                "Казахстана из-за резкого повышения цен на сжиженный газ и распространились на "
                "города по всей стране, включая Алматы. Они переросли в политический кризис: "
                "правительство ушло в отставку, было введено чрезвычайное положение, мобильный "
                "интернет был заблокирован, а по просьбе президента Касым-Жомарта Токаева в страну "
                "были введены силы ОДКБ. При разгоне протестующих власти применили силу, были "
                "погибшие. К 11 января беспорядки утихли.",
            ),
        ),
        participants=(
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
            ParticipantData(
                "government-of-kazakhstan",
                ParticipantRole.TARGET,
                "protesters demanded the government's resignation",
            ),
            ParticipantData(
                "kassym-jomart-tokayev",
                ParticipantRole.TARGET,
                "protesters demanded the president's resignation",
            ),
        ),
    ),
    EventData(
        slug=LPG_PRICES,
        title="Liquefied gas price increase in Kazakhstan",
        summary=(
            "On 1 January 2022 the price of liquefied petroleum gas (LPG) in Kazakhstan rose "
            "sharply, roughly doubling in the Mangystau Region, after state price caps were "
            "lifted. Discontent over the increase set off the protests that began the next day."
        ),
        kind=EventKind.ECONOMIC,
        status=EventStatus.CONCLUDED,
        start=day(1, 1),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Поскъпване на втечнения газ в Казахстан",
                "На 1 януари 2022 г. цената на втечнения газ в Казахстан рязко се повиши – в "
                "Мангистауска област почти двойно – след премахването на държавния таван на "
                "цените. Недоволството от поскъпването предизвика протестите, започнали на "
                "следващия ден.",
            ),
            TranslationData(
                "ru",
                "Повышение цен на сжиженный газ в Казахстане",
                "1 января 2022 года цена на сжиженный газ в Казахстане резко выросла — в "
                "Мангистауской области почти вдвое — после отмены государственного ограничения "
                "цен. Недовольство подорожанием вызвало протесты, начавшиеся на следующий день.",
            ),
        ),
        participants=(
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
            ParticipantData(
                "government-of-kazakhstan", ParticipantRole.ACTOR, "lifted the price caps"
            ),
        ),
    ),
    EventData(
        slug=CSTO_DEPLOYMENT,
        title="CSTO deployment to Kazakhstan",
        summary=(
            "On 5 January 2022 President Kassym-Jomart Tokayev asked the Collective Security "
            "Treaty Organization for help in bringing the unrest under control. A Russia-led "
            "CSTO peacekeeping contingent, with troops from Belarus, Armenia, Tajikistan and "
            "Kyrgyzstan, began arriving on 6 January; its withdrawal was completed on "
            "19 January 2022."
        ),
        kind=EventKind.CONFLICT,
        status=EventStatus.CONCLUDED,
        start=day(1, 6),
        end=day(1, 19),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Разполагане на сили на ОДКС в Казахстан",
                "На 5 януари 2022 г. президентът Касим-Жомарт Токаев поиска от Организацията на "
                "Договора за колективна сигурност съдействие за овладяване на вълненията. "
                "Миротворческият контингент на ОДКС, воден от Русия и с военни от Беларус, "
                "Армения, Таджикистан и Киргизстан, започна да пристига на 6 януари; изтеглянето "
                "му приключи на 19 януари 2022 г.",
            ),
            TranslationData(
                "ru",
                "Ввод сил ОДКБ в Казахстан",
                "5 января 2022 года президент Касым-Жомарт Токаев обратился к Организации "
                "Договора о коллективной безопасности за помощью в подавлении беспорядков. "
                "Миротворческий контингент ОДКБ во главе с Россией, с военными из Белоруссии, "
                "Армении, Таджикистана и Киргизии, начал прибывать 6 января; его вывод завершился "
                "19 января 2022 года.",
            ),
        ),
        participants=(
            ParticipantData("csto", ParticipantRole.ACTOR),
            ParticipantData("russia", ParticipantRole.ACTOR, "led the contingent"),
            ParticipantData("belarus", ParticipantRole.ACTOR, "sent troops"),
            ParticipantData(
                "kassym-jomart-tokayev", ParticipantRole.OTHER, "requested the deployment"
            ),
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
        ),
    ),
    EventData(
        slug=NATO_RUSSIA_TALKS,
        title="NATO-Russia Council talks in Brussels",
        summary=(
            "The NATO-Russia Council met at NATO headquarters in Brussels on 12 January 2022, "
            "for the first time in over two years, to discuss Russia's demands on European "
            "security and the situation in and around Ukraine. The White House said the crisis "
            "in Kazakhstan would not affect the talks."
        ),
        kind=EventKind.MEETING,
        status=EventStatus.CONCLUDED,
        start=day(1, 12),
        end=day(1, 12),
        place="Brussels",
        place_entity_slug="brussels",
        latitude=BRUSSELS[0],
        longitude=BRUSSELS[1],
        translations=(
            TranslationData(
                "bg",
                "Преговори в Съвета НАТО-Русия в Брюксел",
                "Съветът НАТО-Русия заседава на 12 януари 2022 г. в щабквартирата на НАТО в "
                "Брюксел – за първи път от повече от две години – и обсъди исканията на Русия за "
                "европейската сигурност и положението около Украйна. Белият дом заяви, че кризата "
                "в Казахстан няма да повлияе на преговорите.",
            ),
            TranslationData(
                "ru",
                "Переговоры в Совете Россия — НАТО в Брюсселе",
                "Совет Россия — НАТО собрался 12 января 2022 года в штаб-квартире НАТО в "
                "Брюсселе — впервые более чем за два года — и обсудил требования России в "
                "области европейской безопасности и ситуацию вокруг Украины. Белый дом заявил, "
                "что кризис в Казахстане не повлияет на переговоры.",
            ),
        ),
        participants=(
            ParticipantData("nato", ParticipantRole.ORGANISER, "host, at NATO headquarters"),
            ParticipantData("russia", ParticipantRole.ACTOR),
            ParticipantData("ukraine", ParticipantRole.OTHER, "subject of the talks"),
            ParticipantData(
                "white-house",
                ParticipantRole.OBSERVER,
                "said the Kazakhstan crisis would not affect the talks",
            ),
            ParticipantData("brussels", ParticipantRole.LOCATION),
        ),
    ),
    EventData(
        slug=RESIGNATION,
        title="Government of Kazakhstan resigns; Alikhan Smailov acting prime minister",
        summary=(
            "On 5 January 2022, as a result of the protests, President Tokayev accepted the "
            "resignation of Prime Minister Askar Mamin's government and named First Deputy "
            "Prime Minister Alikhan Smailov acting prime minister."
        ),
        kind=EventKind.POLITICAL,
        status=EventStatus.CONCLUDED,
        start=day(1, 5),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Оставка на правителството на Казахстан; Алихан Смаилов – временен премиер",
                "На 5 януари 2022 г., вследствие на протестите, президентът Токаев прие оставката "
                "на правителството на премиера Аскар Мамин и определи първия вицепремиер Алихан "
                "Смаилов за временно изпълняващ функциите на министър-председател.",
            ),
            TranslationData(
                "ru",
                "Отставка правительства Казахстана; Алихан Смаилов — и. о. премьер-министра",
                "5 января 2022 года на фоне протестов президент Токаев принял отставку "
                "правительства премьер-министра Аскара Мамина и назначил первого вице-премьера "
                "Алихана Смаилова исполняющим обязанности премьер-министра.",
            ),
        ),
        participants=(
            ParticipantData("government-of-kazakhstan", ParticipantRole.ACTOR, "resigned"),
            ParticipantData(
                "kassym-jomart-tokayev", ParticipantRole.ACTOR, "accepted the resignation"
            ),
            ParticipantData(
                "alikhan-smailov", ParticipantRole.OTHER, "named acting prime minister"
            ),
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
        ),
    ),
    EventData(
        slug=SECURITY_COUNCIL,
        title="Nazarbayev leaves the Security Council chair to Tokayev",
        summary=(
            "On 5 January 2022 President Tokayev took over as chairman of Kazakhstan's Security "
            "Council from Nursultan Nazarbayev, the country's first president, who had held the "
            "post since stepping down as president in 2019."
        ),
        kind=EventKind.POLITICAL,
        status=EventStatus.CONCLUDED,
        start=day(1, 5),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Назарбаев отстъпва на Токаев поста председател на Съвета за сигурност",
                "На 5 януари 2022 г. президентът Токаев пое поста председател на Съвета за "
                "сигурност на Казахстан от първия президент на страната Нурсултан Назарбаев, "
                "който го заемаше от оттеглянето си от президентския пост през 2019 г.",
            ),
            TranslationData(
                "ru",
                "Назарбаев уступает Токаеву пост председателя Совета безопасности",
                "5 января 2022 года президент Токаев возглавил Совет безопасности Казахстана "
                "вместо первого президента страны Нурсултана Назарбаева, занимавшего этот пост "
                "после ухода с президентской должности в 2019 году.",
            ),
        ),
        participants=(
            ParticipantData("nursultan-nazarbayev", ParticipantRole.ACTOR, "left the chair"),
            ParticipantData("kassym-jomart-tokayev", ParticipantRole.ACTOR, "took over the chair"),
            ParticipantData(
                "security-council-of-kazakhstan", ParticipantRole.OTHER, "the post in question"
            ),
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
        ),
    ),
    EventData(
        slug=EMERGENCY,
        title="State of emergency in Kazakhstan",
        summary=(
            "On 5 January 2022 the authorities declared a state of emergency, first in Almaty "
            "and the Mangystau Region and then across the whole country."
        ),
        kind=EventKind.POLITICAL,
        status=EventStatus.CONCLUDED,
        start=day(1, 5),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Извънредно положение в Казахстан",
                "На 5 януари 2022 г. властите въведоха извънредно положение – първо в Алмати и "
                "Мангистауска област, а след това в цялата страна.",
            ),
            TranslationData(
                "ru",
                "Чрезвычайное положение в Казахстане",
                "5 января 2022 года власти ввели чрезвычайное положение — сначала в Алматы и "
                "Мангистауской области, затем по всей стране.",
            ),
        ),
        participants=(
            ParticipantData(
                "kassym-jomart-tokayev", ParticipantRole.ACTOR, "declared it by decree"
            ),
            ParticipantData("kazakhstan", ParticipantRole.LOCATION),
        ),
    ),
    EventData(
        slug=INTERNET_BLOCKED,
        title="Mobile internet blocked in Kazakhstan",
        summary=(
            "From 5 January 2022 the authorities blocked mobile internet in Kazakhstan, as part "
            "of a near-total internet shutdown during the unrest."
        ),
        kind=EventKind.POLITICAL,
        status=EventStatus.CONCLUDED,
        start=day(1, 5),
        place="Kazakhstan",
        place_entity_slug="kazakhstan",
        translations=(
            TranslationData(
                "bg",
                "Блокиран мобилен интернет в Казахстан",
                "От 5 януари 2022 г. властите блокираха мобилния интернет в Казахстан като част "
                "от почти пълното спиране на интернета по време на вълненията.",
            ),
            TranslationData(
                "ru",
                "Блокировка мобильного интернета в Казахстане",
                "С 5 января 2022 года власти блокировали мобильный интернет в Казахстане в рамках "
                "почти полного отключения интернета во время беспорядков.",
            ),
        ),
        participants=(ParticipantData("kazakhstan", ParticipantRole.LOCATION),),
    ),
    EventData(
        slug=US_STATEMENT,
        title="US State Department statement on the CSTO deployment",
        summary=(
            "On 6 January 2022 State Department spokesperson Ned Price said Washington expected "
            "the Kazakh authorities to explain why they needed CSTO forces, since the government "
            "had its own resources to keep order, and that the United States would watch closely "
            "for human rights violations and for any attempt by the foreign forces to seize "
            "Kazakh institutions."
        ),
        kind=EventKind.STATEMENT,
        status=EventStatus.CONCLUDED,
        start=day(1, 6),
        place="Washington, D.C.",
        place_entity_slug="washington-dc",
        latitude=WASHINGTON[0],
        longitude=WASHINGTON[1],
        translations=(
            TranslationData(
                "bg",
                "Изявление на Държавния департамент на САЩ за силите на ОДКС",
                "На 6 януари 2022 г. говорителят на Държавния департамент Нед Прайс заяви, че "
                "Вашингтон очаква властите в Казахстан да обяснят защо се нуждаят от силите на "
                "ОДКС, тъй като правителството разполага със собствени ресурси за поддържане на "
                "реда, и че САЩ внимателно ще следят за нарушения на човешките права или опити "
                "чуждестранните сили да овладеят казахстански институции.",
            ),
            TranslationData(
                "ru",
                "Заявление Госдепартамента США о силах ОДКБ",
                "6 января 2022 года официальный представитель Госдепартамента Нед Прайс заявил, "
                "что Вашингтон ждёт от властей Казахстана объяснений, зачем им понадобились силы "
                "ОДКБ, ведь у правительства есть собственные ресурсы для поддержания порядка, и "
                "что США будут внимательно следить за нарушениями прав человека и попытками "
                "иностранных сил захватить казахстанские институты.",
            ),
        ),
        participants=(
            ParticipantData("us-state-department", ParticipantRole.ACTOR),
            ParticipantData("ned-price", ParticipantRole.ACTOR, "spokesperson"),
            ParticipantData(
                "kazakhstan", ParticipantRole.TARGET, "asked to explain the request for troops"
            ),
            ParticipantData("csto", ParticipantRole.OTHER, "the deployment in question"),
            ParticipantData("washington-dc", ParticipantRole.LOCATION),
        ),
    ),
)

# Passages of the seed article, quoted exactly; the translations are ours.
Q_PRICE_EXPLANATION = QuoteData(
    quote=(
        "Американският Държавен департамент се надява да получи от властите в Казахстан "
        "аргументиран отговор на въпроса от какво е продиктувана необходимостта за разполагане в "
        "страната на сили от Организацията на Договора за колективна сигурност (ОДКС), съобщи "
        "говорителят на институцията Нед Прайс, цитиран от Би Би Си."
    ),
    translation=(
        "The American State Department hopes to receive from the authorities in Kazakhstan a "
        "reasoned answer to the question of what dictated the need to deploy forces of the "
        "Collective Security Treaty Organization (CSTO) in the country, the department's "
        "spokesman Ned Price said, as quoted by the BBC."
    ),
    speaker_slug="ned-price",
    outlet_slug="bbc",
)
Q_PRICE_RESOURCES = QuoteData(
    quote=(
        "Той поясни, че според Вашингтон, правителството на Казахстан разполага със собствени "
        "ресурси, за да поддържа реда в страната."
    ),
    translation=(
        "He explained that in Washington's view the government of Kazakhstan has its own "
        "resources to maintain order in the country."
    ),
    speaker_slug="ned-price",
    outlet_slug="bbc",
)
Q_PRICE_WATCH = QuoteData(
    quote=(
        "Прайс подчерта, че САЩ внимателно ще следят за нарушения на човешките права или опити "
        "за овладяване на казахстански институции от страна на чуждестранните сили."
    ),
    translation=(
        "Price stressed that the US will watch closely for violations of human rights or "
        "attempts by the foreign forces to take over Kazakh institutions."
    ),
    speaker_slug="ned-price",
    outlet_slug="bbc",
)
Q_PRICE_PARTNER = QuoteData(
    quote=(
        "Надяваме се, че правителството на Казахстан скоро ще успее да реши проблемите, които "
        "имат фундаментален икономически и политически характер. И като партньор на народа и "
        "правителството на Казахстан, Съединените щати са готови да продължат сътрудничеството "
        "си с казахстанските власти и казахстанския народ."
    ),
    translation=(
        "We hope that the government of Kazakhstan will soon be able to resolve the problems, "
        "which are fundamentally economic and political in nature. And as a partner of the "
        "people and the government of Kazakhstan, the United States is ready to continue its "
        "cooperation with the Kazakh authorities and the Kazakh people."
    ),
    speaker_slug="ned-price",
    outlet_slug="bbc",
)
Q_PSAKI = QuoteData(
    # The article has a no-break space after "Казахстан"; the quote keeps it to stay exact.
    quote=(
        "Същевременно ставащото в Казахстан\u00a0няма да повлияе на плановете за провеждане на "
        "преговори между държавите от НАТО и Русия във връзка със ситуацията в Украйна, насрочени "
        "за идната седмица, съобщи пресаташето на Белия дом Джен Псаки, цитирана от Reuters."
    ),
    translation=(
        "Meanwhile, what is happening in Kazakhstan will not affect the plans to hold talks "
        "between the NATO countries and Russia on the situation in Ukraine, scheduled for next "
        "week, White House press secretary Jen Psaki said, as quoted by Reuters."
    ),
    speaker_slug="jen-psaki",
    outlet_slug="reuters",
)
Q_MEETING_DATE = QuoteData(
    quote="Официално: Ще има среща НАТО-Русия на 12 януари",
    translation="Official: there will be a NATO-Russia meeting on 12 January",
)
Q_MEETING_PLACE = QuoteData(
    quote="Тя ще се проведе в Брюксел",
    translation="It will be held in Brussels",
)
Q_PROTESTS_BEGIN = QuoteData(
    quote="От 2 януари Казахстан е обхванат от протестна вълна.",
    translation="Since 2 January Kazakhstan has been gripped by a wave of protests.",
)
Q_GAS_PRICES = QuoteData(
    quote=(
        "Хората излязоха по улиците на градовете, за да изразят недоволството си от "
        "повишаването на цените на втечнения газ."
    ),
    translation=(
        "People took to the streets of the cities to express their discontent at the rise in "
        "liquefied gas prices."
    ),
)
Q_DEMANDS = QuoteData(
    quote=(
        "Гражданите настояват за оставката на президента и правителството, настояват за борба с "
        "корупцията."
    ),
    translation=(
        "Citizens are demanding the resignation of the president and the government, and "
        "demanding a fight against corruption."
    ),
)
Q_EMERGENCY = QuoteData(
    quote="Властите въведоха извънредно положение.",
    translation="The authorities introduced a state of emergency.",
)
Q_RESIGNATION = QuoteData(
    quote=(
        "Вследствие на протестите правителството подаде оставка, която беше приета от "
        "президента Токаев. Той определи за временно изпълняващ премиерските функции Алихан "
        "Смаилов."
    ),
    translation=(
        "As a result of the protests the government resigned, and President Tokayev accepted "
        "the resignation. He appointed Alikhan Smailov to perform the prime minister's duties "
        "in the interim."
    ),
)
Q_SECURITY_COUNCIL = QuoteData(
    quote=(
        "Същевременно Нурсултан Назарбаев се оттегли като председател на Съвета за сигурност на "
        "Казахстан - постът беше поет от Токаев."
    ),
    translation=(
        "At the same time Nursultan Nazarbayev stepped down as chairman of the Security Council "
        "of Kazakhstan - the post was taken over by Tokayev."
    ),
)
Q_INTERNET = QuoteData(
    quote="Мобилният интернет остава блокиран...",
    translation="Mobile internet remains blocked...",
)
Q_CSTO_REQUEST = QuoteData(
    quote=(
        "Разполагането на чужди сили беше поискано от президента Касим-Жомарт Токаев - като "
        "съдействие за овладяване на масовото недоволство."
    ),
    translation=(
        "The deployment of foreign forces was requested by President Kassym-Jomart Tokayev - as "
        "assistance in bringing the mass discontent under control."
    ),
)
Q_TROOPS_ENTER = QuoteData(
    quote=(
        "В Казахстан влязоха руски и беларуски военни, след като президентът Касим-Жомарт Токаев "
        "поиска от ОДКС съдействие за овладяване на масовите протести в страната."
    ),
    translation=(
        "Russian and Belarusian troops entered Kazakhstan after President Kassym-Jomart Tokayev "
        "asked the CSTO for assistance in bringing the mass protests in the country under "
        "control."
    ),
)

RELATIONS: tuple[RelationData, ...] = (
    RelationData(
        UNREST,
        RelationKind.CAUSED_BY,
        LPG_PRICES,
        "protesters took to the streets over the rise in liquefied gas prices",
        citations=(Q_GAS_PRICES,),
    ),
    RelationData(RESIGNATION, RelationKind.PART_OF, UNREST),
    RelationData(
        RESIGNATION,
        RelationKind.RESPONSE_TO,
        UNREST,
        "the government resigned as a result of the protests",
        citations=(Q_RESIGNATION,),
    ),
    RelationData(SECURITY_COUNCIL, RelationKind.PART_OF, UNREST),
    RelationData(EMERGENCY, RelationKind.PART_OF, UNREST),
    RelationData(EMERGENCY, RelationKind.RESPONSE_TO, UNREST),
    RelationData(INTERNET_BLOCKED, RelationKind.PART_OF, UNREST),
    RelationData(
        CSTO_DEPLOYMENT,
        RelationKind.RESPONSE_TO,
        UNREST,
        "requested to help bring the mass protests under control",
        citations=(Q_TROOPS_ENTER,),
    ),
    RelationData(
        RESIGNATION,
        RelationKind.PRECEDES,
        CSTO_DEPLOYMENT,
        "the government resigned on 5 January; the first CSTO troops arrived on 6 January",
    ),
    RelationData(
        US_STATEMENT,
        RelationKind.RESPONSE_TO,
        CSTO_DEPLOYMENT,
        "Washington asked Kazakhstan to explain why it needed CSTO forces",
        citations=(Q_PRICE_EXPLANATION,),
    ),
    RelationData(
        NATO_RUSSIA_TALKS,
        RelationKind.RELATED,
        UNREST,
        "the White House said the crisis would not affect the talks",
        citations=(Q_PSAKI,),
    ),
)

UPDATES: tuple[UpdateData, ...] = (
    UpdateData(
        LPG_PRICES,
        day(1, 1),
        "Liquefied gas prices rise sharply in Kazakhstan",
        "The price of liquefied gas rises after state price caps are lifted; the increase "
        "brings people onto the streets the next day.",
        citations=(Q_GAS_PRICES,),
    ),
    UpdateData(
        UNREST,
        day(1, 2),
        "Protests over liquefied gas prices begin in Kazakhstan",
        "A wave of protests sweeps Kazakhstan from 2 January. Protesters also demand the "
        "resignation of the president and the government and a fight against corruption.",
        citations=(Q_PROTESTS_BEGIN, Q_DEMANDS),
    ),
    UpdateData(
        RESIGNATION,
        day(1, 5),
        "Tokayev accepts the government's resignation; Alikhan Smailov named acting prime minister",
        "As a result of the protests the government resigns. President Tokayev accepts the "
        "resignation and names Alikhan Smailov acting prime minister.",
        citations=(Q_RESIGNATION,),
    ),
    UpdateData(
        SECURITY_COUNCIL,
        day(1, 5),
        "Nazarbayev steps down as Security Council chairman; Tokayev takes the post",
        "Nursultan Nazarbayev leaves the chair of Kazakhstan's Security Council, which "
        "President Tokayev takes over.",
        citations=(Q_SECURITY_COUNCIL,),
    ),
    UpdateData(
        EMERGENCY,
        day(1, 5),
        "Authorities declare a state of emergency",
        "A state of emergency is declared as the protests spread.",
        citations=(Q_EMERGENCY,),
    ),
    UpdateData(
        INTERNET_BLOCKED,
        day(1, 5),
        "Mobile internet blocked in Kazakhstan",
        "Mobile internet is cut off; the seed article, written days later, reports it still "
        "blocked.",
        citations=(Q_INTERNET,),
    ),
    UpdateData(
        CSTO_DEPLOYMENT,
        day(1, 5),
        "Tokayev asks the CSTO for help in quelling the protests",
        "President Kassym-Jomart Tokayev requests the deployment of foreign forces from the "
        "Collective Security Treaty Organization to help bring the mass discontent under "
        "control.",
        citations=(Q_CSTO_REQUEST,),
    ),
    UpdateData(
        CSTO_DEPLOYMENT,
        day(1, 6),
        "Russian and Belarusian troops enter Kazakhstan",
        "The first CSTO contingents arrive on 6 January; among them are Russian and "
        "Belarusian troops.",
        citations=(Q_TROOPS_ENTER,),
    ),
    UpdateData(
        US_STATEMENT,
        day(1, 6),
        "US State Department asks Kazakhstan to explain why it needs CSTO forces",
        "Spokesperson Ned Price, quoted by the BBC, says Washington hopes for a reasoned answer "
        "from the Kazakh authorities, since in its view the government has its own resources "
        "to keep order.",
        citations=(Q_PRICE_EXPLANATION, Q_PRICE_RESOURCES),
    ),
    UpdateData(
        US_STATEMENT,
        day(1, 6),
        "Price: the US will watch for rights violations and any seizure of Kazakh institutions",
        "Ned Price says the United States will watch closely for human rights violations or "
        "attempts by the foreign forces to take over Kazakh institutions, and that it stands "
        "ready to keep working with the Kazakh authorities and people.",
        citations=(Q_PRICE_WATCH, Q_PRICE_PARTNER),
    ),
    UpdateData(
        NATO_RUSSIA_TALKS,
        day(1, 6),
        "White House: events in Kazakhstan will not affect the NATO-Russia talks",
        "Press secretary Jen Psaki, quoted by Reuters, says the crisis in Kazakhstan will not "
        "change the plans for next week's talks between NATO countries and Russia on Ukraine.",
        citations=(Q_PSAKI,),
    ),
    UpdateData(
        NATO_RUSSIA_TALKS,
        day(1, 12),
        "NATO-Russia Council meets in Brussels on 12 January",
        "The NATO-Russia meeting, officially announced in advance, is held in Brussels on "
        "12 January.",
        citations=(Q_MEETING_DATE, Q_MEETING_PLACE),
    ),
)
