"""Say in one line what is wrong with the database or broker connection, never a traceback.

Used by manage.py (every command) and by the launcher before it starts any process.
"""

import sys
from collections.abc import Sequence

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError as DatabaseError
from django.db import connection
from kombu.exceptions import OperationalError as BrokerError


def database_address() -> str:
    db = settings.DATABASES["default"]
    host = str(db["HOST"] or "localhost")
    where = f"socket {host}" if host.startswith("/") else f"{host}:{db['PORT'] or 5432}"
    return f"{where}/{db['NAME']} ({settings.DATABASE_URL_SOURCE})"


def redis_address() -> str:
    return f"{settings.REDIS_URL} ({settings.REDIS_URL_SOURCE})"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def database_problem() -> str | None:
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        return f"cannot reach PostgreSQL at {database_address()}: {_first_line(error)}"
    return None


def redis_problem() -> str | None:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5
        )
        client.ping()
    except (redis.RedisError, ValueError) as error:
        return f"cannot reach Redis at {redis_address()}: {_first_line(error)}"
    return None


def run_reporting_service_errors(argv: Sequence[str]) -> None:
    """Run a manage.py command; connection and configuration failures exit 1 with one line."""
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(list(argv))
    except ImproperlyConfigured as error:
        sys.exit(f"error: configuration: {_first_line(error)}")
    except DatabaseError as error:
        if connection.connection is None:
            sys.exit(
                f"error: cannot reach PostgreSQL at {database_address()}: {_first_line(error)}"
            )
        raise
    except (redis.ConnectionError, redis.TimeoutError, BrokerError) as error:
        sys.exit(f"error: cannot reach Redis at {redis_address()}: {_first_line(error)}")
