import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from redis import Redis
from redis.exceptions import RedisError

BASE_DIR = Path(__file__).resolve().parent.parent

StartWorker = Callable[..., subprocess.Popen]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Delete this test process's Redis keys (cache entries, throttle windows, Celery's
    queues and results: all under its run's prefix), as pytest-django drops its database, so
    runs sharing one Redis leave nothing behind."""
    prefix = getattr(settings, "REDIS_KEY_PREFIX", "") if settings.configured else ""
    if not prefix:
        return
    client = Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except RedisError:
        pass  # the keys expire or stay; the run's result stands
    finally:
        client.close()


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.fixture
def start_worker(transactional_db) -> Iterator[StartWorker]:
    """Start real `celery worker` processes on the real broker, using this test's database.

    Data the test wants a worker to see must be committed, hence transactional_db. Extra
    keyword arguments become environment variables of the worker (settings read them)."""
    workers: list[subprocess.Popen] = []

    def start(**env: str) -> subprocess.Popen:
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "TRACKER_TEST_RUN_ID": settings.TEST_RUN_ID,
            "TRACKER_TEST_DATABASE": connection.settings_dict["NAME"],
            **env,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool", "solo",
             "--queues", "default,polling,articles", "--loglevel", "WARNING",
             "--without-heartbeat", "--without-gossip", "--without-mingle",
             "--hostname", f"test{len(workers)}@%h"],
            env=full_env, cwd=BASE_DIR,
        )  # fmt: skip
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        _stop(worker)


@pytest.fixture
def celery_worker_process(start_worker: StartWorker) -> subprocess.Popen:
    """One real worker process."""
    return start_worker()


@pytest.fixture(autouse=True)
def _generous_rates():
    """API rate counts live in Redis for the whole run and every test client is 127.0.0.1,
    so limits are lifted for every test; tests/api/test_throttling.py sets its own. (Not
    through pytest-django's ``settings`` fixture: some tests have a parameter of that name.)"""
    from django.conf import settings
    from django.test import override_settings

    rates = {"token": "100000/min", "anonymous": "100000/min"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        yield


@pytest.fixture
def site(httpserver_ipv4, settings):
    """The local server, at 127.0.0.1, with ingestion allowed to reach it."""
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    httpserver_ipv4.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver_ipv4
