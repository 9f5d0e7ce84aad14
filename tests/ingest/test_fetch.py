"""The ingestion HTTP client against a real local HTTP server.

The server listens on 127.0.0.1, so fetches that should reach it allow private networks (or
exempt 127.0.0.1 only). Tests of refused addresses never send traffic anywhere: the refusal
happens before connecting, and they assert on the error only.
"""

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from events.ingest.fetch import Fetcher, FetchError, FetchPolicy

UA = "tracker-tests/1.0 (+https://example.org/bot)"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[HTTPServer]:
    # Threaded, unlike the plugin's default server: slow and concurrent handlers must overlap.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def http(threaded_server: HTTPServer) -> HTTPServer:
    threaded_server.clear()
    # A one-shot handler registered by a test takes precedence over this one.
    threaded_server.expect_request("/robots.txt").respond_with_data("", status=404)
    return threaded_server


@pytest.fixture
def make_fetcher() -> Iterator[Callable[..., Fetcher]]:
    fetchers: list[Fetcher] = []

    def make(**policy: object) -> Fetcher:
        settings: dict[str, object] = {"user_agent": UA, "allow_private_networks": True, **policy}
        fetcher = Fetcher(FetchPolicy(**settings))  # type: ignore[arg-type]
        fetchers.append(fetcher)
        return fetcher

    yield make
    for fetcher in fetchers:
        fetcher.close()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown so handlers that hang on purpose let the server go."""
    event = threading.Event()
    yield event
    event.set()


def _paths(server: HTTPServer, *paths: str) -> list[str]:
    # A handler a previous test left hanging may finish, and be logged, during this one.
    return [request.path for request, _ in server.log if request.path in paths]


def _page_requests(server: HTTPServer) -> list[Request]:
    return [request for request, _ in server.log if request.path not in ("/robots.txt", "/silent")]


def test_fetch_returns_body_and_metadata(http, make_fetcher):
    http.expect_request("/article").respond_with_data(
        "<html>Токаев</html>".encode("cp1251"),
        content_type="text/html; charset=Windows-1251",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 05 Jan 2022 10:00:00 GMT"},
    )
    url = http.url_for("/article")

    result = make_fetcher().fetch(url)

    assert result.status == 200
    assert result.body == "<html>Токаев</html>".encode("cp1251")
    assert (result.content_type, result.charset) == ("text/html", "windows-1251")
    assert (result.etag, result.last_modified) == ('"v1"', "Wed, 05 Jan 2022 10:00:00 GMT")
    assert result.headers["etag"] == '"v1"'
    assert (result.requested_url, result.final_url, result.redirect_chain) == (url, url, ())
    assert not result.not_modified
    sent = _page_requests(http)[0].headers
    assert sent["User-Agent"] == UA
    assert sent["Accept-Encoding"] == "gzip, deflate"


def _conditional(header: str, value: str) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        if request.headers.get(header) == value:
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("fresh", headers={"ETag": '"v1"'})

    return handler


@pytest.mark.parametrize(
    ("header", "value", "argument"),
    [
        ("If-None-Match", '"v1"', {"etag": '"v1"'}),
        ("If-Modified-Since", "Wed, 05 Jan 2022 10:00:00 GMT",
         {"last_modified": "Wed, 05 Jan 2022 10:00:00 GMT"}),
    ],
)  # fmt: skip
def test_conditional_get_gives_not_modified(http, make_fetcher, header, value, argument):
    http.expect_request("/feed").respond_with_handler(_conditional(header, value))
    fetcher = make_fetcher()

    unchanged = fetcher.fetch(http.url_for("/feed"), **argument)
    fresh = fetcher.fetch(http.url_for("/feed"))

    assert (unchanged.status, unchanged.not_modified, unchanged.body) == (304, True, b"")
    assert unchanged.etag == '"v1"'
    assert (fresh.status, fresh.not_modified, fresh.body) == (200, False, b"fresh")


def test_http_404_is_permanent(http, make_fetcher):
    http.expect_request("/gone").respond_with_data("no", status=404)

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/gone"))

    assert (caught.value.reason, caught.value.status, caught.value.temporary) == (
        "HTTP 404",
        404,
        False,
    )


@pytest.mark.parametrize("status", [500, 502, 503, 408])
def test_server_errors_are_temporary(http, make_fetcher, status):
    http.expect_request("/flaky").respond_with_data("busy", status=status)

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/flaky"))

    assert (caught.value.reason, caught.value.temporary) == (f"HTTP {status}", True)


def test_429_retry_after_in_seconds(http, make_fetcher):
    http.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": "120"})

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/busy"))

    assert (caught.value.temporary, caught.value.status, caught.value.retry_after) == (
        True,
        429,
        120.0,
    )


def test_503_retry_after_as_http_date(http, make_fetcher):
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    http.expect_request("/busy").respond_with_data("", status=503, headers={"Retry-After": later})

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/busy"))

    assert caught.value.temporary
    assert 3500 < caught.value.retry_after <= 3600


def test_redirect_chain_is_followed_and_reported(http, make_fetcher):
    http.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    http.expect_request("/b").respond_with_data(
        "", status=302, headers={"Location": http.url_for("/c?x=1")}
    )
    http.expect_request("/c").respond_with_data("final")

    result = make_fetcher().fetch(http.url_for("/a"))

    assert result.body == b"final"
    assert result.final_url == http.url_for("/c?x=1")
    assert result.redirect_chain == (http.url_for("/a"), http.url_for("/b"))


def test_redirect_loop_is_an_error(http, make_fetcher):
    http.expect_request("/one").respond_with_data("", status=302, headers={"Location": "/two"})
    http.expect_request("/two").respond_with_data("", status=307, headers={"Location": "/one"})

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/one"))

    assert (caught.value.reason, caught.value.temporary) == ("redirect loop", False)


def _hops(request: Request) -> Response:
    hop = int(request.path.rsplit("/", 1)[1])
    if hop == 6:
        return Response("arrived")
    return Response(status=302, headers={"Location": f"/hop/{hop + 1}"})


def test_redirect_cap(http, make_fetcher):
    http.expect_request("/hop/0").respond_with_handler(_hops)
    for hop in range(1, 7):
        http.expect_request(f"/hop/{hop}").respond_with_handler(_hops)
    fetcher = make_fetcher(max_redirects=5)

    assert fetcher.fetch(http.url_for("/hop/1")).body == b"arrived"
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(http.url_for("/hop/0"))

    assert (caught.value.reason, caught.value.temporary) == ("too many redirects (6)", False)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.5/secret", "refused: 10.0.0.5 is a private address"),
        ("http://169.254.169.254/latest/meta-data/",
         "refused: 169.254.169.254 is a link-local address"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "refused: ::ffff:10.0.0.1 is a private address"),
    ],
)  # fmt: skip
def test_redirect_to_private_address_is_refused(http, make_fetcher, target, reason):
    http.expect_request("/go").respond_with_data("", status=302, headers={"Location": target})
    fetcher = make_fetcher(allow_private_networks=False, allowed_networks=("127.0.0.1/32",))

    with pytest.raises(FetchError) as caught:
        fetcher.fetch(http.url_for("/go"))

    assert (caught.value.reason, caught.value.temporary) == (reason, False)


def test_redirect_to_other_scheme_is_refused(http, make_fetcher):
    http.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/go"))

    assert caught.value.reason.startswith("redirect to invalid URL: not an http(s) URL")
    assert not caught.value.temporary


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/", "refused: 10.0.0.5 is a private address"),
        ("http://169.254.169.254/", "refused: 169.254.169.254 is a link-local address"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "refused: ::ffff:10.0.0.1 is a private address"),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "refused: 224.0.0.1 is a multicast address"),
    ],
)
def test_private_addresses_are_refused_before_connecting(make_fetcher, url, reason):
    fetcher = make_fetcher(allow_private_networks=False, connect_timeout=0.5)

    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)

    assert (caught.value.reason, caught.value.temporary) == (reason, False)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_local_server_is_refused_after_dns_resolution(http, make_fetcher, host):
    http.expect_request("/page").respond_with_data("secret")
    url = http.url_for("/page").replace("127.0.0.1", host)

    with pytest.raises(FetchError) as caught:
        make_fetcher(allow_private_networks=False).fetch(url)

    assert caught.value.reason.startswith("refused: ")
    assert _paths(http, "/robots.txt", "/page") == []  # not even robots.txt was asked for


def test_connection_keeps_host_name_in_host_header(http, make_fetcher):
    http.expect_request("/page").respond_with_data("ok")
    url = f"http://localhost:{http.port}/page"

    assert make_fetcher(allowed_networks=("127.0.0.1/32",)).fetch(url).body == b"ok"
    assert _page_requests(http)[0].headers["Host"] == f"localhost:{http.port}"


def test_refused_connection_is_temporary(make_fetcher):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(f"http://127.0.0.1:{closed_port}/", check_robots=False)

    assert caught.value.reason.startswith("connection failed: ")
    assert caught.value.temporary


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
    ],
)
def test_compressed_body_is_decoded(http, make_fetcher, encoding, compress):
    page = "<html>Казахстан</html>".encode() * 100
    http.expect_request("/page").respond_with_data(
        compress(page), headers={"Content-Encoding": encoding}, content_type="text/html"
    )

    assert make_fetcher().fetch(http.url_for("/page")).body == page


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return gzip.compress(bytes(50 * MIB), compresslevel=9)


def test_gzip_bomb_is_cut_at_max_bytes(http, make_fetcher, gzip_bomb):
    http.expect_request("/bomb").respond_with_data(
        gzip_bomb, headers={"Content-Encoding": "gzip"}, content_type="text/html"
    )

    with pytest.raises(FetchError) as caught:
        make_fetcher(max_bytes=MIB).fetch(http.url_for("/bomb"))

    assert (caught.value.reason, caught.value.temporary) == (
        f"body larger than {MIB} bytes",
        False,
    )


def _streamed(data: bytes) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        # No Content-Length: the cap must hold while streaming, not only on the header.
        return Response(data[i : i + 65536] for i in range(0, len(data), 65536))

    return handler


@pytest.mark.parametrize("streamed", [False, True])
def test_body_over_max_bytes_is_refused(http, make_fetcher, streamed):
    big = bytes(2 * MIB)
    if streamed:
        http.expect_request("/big").respond_with_handler(_streamed(big))
    else:
        http.expect_request("/big").respond_with_data(big)

    with pytest.raises(FetchError) as caught:
        make_fetcher(max_bytes=MIB).fetch(http.url_for("/big"))

    assert caught.value.reason == f"body larger than {MIB} bytes"


def test_trickling_server_hits_the_total_deadline(http, make_fetcher, release):
    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(100):
                if release.wait(0.05):
                    return
                yield b"x"

        return Response(body())

    http.expect_request("/slow").respond_with_handler(trickle)

    with pytest.raises(FetchError) as caught:
        make_fetcher(total_timeout=1, read_timeout=5).fetch(http.url_for("/slow"))

    assert (caught.value.reason, caught.value.temporary) == ("timed out after 1s", True)


def test_silent_server_hits_the_read_timeout(http, make_fetcher, release):
    def silent(request: Request) -> Response:
        release.wait(10)
        return Response("too late")

    http.expect_request("/silent").respond_with_handler(silent)

    with pytest.raises(FetchError) as caught:
        make_fetcher(read_timeout=0.3).fetch(http.url_for("/silent"))

    assert (caught.value.reason, caught.value.temporary) == ("read timed out after 0.3s", True)


def test_robots_disallow_is_honoured(http, make_fetcher):
    http.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    http.expect_request("/private/page").respond_with_data("hidden")
    http.expect_request("/public/page").respond_with_data("open")
    fetcher = make_fetcher()

    with pytest.raises(FetchError) as caught:
        fetcher.fetch(http.url_for("/private/page"))
    public = fetcher.fetch(http.url_for("/public/page"))

    assert (caught.value.reason, caught.value.temporary) == ("disallowed by robots.txt", False)
    assert public.body == b"open"
    assert _paths(http, "/robots.txt", "/private/page", "/public/page") == [
        "/robots.txt",
        "/public/page",
    ]
    assert fetcher.fetch(http.url_for("/private/page"), check_robots=False).body == b"hidden"


def test_robots_is_checked_on_every_redirect_hop(http, make_fetcher):
    http.expect_oneshot_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /x/\n")
    http.expect_request("/go").respond_with_data("", status=302, headers={"Location": "/x/page"})

    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(http.url_for("/go"))

    assert caught.value.reason == "disallowed by robots.txt"


def _fetch_concurrently(fetcher: Fetcher, url: str, count: int) -> list[bytes]:
    bodies: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(fetcher.fetch(url).body))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return bodies


def test_per_host_concurrency_is_respected(http, make_fetcher):
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most ever

    def slow(request: Request) -> Response:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.2)
        with lock:
            in_flight[0] -= 1
        return Response("done")

    http.expect_request("/slow").respond_with_handler(slow)

    bodies = _fetch_concurrently(make_fetcher(per_host_concurrency=1), http.url_for("/slow"), 3)

    assert bodies == [b"done"] * 3
    assert in_flight[1] == 1


def test_per_host_concurrency_allows_up_to_the_limit(http, make_fetcher):
    # Each request waits until all three are in the server at once; a limit below three
    # would leave them waiting and the barrier would break.
    barrier = threading.Barrier(3, timeout=5)

    def together(request: Request) -> Response:
        barrier.wait()
        return Response("done")

    http.expect_request("/together").respond_with_handler(together)

    bodies = _fetch_concurrently(make_fetcher(per_host_concurrency=3), http.url_for("/together"), 3)

    assert bodies == [b"done"] * 3


@pytest.mark.parametrize("url", ["ftp://example.com/file", "http:///no-host", "not a url"])
def test_invalid_url_is_permanent(make_fetcher, url):
    with pytest.raises(FetchError) as caught:
        make_fetcher().fetch(url)

    assert caught.value.reason.startswith("invalid URL: ")
    assert not caught.value.temporary


@pytest.mark.parametrize(
    "settings",
    [
        {"user_agent": ""},
        {"total_timeout": 0},
        {"per_host_concurrency": 0},
        {"max_bytes": 0},
        {"allowed_networks": ("not-a-network",)},
    ],
)
def test_policy_refuses_settings_that_would_hang_or_disable_a_limit(settings):
    with pytest.raises(ValueError):
        FetchPolicy(**{"user_agent": UA, **settings})
