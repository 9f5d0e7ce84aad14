"""Celery runs for real: a worker process takes tasks from Redis and reaches PostgreSQL."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from events.tasks import ping_task
from tests.factories import EventFactory
from tracker.celery import app


@pytest.mark.worker
def test_worker_executes_a_task_against_the_test_database(celery_worker_process):
    EventFactory.create_batch(3)
    result = ping_task.delay()
    assert result.get(timeout=60) == {"events": 3}
    assert celery_worker_process.poll() is None


@pytest.mark.worker
def test_check_services_finds_a_worker(celery_worker_process, capsys):
    ping_task.delay().get(timeout=60)  # the worker is up
    call_command("check_services", "--worker", "--timeout", "30")
    assert "a Celery worker answers" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_services_reports_a_missing_worker():
    with pytest.raises(CommandError, match="no Celery worker answered within 0.5s"):
        call_command("check_services", "--worker", "--timeout", "0.5")


def test_celery_is_configured_to_lose_nothing():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_routes["events.tasks.feed_*"] == {"queue": "polling"}


def test_each_test_run_has_its_own_database_and_key_prefix():
    from django.conf import settings

    name = connections["default"].settings_dict["TEST"]["NAME"]
    assert name.startswith(f"test_tracker_{settings.TEST_RUN_ID}")  # + "_gw0" under xdist
    assert settings.TEST_RUN_ID in app.conf.broker_transport_options["global_keyprefix"]


def test_a_second_beat_refuses_to_run(transactional_db, tmp_path):
    import os
    import subprocess
    import sys
    import time

    import redis
    from django.conf import settings
    from django.db import connection

    from tests.conftest import BASE_DIR

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TRACKER_TEST_RUN_ID": settings.TEST_RUN_ID,
        "TRACKER_TEST_DATABASE": connection.settings_dict["NAME"],
    }

    def beat(n: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", "beat", "--loglevel", "WARNING",
             "--schedule", str(tmp_path / f"schedule-{n}")],
            env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    first = beat(1)
    try:
        lock = f"{settings.REDIS_KEY_PREFIX}:beat-lock"
        client = redis.Redis.from_url(settings.REDIS_URL)
        deadline = time.monotonic() + 60
        while not client.exists(lock) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.exists(lock), "the first beat never took the lock"
        assert first.poll() is None
        second = beat(2)
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 1
        assert "another celery beat is running" in output
        assert first.poll() is None
        first.terminate()
        first.wait(timeout=20)
        assert not client.exists(lock)  # released on a clean stop: a restart is not blocked
    finally:
        if first.poll() is None:
            first.kill()
