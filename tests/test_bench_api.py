"""Smoke test of the API benchmark (`make bench`, never part of `make test`'s timings): a tiny
corpus, the real gunicorn server on this test's database, a few requests per endpoint and web
page (the review queue with an editor's session cookie) through the Python load driver in its
own process, and the shape of the report. No timing is asserted."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from pytest_django.fixtures import Settings

from bench import api_corpus, load
from bench.api_corpus import BENCH_EVENT, ApiCorpus
from bench.api_measure import (
    BARE,
    BUILT,
    CACHED,
    Breakdown,
    check_responses,
    endpoints,
    in_process_endpoints,
    measure,
    page_endpoints,
    print_profiles,
    print_table,
    profile_in_process,
    seq_scans,
    summarise,
)
from bench.api_pages import COMMON_NAME, page_subjects, rare_word
from bench.api_server import ServerConfig, gunicorn_server
from events.models import Article

REQUESTS = 6


@pytest.mark.django_db(transaction=True)  # the server processes must see the corpus
def test_corpus_server_load_and_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_corpus, "BATCH", 20)  # three batches for two loader threads
    # The server's, whatever this shell says.
    monkeypatch.setenv("API_ANON_CACHE_SECONDS", "2")
    monkeypatch.setenv("WEB_ANON_CACHE_SECONDS", "2")
    steps: list[str] = []
    size = ApiCorpus(seed=3).build(
        articles=50, events=3, timeline=12, workers=2, progress=steps.append
    )
    assert (size.articles, size.events) == (50, 3)
    # Ids were given, and the sequence moved past them.
    assert Article.objects.create(canonical_url="https://new.example/1").pk > 50
    assert 0 < size.listed_articles < 50  # failed, pending and copies are not listed
    assert size.bench_event_updates > 0 and size.citations >= size.updates
    assert size.mentions > 0 and size.article_event_links > 0
    assert steps[1:] == ["20 articles", "40 articles", "50 articles"]

    pool = ["коллективные переговоры", "коллективные переговоры.", "Коллективные, коллективные"]
    assert rare_word(pool) == "переговоры"  # long, lowercase, in the fewest texts
    subjects = page_subjects(rare="коллективные")
    assert subjects.editor_cookie.startswith(f"{settings.SESSION_COOKIE_NAME}=")
    pages = page_endpoints(subjects)
    targets = endpoints() + pages
    assert targets[0].label == BARE and f"/events/{BENCH_EVENT}/timeline/" in targets[1].path
    # Each API endpoint twice: served as polling readers are (cached), and built every time.
    assert [e.fresh for e in targets[1:9]] == [False, True] * 4
    assert [e.label for e in targets[1:3]] == ["timeline" + CACHED, "timeline" + BUILT]
    anonymous = [
        "/",
        f"/events/{BENCH_EVENT}/",
        f"/articles/{subjects.article}/",
        f"/entities/{subjects.entity}/",
        "/search/",
        "/search/",
    ]
    # Each anonymous page twice (cached, built), the editor's queue once (always built).
    assert [page.path.split("?")[0] for page in pages] == [
        *(path for path in anonymous for _ in range(2)),
        "/editor/review/",
    ]
    assert [bool(page.cookie) for page in pages] == [False] * 12 + [True]
    assert [page.fresh for page in pages] == [False, True] * 6 + [False]
    assert pages[0].label == "page: home" + CACHED and pages[1].label == "page: home" + BUILT
    with gunicorn_server(
        database=connection.settings_dict["NAME"],
        redis_prefix=settings.REDIS_KEY_PREFIX,
        config=ServerConfig(workers=1, threads=2),
    ) as base_url:
        shapes = check_responses(base_url, targets)
        results = measure(
            base_url,
            targets,
            run=load.run_python,
            rounds=1,
            duration=30,
            warmup=0,
            connections=2,
            max_requests=REQUESTS,
        )
    assert shapes[BARE] == "fixed body, 0.1 KB"
    assert shapes["timeline" + CACHED].startswith(f"{size.bench_event_updates} rows, ")
    # The server runs with the default TTL: a repeated anonymous read is a hit; a unique URL
    # never is.
    assert shapes["timeline" + CACHED].endswith("from the micro-cache"), shapes
    assert shapes["timeline" + BUILT].endswith(", built"), shapes
    assert shapes["articles ?event=<slug>" + BUILT].endswith(", built"), shapes
    # Every page answered 200 with HTML: the review queue too, so the session was accepted
    # over plain HTTP (anonymous, it redirects to the sign-in page).
    assert all(shapes[page.label].startswith("HTML, ") for page in pages), shapes
    # The pages' micro-cache answers a repeated anonymous page; a unique URL is built.
    assert shapes["page: home" + CACHED].endswith("from the micro-cache"), shapes
    assert shapes["page: event" + BUILT].endswith(", built"), shapes
    assert shapes["page: editor review queue"].endswith(", built"), shapes

    rows = summarise(results)
    assert [row.endpoint for row in rows] == [endpoint.label for endpoint in targets]
    assert [row.page for row in rows] == [endpoint.page for endpoint in targets]
    for row, result in zip(rows, results, strict=True):
        # No error: the load driver sent the editor's cookie (a redirect would count as one).
        assert (row.requests, row.errors) == (REQUESTS, 0), row
        assert len(result.runs) == 1
        assert row.per_second > 0 and 0 < row.p50_ms <= row.p99_ms
    assert rows[0].ratio == 1.0 and all(row.ratio > 0 for row in rows)

    print_table(rows, results)
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["endpoint", "req/s", "p50", "ms"]
    assert len(table) == 1 + len(targets)


@pytest.mark.django_db
def test_in_process_breakdown(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    # As served (tests/settings.py switches them off).
    settings.API_ANON_CACHE_SECONDS = 30
    settings.WEB_ANON_CACHE_SECONDS = 30
    ApiCorpus(seed=4).build(articles=30, events=2, timeline=8, progress=lambda _: None)
    pages = page_endpoints(page_subjects(rare="коллективные"))
    profiles = profile_in_process(in_process_endpoints(endpoints() + pages), requests=2)
    assert profiles[0].endpoint == BARE and profiles[0].queries == (0,)
    for profile in profiles[1:]:
        # The same statements on every request, each listed with its time; none on a hit.
        hits = profile.endpoint.endswith(CACHED)
        assert len(profile.queries) == 1 and (profile.queries[0] == 0) == hits, profile
        assert len(profile.statements) == profile.queries[0] == len(profile.scans)
        if hits and not profile.page:  # pages have no rate limit
            assert profile.parts_ms["throttle"] > 0  # the rate is counted on every hit
    by_label = {profile.endpoint: profile for profile in profiles}
    for page in pages:
        profile = by_label[page.label]
        # A page from the micro-cache renders nothing; a built one does.
        rendered = profile.parts_ms["templates"] > 0
        assert profile.page and rendered != profile.endpoint.endswith(CACHED), profile
    # The review queue was rendered for the signed-in editor: its user was read, its session
    # came from the cache (cached_db), not from a session row.
    review = by_label[pages[-1].label]
    assert any('FROM "events_user"' in sql for sql, _ in review.statements)
    assert not any("django_session" in sql for sql, _ in review.statements)
    search = by_label["page: search common name" + BUILT]
    assert any('"search" @@' in sql for sql, _ in search.statements)
    assert pages[8].path == pages[9].path == f"/search/?q={quote(COMMON_NAME)}"
    for profile in profiles:
        assert set(profile.parts_ms) == set(Breakdown.PARTS)
        assert all(ms >= 0 for ms in profile.parts_ms.values())
        assert sum(profile.parts_ms.values()) <= profile.ms
    print_profiles(profiles)
    out = capsys.readouterr().out
    assert "SELECT … FROM citation" in out and "SELECT … FROM mention" in out
    assert "page: editor review queue" in out


@pytest.mark.django_db
def test_sequential_scans_of_big_tables_are_named() -> None:
    # A filter no index serves reads the whole table; a primary-key lookup does not.
    scans = seq_scans("SELECT id FROM events_article WHERE text LIKE %s", ["%x%"])
    assert scans == ("article: Seq Scan, 0 rows",)
    assert seq_scans("SELECT id FROM events_article WHERE id = %s", [1]) == ()
    assert seq_scans("SELECT id FROM events_outlet WHERE name LIKE %s", ["%x%"]) == ()
