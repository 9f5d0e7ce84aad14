"""Article submissions (202 + status), feeds (editors only, private addresses refused) and
editors' decisions on article ↔ event links, over the API."""

import pytest

from events import models
from tests import factories
from tests.api.conftest import check_schema, problem_fields, send

pytestmark = pytest.mark.django_db
ARTICLE_URL = "https://www.bbc.com/news/world-asia-59885210"


def test_submitting_an_article_is_202_with_a_status_url(
    client, as_role, openapi, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = send(
            client,
            "post",
            "/api/v1/articles/",
            {"url": ARTICLE_URL + "?utm_source=x"},
            **as_role("editor"),
        )

    assert response.status_code == 202, response.content
    body = response.json()
    article = models.Article.objects.get()
    assert (body["id"], body["url"], body["state"], body["article"]) == (
        article.pk, ARTICLE_URL, "pending", None,
    )  # fmt: skip
    assert (
        response["Location"] == f"/api/v1/articles/submissions/{article.pk}/" == body["status_url"]
    )
    assert len(callbacks) == 1  # the processing task, enqueued once the row is committed
    check_schema(openapi, "/api/v1/articles/", "post", response)
    status = client.get(response["Location"], **as_role("editor"))
    assert status.status_code == 200
    check_schema(openapi, "/api/v1/articles/submissions/{id}/", "get", status)


def test_a_known_url_is_200_with_the_existing_article_and_enqueues_nothing(
    client, as_role, django_capture_on_commit_callbacks
) -> None:
    article = factories.ArticleFactory(canonical_url=ARTICLE_URL)
    models.ArticleURL.objects.create(article=article, url=ARTICLE_URL)

    with django_capture_on_commit_callbacks() as callbacks:
        response = send(
            client, "post", "/api/v1/articles/", {"url": ARTICLE_URL}, **as_role("editor")
        )

    assert response.status_code == 200
    assert response.json()["id"] == article.pk
    assert response.json()["article"] == f"/api/v1/articles/{article.pk}/"
    assert callbacks == []
    assert models.Article.objects.count() == 1


def test_status_shows_a_failure(client, as_role) -> None:
    article = factories.ArticleFactory(state="failed", failure_reason="HTTP 404", text="")
    models.Article.objects.filter(pk=article.pk).update(attempts=2)

    body = client.get(f"/api/v1/articles/submissions/{article.pk}/", **as_role("editor")).json()

    assert (body["state"], body["attempts"], body["last_error"]) == ("failed", 2, "HTTP 404")


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://example.org/file", "http://127.0.0.1/news", "http://localhost:8000/x",
     "http://10.1.2.3/story", "http://[::1]/story", "https://example.org/" + "a" * 2100],
)  # fmt: skip
def test_bad_or_private_article_urls_are_400_naming_url(client, as_role, url) -> None:
    response = send(client, "post", "/api/v1/articles/", {"url": url}, **as_role("editor"))

    assert problem_fields(response) == {"url"}
    assert not models.Article.objects.exists()


def test_private_urls_are_accepted_when_the_installation_allows_them(
    client, as_role, settings
) -> None:
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True

    response = send(
        client,
        "post",
        "/api/v1/articles/",
        {"url": "http://127.0.0.1:8001/story"},
        **as_role("editor"),
    )

    assert response.status_code == 202


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_only_editors_submit_and_see_submissions(client, as_role, role, status) -> None:
    article = factories.ArticleFactory(state="pending")

    submit = send(client, "post", "/api/v1/articles/", {"url": ARTICLE_URL}, **as_role(role))
    seen = client.get(f"/api/v1/articles/submissions/{article.pk}/", **as_role(role))

    assert (submit.status_code, seen.status_code) == (status, status)
    assert models.Article.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_feeds_are_for_editors_only(client, as_role, role, status) -> None:
    feed = models.Feed.objects.create(url="https://feeds.example.org/rss")

    assert client.get("/api/v1/feeds/", **as_role(role)).status_code == status
    assert client.get(f"/api/v1/feeds/{feed.pk}/", **as_role(role)).status_code == status
    assert (
        send(
            client, "post", "/api/v1/feeds/", {"url": "https://x.example.org/rss"}, **as_role(role)
        ).status_code
        == status
    )
    assert (
        send(
            client, "patch", f"/api/v1/feeds/{feed.pk}/", {"is_active": False}, **as_role(role)
        ).status_code
        == status
    )
    assert client.post(f"/api/v1/feeds/{feed.pk}/poll/", **as_role(role)).status_code == status
    assert models.Feed.objects.get().is_active


def test_feed_register_list_edit_poll(client, as_role, openapi) -> None:
    outlet = factories.OutletFactory(slug="bbc")
    models.OutletDomain.objects.create(outlet=outlet, domain="bbci.co.uk")
    url = "https://feeds.bbci.co.uk/news/world/rss.xml"

    created = send(
        client, "post", "/api/v1/feeds/", {"url": url, "language": "en"}, **as_role("editor")
    )
    again = send(
        client, "post", "/api/v1/feeds/", {"url": url + "?utm_source=x"}, **as_role("editor")
    )
    listed = client.get("/api/v1/feeds/", **as_role("editor"))
    feed_url = created["Location"]
    paused = send(
        client, "patch", feed_url, {"is_active": False, "title": "BBC World"}, **as_role("editor")
    )
    poll_paused = client.post(f"{feed_url}poll/", **as_role("editor"))
    resumed = send(client, "patch", feed_url, {"is_active": True}, **as_role("editor"))
    polled = client.post(f"{feed_url}poll/", **as_role("editor"))

    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["outlet"]["slug"] == "bbc"
    assert created.json()["health"] == "unknown"
    check_schema(openapi, "/api/v1/feeds/", "post", created)
    check_schema(openapi, "/api/v1/feeds/", "get", listed)
    assert [f["url"] for f in listed.json()["results"]] == [url]
    assert (paused.json()["is_active"], paused.json()["title"]) == (False, "BBC World")
    check_schema(openapi, "/api/v1/feeds/{id}/", "patch", paused)
    assert problem_fields(poll_paused) == {"is_active"}
    assert resumed.json()["is_active"] is True
    assert polled.status_code == 202
    check_schema(openapi, "/api/v1/feeds/{id}/poll/", "post", polled)
    assert models.Feed.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://192.168.1.1/rss"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://feeds.example.org/rss", "language": "English"}, "language"),
        ({"url": "https://feeds.example.org/rss", "poll": True}, "poll"),
    ],
)
def test_bad_feed_bodies_are_400(client, as_role, body, field) -> None:
    response = send(client, "post", "/api/v1/feeds/", body, **as_role("editor"))

    assert problem_fields(response) == {field}
    assert not models.Feed.objects.exists()


def test_feed_patch_refuses_polling_state(client, as_role) -> None:
    feed = models.Feed.objects.create(url="https://feeds.example.org/rss")

    response = send(
        client, "patch", f"/api/v1/feeds/{feed.pk}/", {"health": "healthy"}, **as_role("editor")
    )

    assert problem_fields(response) == {"health"}


# --- article ↔ event decisions ---------------------------------------------------------------


@pytest.fixture
def suggestion() -> models.ArticleEvent:
    return models.ArticleEvent.objects.create(
        article=factories.ArticleFactory(), event=factories.EventFactory(slug="csto"), score=0.6
    )


def test_confirm_and_reject_a_suggestion(client, as_role, openapi, suggestion) -> None:
    base = f"/api/v1/articles/{suggestion.article_id}/events/csto"

    confirmed = client.post(f"{base}/confirm/", **as_role("editor"))
    rejected = client.post(f"{base}/reject/", **as_role("editor"))

    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "confirmed"
    check_schema(openapi, "/api/v1/articles/{id}/events/{slug}/confirm/", "post", confirmed)
    assert rejected.json()["state"] == "rejected"
    link = models.ArticleEvent.objects.get()
    assert (link.state, link.decided_by.username) == ("rejected", "api-editor")


def test_attach_without_a_suggestion_and_confirm_needs_one(client, as_role) -> None:
    article = factories.ArticleFactory()
    factories.EventFactory(slug="nato-russia")

    missing = client.post(
        f"/api/v1/articles/{article.pk}/events/nato-russia/confirm/", **as_role("editor")
    )
    attached = client.post(
        f"/api/v1/articles/{article.pk}/events/nato-russia/", **as_role("editor")
    )

    assert missing.status_code == 404
    assert (attached.status_code, attached.json()["origin"], attached.json()["state"]) == (
        200, "editor", "confirmed",
    )  # fmt: skip


def test_a_failed_article_cannot_be_linked(client, as_role) -> None:
    article = factories.ArticleFactory(state="failed", failure_reason="HTTP 404")
    factories.EventFactory(slug="csto")

    response = client.post(f"/api/v1/articles/{article.pk}/events/csto/", **as_role("editor"))

    assert problem_fields(response) == {"article"}
    assert not models.ArticleEvent.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_only_editors_decide(client, as_role, suggestion, role, status) -> None:
    response = client.post(
        f"/api/v1/articles/{suggestion.article_id}/events/csto/confirm/", **as_role(role)
    )

    assert response.status_code == status
    assert models.ArticleEvent.objects.get().state == "suggested"


def test_feed_list_queries_do_not_grow_with_rows(client, as_role) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/feeds/", **as_role("editor")).status_code == 200
        return len(queries)

    outlet = factories.OutletFactory()
    models.Feed.objects.create(url="https://feeds.example.org/0", outlet=outlet)
    count()  # the first request also records the key's use
    few = count()
    for n in range(1, 12):
        models.Feed.objects.create(
            url=f"https://feeds.example.org/{n}", outlet=factories.OutletFactory()
        )

    assert count() == few
