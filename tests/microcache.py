"""What the micro-cache tests share (tests/api/test_microcache.py for the API's,
tests/web/test_page_microcache.py for the reader pages'): their entries in Redis, a request
with the statements it ran (none: a hit), and a response's headers."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import models
from events.api import throttling
from events.microcache import LocalEntries
from tests import factories
from tests.api.conftest import cited_update


def entry_keys(pattern: str) -> list[bytes]:
    """The Redis keys of this run's entries matching ``pattern`` (before the prefix)."""
    match = throttling.redis_key(pattern)
    return list(throttling.redis_client().scan_iter(match=match, count=1000))


def clear_entries(pattern: str, local: LocalEntries) -> None:
    for key in entry_keys(pattern):
        throttling.redis_client().delete(key)
    local.clear()


def switched_on(setting: str, pattern: str, local: LocalEntries, ttl: int) -> Callable[..., Any]:
    """A ``micro`` fixture: the cache's ``setting`` at ``ttl`` seconds, its entries (keys
    matching ``pattern`` and ``local``'s copies) cleared before and after, since every test
    of this run shares the key prefix."""

    @pytest.fixture
    def micro(settings: Any) -> Iterator[Any]:
        setattr(settings, setting, ttl)
        clear_entries(pattern, local)
        yield settings
        clear_entries(pattern, local)

    return micro


def get_counted(client: Any, url: str, **headers: str) -> tuple[Any, int]:
    """The response and the number of SQL statements it ran (0: a hit)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def headers_but(response: Any, own: set[str]) -> dict[str, str]:
    """The response's headers, lower-cased, without those in ``own``."""
    return {name.lower(): value for name, value in response.items() if name.lower() not in own}


def csto_event() -> models.Event:
    """An event with one published, cited line."""
    event = factories.EventFactory(slug="csto-deployment", title="CSTO deployment")
    cited_update(event)
    return event
