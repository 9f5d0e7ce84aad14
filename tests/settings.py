"""Test settings: the real ones, with this run's own Redis key prefix.

pytest-django creates (and drops) a uniquely named database per run; see tests/conftest.py.
"""

import uuid

from tracker.settings import *  # noqa: F403
from tracker.settings import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS

TEST_RUN_ID = uuid.uuid4().hex[:10]
REDIS_KEY_PREFIX = f"tracker-test-{TEST_RUN_ID}"
CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
# Hashing passwords slowly protects real accounts, not test fixtures.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
