"""Browser tests: Playwright's sync API driving the Debian Chromium at /usr/bin/chromium
against pytest-django's ``live_server`` (a real threaded HTTP server on a transactional test
database: data a test creates is committed, so the server sees it).

Fixtures (use these names):

- ``browser`` (session): one headless Chromium. Where /usr/bin/chromium is missing the
  browser tests are skipped with a message saying so, except when the environment variable
  ``CI`` is set: there a missing Chromium fails the run.
- ``page`` (per test): a fresh context (locale en-US, no cookies) whose ``base_url`` is the
  live server, so ``page.goto("/events/x/")`` works. Depends on ``live_server``.
  ``page.dialogs`` lists every JavaScript dialog that opened (each is dismissed),
  ``page.errors`` every uncaught page error and console error (CSP violations included),
  ``page.failed_responses`` (status, url) of every response with status >= 400.
- ``screenshot(page, name)``: saves a full-page PNG as var/screenshots/<name>.png (var/ is
  git-ignored; CI keeps it as an artefact) and returns its path.
- ``login(page, live_server, user)``: signs ``user`` in for ``page`` by giving its context
  the session cookie of Django's ``Client.force_login`` (no login form involved).
- ``editor_user`` / ``reader_user``: saved users in the Editors group / without a role group.

ORM calls in a test body run while Playwright's event loop is alive in the same thread;
Django would refuse them as "async unsafe", so that check is switched off here (the test
and the loop never run concurrently).
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from events.models import EDITORS_GROUP
from tests.factories import UserFactory

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses ORM
# calls from a thread with a running loop unless told. pytest-django's own autouse fixtures
# (transactional database, live server) run before any fixture of ours could set it per test,
# so it is set for the process; subprocesses that must not see it drop it (tests/test_operations).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.fspath)).parents]
    if CHROMIUM.exists() or not ours:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"browser tests need Chromium at {CHROMIUM} and CI is set: install the Debian "
            "package `chromium`"
        )
    skip = pytest.mark.skip(
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt install chromium)"
    )
    for item in ours:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a loaded CI machine is slower, not wrong.
    expect.set_options(timeout=15_000)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.failed_responses = []

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on(
        "response",
        lambda r: page.failed_responses.append((r.status, r.url)) if r.status >= 400 else None,
    )
    yield page
    context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login() -> Callable[[Any, Any, Any], None]:
    def sign_in(page: Any, live_server: Any, user: Any) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return sign_in


@pytest.fixture
def editor_user(transactional_db: None) -> Any:
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    return user


@pytest.fixture
def reader_user(transactional_db: None) -> Any:
    return UserFactory(username="reader")
