"""Every API error is application/problem+json with a stable type; bad input is a 400 naming
the parameter, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

PROBLEMS = "https://tracker.invalid/problems/"


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEMS + slug
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/events/?kind=war", "kind"),
        ("/api/v1/events/?status=rumoured", "status"),
        ("/api/v1/events/?starts_after=yesterday", "starts_after"),
        ("/api/v1/events/?starts_before=2022-13-45", "starts_before"),
        ("/api/v1/events/?updated_since=not-a-date", "updated_since"),
        ("/api/v1/events/?lang=English", "lang"),
        ("/api/v1/events/?cursor=garbage", "cursor"),
        ("/api/v1/events/?page_size=many", "page_size"),
        ("/api/v1/events/?page_size=0", "page_size"),
        ("/api/v1/articles/?published_after=2022-01-XX", "published_after"),
        ("/api/v1/articles/?published_before=soon", "published_before"),
        ("/api/v1/articles/?include_duplicates=maybe", "include_duplicates"),
        ("/api/v1/articles/?cursor=bz14", "cursor"),
        ("/api/v1/entities/?kind=alien", "kind"),
        ("/api/v1/outlets/?page_size=-3", "page_size"),
    ],
)
def test_bad_parameter_is_400_naming_the_field(client, path: str, field: str) -> None:
    body = _problem(client.get(path), 400, "validation")

    assert field in body["errors"]
    assert all(isinstance(message, str) for message in body["errors"][field])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/events/no-such-event/",
        "/api/v1/events/no-such-event/timeline/",
        "/api/v1/articles/999999/",
        "/api/v1/articles/abc/",
    ],
)
def test_unknown_path_or_object_is_404_problem(client, path: str) -> None:
    _problem(client.get(path), 404, "not-found")


def test_write_on_a_read_endpoint_is_405_problem(client) -> None:
    _problem(client.post("/api/v1/outlets/", {}), 405, "method-not-allowed")


def test_page_size_above_the_cap_is_capped(client) -> None:
    assert client.get("/api/v1/events/?page_size=5000").status_code == 200


def test_unexpected_error_is_a_500_problem_without_internals(client, monkeypatch) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("events.selectors.api.event_list_api", broken)

    body = _problem(client.get("/api/v1/events/"), 500, "server-error")

    assert "secret" not in str(body)
