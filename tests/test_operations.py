"""Operating the tracker: safe defaults, a clean deploy check, and one-line errors for the
mistakes an operator makes (unreachable servers, a busy port, a missing secret)."""

import os
import secrets
import socket
import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs, not a deployment's.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {**inherited, "DJANGO_SETTINGS_MODULE": "tracker.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_deploy_check_is_clean_with_debug_off_and_a_real_secret():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="tracker.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_laptop_defaults_are_local_and_need_no_secret():
    probe = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SECURE_SSL_REDIRECT)"
    )
    result = _manage("shell", "-v", "0", "-c", probe, DEBUG="", ALLOWED_HOSTS="", SECRET_KEY="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['localhost', '127.0.0.1', '[::1]'] False"


def test_public_host_without_secret_key_is_refused_in_one_line():
    result = _manage("check", ALLOWED_HOSTS="tracker.example.org", SECRET_KEY="")
    assert "SECRET_KEY must be set" in _one_line_error(result)


def test_unreachable_database_is_one_line_naming_variable_and_address():
    result = _manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:9/tracker")
    line = _one_line_error(result)
    assert "cannot reach PostgreSQL at 127.0.0.1:9/tracker (DATABASE_URL)" in line


def test_database_url_of_another_kind_is_refused_in_one_line():
    result = _manage("check", DATABASE_URL="mysql://root@127.0.0.1/tracker")
    assert "DATABASE_URL must be a postgres:// URL" in _one_line_error(result)


def test_unreachable_redis_is_one_line_naming_variable_and_address():
    result = _manage("check_services", REDIS_URL="redis://127.0.0.1:9/0")
    line = _one_line_error(result)
    assert "cannot reach Redis at redis://127.0.0.1:9/0 (REDIS_URL)" in line


def test_run_reports_a_busy_port_instead_of_crashing():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "tracker.launcher", "run"],
            cwd=BASE_DIR, env={**os.environ, "PORT": str(port)},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    line = _one_line_error(result)
    assert f"port {port} on 127.0.0.1 is already in use" in line


@pytest.mark.django_db
def test_health_endpoint_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize(
    "name",
    [
        "API_ANON_CACHE_SECONDS",
        "WEB_ANON_CACHE_SECONDS",
        "DATABASE_CONN_MAX_AGE",
        "CELERY_TASK_TIME_LIMIT",
    ],
)
def test_a_number_that_is_not_one_is_refused_in_one_line_naming_it(name):
    result = _manage("check", **{name: "2s"})
    assert (
        _one_line_error(result) == f"error: configuration: {name} must be a whole number, not '2s'"
    )


@pytest.mark.parametrize("name", ["API_ANON_CACHE_SECONDS", "WEB_ANON_CACHE_SECONDS"])
def test_a_negative_micro_cache_time_is_refused_in_one_line(name):
    result = _manage("check", **{name: "-1"})
    assert f"{name} must be 0 (off)" in _one_line_error(result)
