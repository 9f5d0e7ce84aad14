"""Benchmark settings: the real ones, with this run's own database and Redis key prefix.

The database ``bench_tracker_<host>_<pid>_<random>`` is created and migrated by the benchmark
and dropped at its end; the host and process id in the name let a later run recognise, and
drop, a database left behind by a run that was killed.
"""

import hashlib
import os
import secrets
import socket

from tracker.settings import *  # noqa: F403
from tracker.settings import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, LOGGING

BENCH_HOST_TAG = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
BENCH_DATABASE_PREFIX = "bench_tracker_"
BENCH_RUN_ID = f"{BENCH_HOST_TAG}_{os.getpid()}_{secrets.token_hex(3)}"
DATABASES["default"]["TEST"] = {"NAME": f"{BENCH_DATABASE_PREFIX}{BENCH_RUN_ID}"}

REDIS_KEY_PREFIX = f"tracker-bench-{BENCH_RUN_ID}"
CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}

# The pages are served from 127.0.0.1.
INGEST_ALLOW_PRIVATE_NETWORKS = True
DEBUG = False
# One log line per stored article would bury the report; warnings still show.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}
