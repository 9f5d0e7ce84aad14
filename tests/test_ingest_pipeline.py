"""The ingestion pipeline through its services, against a real local HTTP server and the real
PostgreSQL and Redis: one Article per canonical URL, syndicated copies pointing at their
original, failures recorded with their reason, revisions kept, editors' decisions respected."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.ingest.fingerprint import fingerprint
from events.models import (
    Article,
    ArticleEvent,
    ArticleRevision,
    ArticleState,
    ArticleURL,
    EntityAlias,
    EntityKind,
    EventTranslation,
    Feed,
    FeedHealth,
    LinkOrigin,
    LinkState,
    Mention,
    OutletDomain,
    Participant,
    ParticipantRole,
    UpdateStatus,
)
from events.services.articles import article_import_html, article_process, article_register
from events.services.feeds import feed_poll, feed_register
from events.services.timeline import CitationData, update_create, update_publish
from tests.factories import EntityFactory, EventFactory, OutletFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
HTML = "text/html; charset=utf-8"
BG = (PAGES / "bg_cp1251.html").read_bytes()
WIRE = (PAGES / "en_reuters_wire.html").read_bytes()
COPY = (PAGES / "en_syndicated_copy.html").read_bytes()
BG_CANONICAL = b"https://novinar.example.bg/svyat/2022/01/07/sasht-kazahstan-odks-38417"
# The same page after the outlet corrected a sentence.
BG_CORRECTED = BG.replace(
    "беше поет от Токаев.</p>".encode("cp1251"),
    "беше поет от Токаев, съобщиха медиите.</p>".encode("cp1251"),
)
# A story the Kazakhstan events share a place with, but not a subject.
FOOTBALL = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Late goal sends Kazakhstan through to the play-off final</title></head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Late goal sends Kazakhstan through to the play-off final</h1>
<p>A header in the ninety-third minute gave Kazakhstan a two-one win over Luxembourg on a
frozen pitch in Astana on Thursday evening, sending the home side through to the play-off
final in front of a crowd of twenty-eight thousand supporters.</p>
<p>The visitors had led at half-time after their captain curled a free kick into the top
corner, and their goalkeeper saved a penalty early in the second half before the equaliser
arrived from a corner with a quarter of an hour to play.</p>
<p>The winning goal came from a substitute who had been on the pitch for only six minutes. The
coach said afterwards that the squad had trained for set pieces all week and that the stadium
roof, closed against the snow, had made the atmosphere the loudest he could remember.</p>
<p>The final will be played away on Tuesday. Tickets for travelling supporters go on sale on
Friday morning, and the club has asked fans to arrive early because of the heavy snowfall
expected over the weekend.</p>
</article><footer>All rights reserved</footer></body></html>
"""


def _serve(server, path: str, body: bytes, content_type: str = HTML, **kwargs) -> str:
    server.expect_request(path).respond_with_data(body, content_type=content_type, **kwargs)
    return server.url_for(path)


def _reserve(server, path: str, body: bytes) -> None:
    """From now on ``path`` answers with ``body``: the page changed on the site."""
    server.clear_all_handlers()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    _serve(server, path, body)


def _ingest(url: str) -> Article:
    article_id = article_register(url=url)
    assert article_id is not None
    outcome = article_process(article_id=article_id)
    return Article.objects.get(pk=outcome.merged_into or outcome.article_id)


def _listed():
    return Article.objects.filter(state=ArticleState.READY, duplicate_of__isnull=True)


def _edited(body: bytes, old: bytes, new: bytes) -> bytes:
    assert old in body
    return body.replace(old, new)


# --- URLs: one Article per canonical URL --------------------------------------------------------


def test_tracking_parameters_and_fragment_collapse_into_one_article(site):
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    tracked = f"{url}?utm_source=x&fbclid=y#frag"
    article = _ingest(url)
    assert article_register(url=tracked) is None
    assert Article.objects.get() == article
    assert set(article.urls.values_list("url", flat=True)) == {url, tracked}


def test_redirect_to_a_known_page_collapses_into_its_article(site):
    url = _serve(site, "/story", WIRE)
    site.expect_request("/old-story").respond_with_data("", status=301, headers={"Location": url})
    article = _ingest(url)
    old = site.url_for("/old-story")
    old_id = article_register(url=old)
    assert old_id is not None  # not known yet: only the fetch tells where it leads
    outcome = article_process(article_id=old_id)
    assert (outcome.state, outcome.merged_into) == ("merged", article.pk)
    assert Article.objects.get() == article
    assert ArticleURL.objects.filter(article=article, url=old).exists()


def test_redirect_to_a_new_page_stores_the_target_as_canonical(site):
    url = _serve(site, "/story", WIRE)
    site.expect_request("/short").respond_with_data("", status=302, headers={"Location": url})
    article = _ingest(site.url_for("/short"))
    assert article.canonical_url == url
    assert set(article.urls.values_list("url", flat=True)) == {site.url_for("/short"), url}


def test_rel_canonical_on_the_same_site_collapses_into_one_article(site):
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    amp = _edited(BG, BG_CANONICAL, url.encode())
    amp_url = _serve(site, "/amp/svyat/odks", amp, "text/html; charset=windows-1251")
    article = _ingest(url)
    amp_id = article_register(url=amp_url)
    assert amp_id is not None
    assert article_process(article_id=amp_id).merged_into == article.pk
    assert Article.objects.get() == article
    assert ArticleURL.objects.filter(article=article, url=amp_url).exists()


def test_rel_canonical_of_another_site_is_not_trusted(site):
    # The fixture page names novinar.example.bg: a page may not claim another site's URL.
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    assert _ingest(url).canonical_url == url


# --- duplicates -------------------------------------------------------------------------------


def test_syndicated_copy_is_stored_and_points_to_the_wire_original(site, httpserver):
    # Two outlets on two hosts of the same machine: 127.0.0.1 and localhost.
    reuters = OutletFactory(name="Reuters", slug="reuters", kind="wire")
    courier = OutletFactory(name="The Daily Courier", slug="daily-courier")
    OutletDomain.objects.create(outlet=reuters, domain="127.0.0.1")
    OutletDomain.objects.create(outlet=courier, domain="localhost")
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    wire = _ingest(_serve(site, "/world/kazakhstan-nato-russia", WIRE))
    copy = _ingest(_serve(httpserver, "/news/world/kazakhstan-unrest", COPY))
    assert (wire.outlet, copy.outlet) == (reuters, courier)
    assert wire.duplicate_of is None
    assert copy.duplicate_of == wire
    assert copy.state == ArticleState.READY
    assert copy.text != wire.text
    assert list(_listed()) == [wire]


def test_exact_copy_at_another_url_points_to_the_original(site):
    original = _ingest(_serve(site, "/a", WIRE))
    mirror = _ingest(_serve(site, "/mirror/a", WIRE.replace(b"<title>", b"<title>Mirror: ")))
    assert mirror.pk != original.pk
    assert mirror.duplicate_of == original
    assert mirror.content_hash == original.content_hash


# --- failures ---------------------------------------------------------------------------------


def test_page_not_found_fails_permanently_and_is_not_listed(site):
    url = site.url_for("/gone")
    site.expect_request("/gone").respond_with_data("not here", status=404)
    outcome = article_process(article_id=article_register(url=url))
    assert (outcome.state, outcome.reason, outcome.temporary) == ("failed", "HTTP 404", False)
    article = Article.objects.get()
    assert (article.state, article.failure_reason) == (ArticleState.FAILED, "HTTP 404")
    assert not _listed().exists()
    # Not retried: processing it again does not fetch it again.
    requests = len(site.log)
    assert article_process(article_id=article.pk).reason == "already processed"
    assert len(site.log) == requests


def test_unavailable_page_stays_pending_for_a_retry(site):
    site.expect_request("/busy").respond_with_data(
        "try later", status=503, headers={"Retry-After": "120"}
    )
    before = timezone.now()
    outcome = article_process(article_id=article_register(url=site.url_for("/busy")))
    assert (outcome.state, outcome.reason, outcome.temporary) == ("pending", "HTTP 503", True)
    assert outcome.retry_after == 120
    article = Article.objects.get()
    assert article.state == ArticleState.PENDING
    assert article.failure_reason == "HTTP 503"
    assert article.next_attempt_at is not None
    assert before + dt.timedelta(seconds=110) < article.next_attempt_at
    assert article.next_attempt_at < timezone.now() + dt.timedelta(seconds=130)
    assert not _listed().exists()


def test_page_that_keeps_failing_temporarily_is_given_up_with_its_reason(site):
    site.expect_request("/down").respond_with_data("", status=500)
    article_id = article_register(url=site.url_for("/down"))
    outcomes = [article_process(article_id=article_id) for _ in range(5)]
    assert [o.temporary for o in outcomes] == [True, True, True, True, False]
    article = Article.objects.get()
    assert article.state == ArticleState.FAILED
    assert article.failure_reason == "HTTP 500 (gave up after 5 attempts)"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "not an HTML page"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body></body></html>", HTML,
         "no article text found"),
        ((PAGES / "not_article.html").read_bytes(), HTML, "page is a list of links"),
    ],
    ids=["pdf", "empty", "listing"],
)  # fmt: skip
def test_page_without_an_article_fails_with_its_reason(site, body, content_type, reason):
    url = _serve(site, "/page", body, content_type)
    outcome = article_process(article_id=article_register(url=url))
    assert outcome.state == "failed"
    assert outcome.temporary is False
    assert outcome.reason.startswith(reason)
    article = Article.objects.get()
    assert article.state == ArticleState.FAILED
    assert article.failure_reason.startswith(reason)
    assert article.text == ""
    assert not _listed().exists()


def test_private_address_is_refused_unless_allowed(httpserver_ipv4, settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False
    url = _serve(httpserver_ipv4, "/story", WIRE)
    outcome = article_process(article_id=article_register(url=url))
    assert outcome.state == "failed"
    assert "loopback address" in outcome.reason
    assert Article.objects.get().failure_reason == outcome.reason
    assert httpserver_ipv4.log == []


def test_feed_failures_are_recorded_and_it_is_never_abandoned(site):
    site.expect_request("/feed.xml").respond_with_data("", status=404)
    feed = feed_register(url=site.url_for("/feed.xml"))
    results = [feed_poll(feed_id=feed.pk) for _ in range(3)]
    assert [r.ok for r in results] == [False, False, False]
    feed.refresh_from_db()
    assert feed.health == FeedHealth.UNHEALTHY
    assert (feed.last_error, feed.last_status) == ("HTTP 404", 404)
    assert feed.consecutive_failures >= 3
    # Retried at a long interval, not dropped.
    assert feed.is_active
    assert feed.next_poll_at > timezone.now() + dt.timedelta(hours=12)


def test_hostile_feed_is_recorded_as_a_feed_error(site):
    url = _serve(site, "/laughs.xml", (FEEDS / "billion_laughs.xml").read_bytes(), "text/xml")
    feed = feed_register(url=url)
    result = feed_poll(feed_id=feed.pk)
    assert not result.ok
    feed.refresh_from_db()
    assert feed.health == FeedHealth.FAILING
    assert "entit" in feed.last_error
    assert feed.consecutive_failures > 0
    assert not Article.objects.exists()


def test_feed_recovers_to_healthy_after_a_success(site):
    site.expect_request("/feed.xml").respond_with_data("", status=503)
    feed = feed_register(url=site.url_for("/feed.xml"))
    feed_poll(feed_id=feed.pk)
    _reserve(site, "/feed.xml", (FEEDS / "rss091.xml").read_bytes())
    assert feed_poll(feed_id=feed.pk).ok
    feed.refresh_from_db()
    assert (feed.health, feed.consecutive_failures, feed.last_error) == ("healthy", 0, "")
    assert Feed.objects.get().items_seen == Article.objects.count() > 0


def test_feed_entry_with_an_overlong_url_is_skipped_and_the_others_registered(site):
    too_long = site.url_for("/a/" + "x" * 3000)
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>long</title><link>{too_long}</link></item>"
        f"<item><title>fine</title><link>{site.url_for('/fine')}</link></item>"
        "</channel></rss>"
    ).encode()
    _serve(site, "/feed.xml", body, "application/rss+xml")
    feed = feed_register(url=site.url_for("/feed.xml"))
    result = feed_poll(feed_id=feed.pk)
    assert (result.ok, result.entries, len(result.new_article_ids)) == (True, 2, 1)
    assert Article.objects.get().canonical_url == site.url_for("/fine")
    assert Feed.objects.get().health == FeedHealth.HEALTHY


def test_feed_validators_too_long_to_keep_are_dropped_not_fatal(site):
    site.expect_request("/feed.xml").respond_with_data(
        (FEEDS / "rss091.xml").read_bytes(),
        content_type="application/rss+xml",
        headers={"ETag": '"' + "e" * 600 + '"', "Last-Modified": "x" * 100},
    )
    feed = feed_register(url=site.url_for("/feed.xml"))
    assert feed_poll(feed_id=feed.pk).ok
    feed.refresh_from_db()
    assert (feed.health, feed.etag, feed.last_modified) == (FeedHealth.HEALTHY, "", "")
    assert feed.items_seen > 0


def test_redirect_to_an_overlong_url_fails_the_article_with_a_reason(site):
    target = "/a/" + "x" * 3000
    _serve(site, target, WIRE)
    site.expect_request("/r").respond_with_data(
        "", status=301, headers={"Location": site.url_for(target)}
    )
    outcome = article_process(article_id=article_register(url=site.url_for("/r")))
    assert (outcome.state, outcome.reason) == ("failed", "URL longer than 2048 characters")
    assert Article.objects.get().failure_reason == outcome.reason


@pytest.mark.parametrize("href", ["https://", "/news/relative.html", "https://exa mple.com/a"])
def test_imported_page_with_an_unusable_canonical_keeps_its_file_id(href):
    page = FOOTBALL.replace(b"</head>", f'<link rel="canonical" href="{href}"></head>'.encode())
    outcome = article_import_html(body=page, name="football.html")
    assert outcome.state == "ready"
    article = Article.objects.get()
    assert article.canonical_url == f"urn:tracker-file:{hashlib.sha256(page).hexdigest()}"


# --- revisions and language -------------------------------------------------------------------


def test_changed_text_keeps_a_revision_and_flags_the_updates_citing_it(site):
    url = _serve(site, "/story", WIRE)
    article = _ingest(url)
    old_text = article.text
    editor = UserFactory()
    update = update_create(
        event=EventFactory(),
        occurred_at=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        headline="White House: Kazakhstan will not affect NATO-Russia talks",
        by=editor,
        citations=[CitationData(article_id=article.pk)],
    )
    update_publish(update=update, by=editor)
    assert update.sources_changed_at is None
    corrected = _edited(WIRE, b"White House", b"The White House press office")
    _reserve(site, "/story", corrected)
    outcome = article_process(article_id=article.pk, refetch=True)
    assert (outcome.state, outcome.changed) == ("ready", True)
    article.refresh_from_db()
    assert article.text != old_text
    assert article.text_version == 2
    revision = ArticleRevision.objects.get(article=article)
    assert (revision.version, revision.text) == (1, old_text)
    update.refresh_from_db()
    assert update.status == UpdateStatus.PUBLISHED
    assert update.sources_changed_at is not None


def test_changed_text_replaces_the_band_keys_and_a_first_store_deletes_none(site):
    url = _serve(site, "/story", WIRE)
    with CaptureQueriesContext(connection) as first:
        article = _ingest(url)
    assert not [
        q for q in first.captured_queries if "DELETE FROM events_articlebandkey" in q["sql"]
    ]
    old_keys = set(article.band_keys.values_list("key", flat=True))
    assert old_keys == set(fingerprint(article.text).band_keys)
    _reserve(site, "/story", _edited(WIRE, b"White House", b"The White House press office"))
    article_process(article_id=article.pk, refetch=True)
    article.refresh_from_db()
    new_keys = set(article.band_keys.values_list("key", flat=True))
    assert new_keys == set(fingerprint(article.text).band_keys) != old_keys


def test_unchanged_text_on_refetch_keeps_no_revision(site):
    article = _ingest(_serve(site, "/story", WIRE))
    outcome = article_process(article_id=article.pk, refetch=True)
    assert (outcome.state, outcome.changed, outcome.reason) == ("ready", False, "already processed")
    article.refresh_from_db()
    assert article.text_version == 1
    assert not ArticleRevision.objects.exists()


def test_failed_refetch_keeps_the_stored_article(site):
    article = _ingest(_serve(site, "/story", WIRE))
    site.clear_all_handlers()
    site.expect_request("/story").respond_with_data("", status=404)
    outcome = article_process(article_id=article.pk, refetch=True)
    assert outcome.reason == "HTTP 404"
    article.refresh_from_db()
    assert (article.state, article.text_version) == (ArticleState.READY, 1)


@pytest.mark.parametrize(
    ("name", "content_type", "language"),
    [
        ("bg_cp1251.html", "text/html; charset=windows-1251", "bg"),
        ("bg_cp1251_nometa.html", "text/html", "bg"),
        ("ru_koi8r.html", "text/html", "ru"),
        ("en_reuters_wire.html", HTML, "en"),
    ],
)
def test_language_is_detected_from_the_decoded_body(site, name, content_type, language):
    article = _ingest(_serve(site, "/page", (PAGES / name).read_bytes(), content_type))
    assert (article.detected_language, article.language) == (language, language)
    assert "\ufffd" not in article.text


def test_language_comes_from_the_body_not_the_title_or_the_markup(site):
    page = BG
    for old, new in (
        (b'<html lang="bg">', b'<html lang="en">'),
        (b'content="bg_BG"', b'content="en_US"'),
        (BG[BG.index(b"<title>") : BG.index(b"</title>")], b"<title>US asks Kazakhstan why"),
    ):
        page = _edited(page, old, new)
    article = _ingest(_serve(site, "/svyat/odks", page, "text/html; charset=windows-1251"))
    assert article.language == "bg"


def test_language_override_survives_reprocessing(site):
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    article = _ingest(url)
    article.language_override = "mk"
    article.save(update_fields=["language_override"])
    _reserve(site, "/svyat/odks", BG_CORRECTED)
    outcome = article_process(article_id=article.pk, refetch=True)
    assert outcome.changed
    article.refresh_from_db()
    assert article.text_version == 2
    assert (article.language, article.language_override) == ("mk", "mk")
    assert article.detected_language == "bg"


# --- entities and event suggestions -----------------------------------------------------------


def _alias(entity, name: str, language: str, *, acronym: bool = False) -> None:
    EntityAlias.objects.create(entity=entity, name=name, language=language, is_acronym=acronym)


@pytest.fixture
def crisis():
    """The CSTO deployment to Kazakhstan, its participants and their names in three languages,
    and an unrelated event."""
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev", slug="tokayev")
    csto = EntityFactory(
        name="Collective Security Treaty Organization", slug="csto", kind=EntityKind.ORGANISATION
    )
    kazakhstan = EntityFactory(name="Kazakhstan", slug="kazakhstan", kind=EntityKind.PLACE)
    for language, name in (("en", "Tokayev"), ("bg", "Токаев"), ("ru", "Токаев")):
        _alias(tokayev, name, language)
    for language, name in (("en", "CSTO"), ("bg", "ОДКС"), ("ru", "ОДКБ")):
        _alias(csto, name, language, acronym=True)
    for language, name in (("en", "Kazakhstan"), ("bg", "Казахстан"), ("ru", "Казахстан")):
        _alias(kazakhstan, name, language)
    deployment = EventFactory(
        slug="csto-deployment",
        title="CSTO troops deployed to Kazakhstan",
        summary="At President Tokayev's request the CSTO sends Russian and Belarusian troops to "
        "restore order after mass protests over gas prices.",
        start=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        place_entity=kazakhstan,
    )
    EventTranslation.objects.create(
        event=deployment,
        language="bg",
        title="ОДКС изпраща сили в Казахстан",
        summary="По искане на президента Токаев Организацията на Договора за колективна "
        "сигурност разполага руски и беларуски военни в Казахстан след масовите протести "
        "срещу поскъпването на газа; САЩ искат обяснение.",
    )
    for entity in (tokayev, csto):
        Participant.objects.create(event=deployment, entity=entity, role=ParticipantRole.ACTOR)
    Participant.objects.create(event=deployment, entity=kazakhstan, role=ParticipantRole.LOCATION)
    unrelated = EventFactory(
        slug="eurobasket",
        title="Basketball championship in Berlin",
        summary="Teams from across Europe play for the continental title.",
        start=dt.datetime(2022, 9, 1, tzinfo=dt.UTC),
    )
    return {
        "tokayev": tokayev,
        "csto": csto,
        "kazakhstan": kazakhstan,
        "deployment": deployment,
        "unrelated": unrelated,
    }


def test_mentions_record_counts_and_the_first_span_of_each_entity(site, crisis):
    article = _ingest(_serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251"))
    mentions = {m.entity_id: m for m in Mention.objects.filter(article=article)}
    expected = {"tokayev": "Токаев", "csto": "ОДКС", "kazakhstan": "Казахстан"}
    assert set(mentions) == {crisis[slug].pk for slug in expected}
    for slug, surface in expected.items():
        mention = mentions[crisis[slug].pk]
        assert article.text[mention.first_start : mention.first_end] == surface
        assert mention.first_start == article.text.index(surface)
        assert mention.count == article.text.count(surface) >= 2


def test_article_gets_a_suggestion_for_its_event_and_none_for_unrelated_ones(site, crisis):
    article = _ingest(_serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251"))
    link = ArticleEvent.objects.get(article=article)
    assert link.event == crisis["deployment"]
    assert (link.state, link.origin) == (LinkState.SUGGESTED, LinkOrigin.AUTO)
    assert 0.4 <= link.score <= 1
    assert link.decided_at is None


def test_article_on_another_subject_gets_no_suggestion(site, crisis):
    article = _ingest(_serve(site, "/sport/football", FOOTBALL))
    assert article.state == ArticleState.READY
    assert article.detected_language == "en"
    # It names Kazakhstan, the deployment's place, but shares nothing else with it.
    assert article.mentions.filter(entity=crisis["kazakhstan"]).exists()
    assert not ArticleEvent.objects.filter(article=article).exists()


def test_a_newly_published_update_counts_for_the_next_suggestions(site, crisis):
    # An event whose labels share no words with the Bulgarian story, only its entities.
    event = EventFactory(slug="request", title="Request for assistance", summary="")
    for entity in (crisis["tokayev"], crisis["csto"], crisis["kazakhstan"]):
        Participant.objects.create(event=event, entity=entity, role=ParticipantRole.ACTOR)
    crisis["deployment"].delete()
    football = _ingest(_serve(site, "/sport/football", FOOTBALL))  # profiles are built now
    assert not football.event_links.exists()
    editor = UserFactory()
    update = update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        headline="Токаев поиска от ОДКС съдействие срещу масовите протести",
        body="Руски и беларуски военни влязоха в Казахстан; Държавният департамент на САЩ "
        "очаква обяснение защо са били необходими сили на ОДКС.",
        language="bg",
        by=editor,
        citations=[CitationData(outlet_id=OutletFactory().pk)],
    )
    update_publish(update=update, by=editor)
    article = _ingest(_serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251"))
    assert list(article.event_links.values_list("event", flat=True)) == [event.pk]


def test_editor_decisions_are_not_overwritten_by_reprocessing(site, crisis):
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    article = _ingest(url)
    editor, now = UserFactory(), timezone.now()
    rejected = ArticleEvent.objects.get(article=article, event=crisis["deployment"])
    rejected.state, rejected.decided_by, rejected.decided_at = LinkState.REJECTED, editor, now
    rejected.save()
    confirmed = ArticleEvent.objects.create(
        article=article,
        event=crisis["unrelated"],
        score=0,
        origin=LinkOrigin.EDITOR,
        state=LinkState.CONFIRMED,
        decided_by=editor,
        decided_at=now,
    )
    _reserve(site, "/svyat/odks", BG_CORRECTED)
    assert article_process(article_id=article.pk, refetch=True).changed
    links = {link.pk: link for link in ArticleEvent.objects.filter(article=article)}
    assert set(links) == {rejected.pk, confirmed.pk}
    assert (links[rejected.pk].state, links[rejected.pk].decided_at) == (LinkState.REJECTED, now)
    assert (links[confirmed.pk].state, links[confirmed.pk].origin) == (
        LinkState.CONFIRMED,
        LinkOrigin.EDITOR,
    )


# --- idempotency ------------------------------------------------------------------------------


def test_processing_twice_leaves_one_article_and_one_set_of_mentions(site, crisis):
    url = _serve(site, "/svyat/odks", BG, "text/html; charset=windows-1251")
    article_id = article_register(url=url)
    first = article_process(article_id=article_id)
    mentions = set(Mention.objects.values_list("id", "entity_id", "count", "first_start"))
    again = article_process(article_id=article_id)
    refetched = article_process(article_id=article_id, refetch=True)
    assert (first.state, again.state, refetched.state) == ("ready", "ready", "ready")
    assert again.reason == "already processed"
    assert Article.objects.count() == 1
    assert Article.objects.get().text_version == 1
    assert set(Mention.objects.values_list("id", "entity_id", "count", "first_start")) == mentions
    assert ArticleEvent.objects.count() == 1


def test_registering_a_url_and_its_tracking_variant_creates_one_article(site):
    url = site.url_for("/story")
    first = article_register(url=url)
    assert first is not None
    assert article_register(url=url) is None
    assert article_register(url=f"{url}?utm_medium=social&gclid=1") is None
    assert Article.objects.get().pk == first
    assert ArticleURL.objects.filter(article_id=first).count() == 2


def test_registration_adds_only_the_new_url_to_an_article_that_knows_it():
    first = article_register(url="https://news.example/a?utm_source=x", title="A")
    article = Article.objects.get(pk=first)
    assert (article.canonical_url, article.title, article.state) == (
        "https://news.example/a",
        "A",
        "pending",
    )
    assert set(article.urls.values_list("url", flat=True)) == {
        "https://news.example/a?utm_source=x",
        "https://news.example/a",
    }
    # Known as a variant of another article: only the URL itself is added there.
    other = Article.objects.create(canonical_url="https://news.example/b")
    ArticleURL.objects.create(article=other, url="https://mirror.example/b?utm_source=y")
    assert article_register(url="https://mirror.example/b?utm_source=y") is None
    # Its canonical form is an article without the URL: both URLs become its variants.
    assert article_register(url="https://news.example/b?utm_campaign=z") is None
    assert set(other.urls.values_list("url", flat=True)) == {
        "https://mirror.example/b?utm_source=y",
        "https://news.example/b?utm_campaign=z",
        "https://news.example/b",
    }
    assert not ArticleURL.objects.filter(url="https://mirror.example/b").exists()
    assert Article.objects.count() == 2
