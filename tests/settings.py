"""Test settings: the real ones, with this run's own database and Redis key prefix.

pytest-django creates the database test_tracker_<run id> and drops it at the end, so runs
sharing one PostgreSQL and one Redis never see each other's data.
"""

import os
import uuid

from tracker.settings import *  # noqa: F403
from tracker.settings import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES

# A process a test starts (a Celery worker) inherits the run id, and with it the same database
# and key prefix as the test that started it.
INHERITED_RUN_ID = os.environ.get("TRACKER_TEST_RUN_ID", "")
TEST_RUN_ID = INHERITED_RUN_ID or uuid.uuid4().hex[:10]
TEST_DATABASE_NAME = f"test_tracker_{TEST_RUN_ID}"
DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}
if INHERITED_RUN_ID:
    # pytest-xdist adds a suffix per test process; the starting test passes the final name.
    DATABASES["default"]["NAME"] = os.environ.get("TRACKER_TEST_DATABASE", TEST_DATABASE_NAME)

REDIS_KEY_PREFIX = f"tracker-test-{TEST_RUN_ID}"
CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
# Hashing passwords slowly protects real accounts, not test fixtures.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The anonymous micro-cache is off: a test that writes and then reads sees its write at once.
# Its own tests (tests/api/test_microcache.py) switch it on with TTLs of their own.
API_ANON_CACHE_SECONDS = 0
# The reader pages' micro-cache too (its tests: tests/web/test_page_microcache.py).
WEB_ANON_CACHE_SECONDS = 0
