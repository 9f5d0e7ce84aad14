"""The API under test: gunicorn serving ``tracker.wsgi`` with the benchmark's settings on
127.0.0.1, as in production (DEBUG off, several worker processes with threads, keep-alive),
reading the benchmark's database."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
READY_PATH = "/bench/bare/"


@dataclass(frozen=True)
class ServerConfig:
    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4
    keep_alive: int = 5

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn, {self.workers} {self.worker_class} workers{threads}, keep-alive"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    """``python -m bench.api_server GUNICORN_ARGS...``: gunicorn, stopped (SIGTERM) when the
    benchmark that started it dies, even by SIGKILL (Linux's parent-death signal, which
    survives the exec)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", *sys.argv[1:]])  # noqa: S606


@contextlib.contextmanager
def gunicorn_server(
    *, database: str, redis_prefix: str, config: ServerConfig, settings: str = "bench.api_settings"
) -> Iterator[str]:
    """Serve until the block ends; yield the base URL once ``/bench/bare/`` answers."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "BENCH_API_DATABASE": database,
        "BENCH_API_REDIS_PREFIX": redis_prefix,
        "DEBUG": "false",
    }
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.api_server", "tracker.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(config.workers),
         "--worker-class", config.worker_class, "--threads", str(config.threads),
         "--keep-alive", str(config.keep_alive), "--log-level", "warning",
         "--no-control-socket", "--graceful-timeout", "5"],
        env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url, log)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(process: subprocess.Popen, base_url: str, log: IO[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited: {log.read()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base_url + READY_PATH, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


if __name__ == "__main__":
    main()
