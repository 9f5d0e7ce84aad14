"""The benchmark's own database: created and migrated at the start, dropped at the end.

Three guards make sure it does not outlive the run:
- the normal way out (also Ctrl-C: a ``finally`` with further interrupts ignored) drops it;
- a janitor process, in a session of its own, drops it if this process dies without saying
  it is done (``make`` and the launcher kill the benchmark shortly after a Ctrl-C);
- a new run drops the databases of earlier runs on this host whose process is gone.
"""

import contextlib
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from psycopg2 import sql

from tracker.launcher import process_alive


def _admin_connection() -> Any:
    """A connection to the server's maintenance database (never the one being dropped)."""
    params = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        connect_timeout=5,
        application_name="tracker-bench",
    )
    conn.autocommit = True
    return conn


def drop_database(name: str) -> None:
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def drop_stale() -> list[str]:
    """Drop bench databases of runs on this host whose process is gone and that nobody uses."""
    pattern = re.compile(rf"^{settings.BENCH_DATABASE_PREFIX}{settings.BENCH_HOST_TAG}_(\d+)_")
    dropped = []
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname)"
            " FROM pg_database d WHERE datname LIKE %s",
            [settings.BENCH_DATABASE_PREFIX + "%"],
        )
        for name, sessions in cursor.fetchall():
            match = pattern.match(name)
            if match and not sessions and not process_alive(int(match.group(1))):
                cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                dropped.append(name)
    return dropped


def _janitor_start(name: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.janitor", name],
        stdin=subprocess.PIPE,
        start_new_session=True,  # a Ctrl-C at the terminal must not reach it
    )


def _janitor_release(janitor: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        assert janitor.stdin is not None  # noqa: S101 - opened with stdin=PIPE
        janitor.stdin.write(b"done\n")
        janitor.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        janitor.wait(timeout=10)


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """Create this run's database with every migration applied; yield its name; drop it."""
    name = settings.DATABASES["default"]["TEST"]["NAME"]
    for stale in drop_stale():
        print(f"dropped the database of an earlier, killed run: {stale}", flush=True)
    janitor = _janitor_start(name)
    old_config = None
    try:
        old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
        yield name
    finally:
        # A second Ctrl-C must not interrupt the drop.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if old_config is not None:
                connection.close()
                teardown_databases(old_config, verbosity=0)
            else:
                drop_database(name)
        finally:
            _janitor_release(janitor)
            signal.signal(signal.SIGINT, previous)


def wait_until_dropped(name: str, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg2.Error):
            drop_database(name)
            return True
        time.sleep(0.2)
    return False
