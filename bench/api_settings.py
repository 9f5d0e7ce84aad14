"""Settings of the API benchmark: the benchmark's own (``bench.settings``), with the bench-only
URLconf that adds the bare view, in the benchmark process and in the gunicorn processes it starts.

The benchmark creates its database and passes the name (and its Redis key prefix) to the
server processes in the environment, so every process reads and counts in the same places.
The API's throttling stays as configured: the load generator spreads its requests over many
client addresses (``X-Forwarded-For``, trusted from one proxy here), as many real clients would.
"""

import os

from bench.settings import *  # noqa: F403
from bench.settings import CACHES, DATABASES, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"

_SERVED_DATABASE = os.environ.get("BENCH_API_DATABASE", "")
if _SERVED_DATABASE:
    DATABASES["default"]["NAME"] = _SERVED_DATABASE
    REDIS_KEY_PREFIX = os.environ["BENCH_API_REDIS_PREFIX"]
    CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX

REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 1}

# Plain HTTP on 127.0.0.1, whatever the environment says (a SECRET_KEY there would switch on
# HTTPS hardening): no redirect to https, and the editor's session cookie is accepted as sent.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
