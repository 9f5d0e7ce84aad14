"""Settings for the tracker, read from the environment.

One file for every machine: behaviour is switched by variables, and every default is safe
for a single laptop (bound to 127.0.0.1, no secret needed, no HTTPS). Setting SECRET_KEY
marks a deployment: secure cookies, HTTPS redirect and HSTS switch on unless told otherwise.
"""

import os
from pathlib import Path
from urllib.parse import unquote

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# Written by `make run` / `make test` while their embedded PostgreSQL and Redis are up, so
# that manage.py in another terminal finds them without exporting anything.
SERVICES_ENV_FILE = VAR_DIR / "services.env"

env = environ.Env()


def _env_int(name: str, default: int) -> int:
    """A whole-number variable; anything else stops start-up with one line naming it
    (django-environ would raise a bare ValueError, a traceback)."""
    try:
        return env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {os.environ.get(name)!r}"
        ) from None


if SERVICES_ENV_FILE.exists():
    environ.Env.read_env(SERVICES_ENV_FILE, overwrite=False)

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[]) or LOCAL_HOSTS
SERVES_PUBLIC_HOSTS = any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS)


def _local_secret_key() -> str:
    """A per-checkout key written by `make run`; a fixed one only for throwaway use."""
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    return "local-only-not-secret-" + "x" * 40


SECRET_KEY_FROM_ENV = env.str("SECRET_KEY", default="")
if not SECRET_KEY_FROM_ENV and SERVES_PUBLIC_HOSTS:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when ALLOWED_HOSTS names a host other than localhost"
    )
SECRET_KEY = SECRET_KEY_FROM_ENV or _local_secret_key()

# HTTPS hardening: on by default for a deployment (SECRET_KEY set), off on a laptop.
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=bool(SECRET_KEY_FROM_ENV))
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HTTPS)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in request reads its session from the cache (Redis) instead of a SQL query; writes
# go to both, so an evicted or flushed cache entry is read back from the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous API reads from a few seconds' cache: before sessions, locale, auth and DRF,
    # which a hit skips (events/api/microcache.py).
    "events.api.microcache.MicroCacheMiddleware",
    # Anonymous reader pages likewise, with each visitor's CSRF token put in on every serve
    # (events/web/pagecache.py).
    "events.web.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "events.web.middleware.TimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Content-Security-Policy: nothing inline, nothing from elsewhere. Article text and titles are
# escaped anyway; this is the second wall. Swagger UI's page (drf-spectacular) carries an
# inline script and style, so it is left to its own devices.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "events.web.context.viewer",
                # Last: a page built for the micro-cache gets a placeholder for its token.
                "events.web.pagecache.csrf_hole",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL, not {url.split(':')[0]}"
        )
    # A Unix socket directory arrives percent-encoded in the host part.
    config["HOST"] = unquote(str(config["HOST"]))
    config["CONN_MAX_AGE"] = _env_int("DATABASE_CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    config["OPTIONS"] = {"connect_timeout": 5, "application_name": "tracker"}
    return config


DATABASE_URL = env.str("DATABASE_URL", default="")
DATABASE_URL_SOURCE = "DATABASE_URL" if DATABASE_URL else "embedded PostgreSQL under var/"
DATABASES = {
    "default": _database_from_url(
        DATABASE_URL or f"postgres://postgres@{str(VAR_DIR / 'pg').replace('/', '%2F')}/tracker"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The ingestion's hot statements are prepared once per connection (events/services/statements.py);
# off behind PgBouncer in transaction or statement pooling mode.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

REDIS_URL = env.str("REDIS_URL", default="")
REDIS_URL_SOURCE = "REDIS_URL" if REDIS_URL else "embedded Redis under var/"
REDIS_URL = REDIS_URL or f"unix://{VAR_DIR / 'redis' / 'redis.sock'}"
# One Redis can serve several installations (or test runs): every key we write is prefixed.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="tracker")


def _celery_broker_url(redis_url: str) -> str:
    # redis-py spells a socket unix:///path, kombu spells it redis+socket:///path.
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
        "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("bg", "Български")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Languages an event's titles and summaries, aliases and quotes are curated in. Articles may be
# in any ISO 639-1 language; these are the ones editors get forms and labels for.
CONTENT_LANGUAGES = [("en", "English"), ("bg", "Bulgarian"), ("ru", "Russian")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

AUTH_USER_MODEL = "events.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

REST_FRAMEWORK = {
    # API keys first; a logged-in editor's browser session also works (reads need no CSRF).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "events.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "events.api.pagination.ApiCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "events.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "events.api.throttling.TokenRateThrottle",
        "events.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN", default="1200/min"),
        "anonymous": env.str("API_THROTTLE_ANONYMOUS", default="120/min"),
    },
    # Proxies in front of the app whose X-Forwarded-For is trusted for the anonymous rate.
    "NUM_PROXIES": _env_int("API_NUM_PROXIES", 0),
}

# How long (seconds) an anonymous API read may be served from the shared micro-cache
# (events/api/microcache.py) instead of being built: the most a reader without credentials
# lags behind a change. 2 s keeps a page polled by many readers to one build per 2 s while
# staying well inside the ~10 s webhooks take; 0 switches the micro-cache off.
API_ANON_CACHE_SECONDS = _env_int("API_ANON_CACHE_SECONDS", 2)
if API_ANON_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("API_ANON_CACHE_SECONDS must be 0 (off) or a number of seconds")
# The same for the reader pages' HTML (events/web/pagecache.py): how long a page shown to a
# visitor without a session (home, events, articles, entities, search) may come from the
# micro-cache; each serve still gets the visitor's own CSRF token. 0 switches it off.
WEB_ANON_CACHE_SECONDS = _env_int("WEB_ANON_CACHE_SECONDS", 2)
if WEB_ANON_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("WEB_ANON_CACHE_SECONDS must be 0 (off) or a number of seconds")

SPECTACULAR_SETTINGS = {
    "TITLE": "Tracker API",
    "DESCRIPTION": (
        "Events, timelines, articles, entities and outlets. Authenticate with "
        "`Authorization: Token <key>`. Errors are application/problem+json (RFC 9457) whose "
        "`type` is https://tracker.invalid/problems/<slug>.\n\n"
        "**Freshness.** A read without credentials (no `Authorization`, no session) may be "
        "answered from a shared cache: it is then at most `API_ANON_CACHE_SECONDS` old "
        f"(here {API_ANON_CACHE_SECONDS} s; 0 means never), and says so with "
        "`Cache-Control: public, max-age=<seconds>` and `Age`. Requests with a key or a "
        "session are always answered fresh (`Cache-Control: private, no-cache`); errors are "
        "never cached (`no-store`). The per-client rate limit counts every request, cached or "
        "not. Mirrors stay exact through `changes/`: a page a few seconds old hands out a "
        "cursor at its own last change, so resuming from it misses nothing."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Swagger UI's JavaScript and CSS served from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "events.models.EventKind",
        "EventStatusEnum": "events.models.EventStatus",
        "EntityKindEnum": "events.models.EntityKind",
        "OutletKindEnum": "events.models.OutletKind",
        "RelationKindEnum": "events.models.RelationKind",
        "UpdateStatusEnum": "events.models.UpdateStatus",
        "PrecisionEnum": "events.models.Precision",
    },
}

# Celery: every task acknowledged only after it ran, re-queued if its worker dies, one message
# prefetched at a time; the broker's visibility timeout outlives the longest time limit, so a
# slow task is never handed to a second worker while the first still runs it.
CELERY_BROKER_URL = _celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_broker_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = _env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = _env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_VISIBILITY_TIMEOUT = _env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages whose worker died (unacked past the timeout).
    "unacked_restore_interval": max(1, min(60, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
    "socket_connect_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
CELERY_RESULT_EXPIRES = 86400
CELERY_TASK_TRACK_STARTED = True
# Feed polling and article processing run on queues of their own so each can scale apart.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "events.tasks.feed_*": {"queue": "polling"},
    "events.tasks.article_*": {"queue": "articles"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = 10
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Run exactly one beat. Even two would not poll a feed twice: claiming due feeds skips locked
# rows and leases them (events/services/feeds.py).
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {"task": "events.tasks.feed_poll_due_task", "schedule": 60.0},
    "retry-stalled-articles": {"task": "events.tasks.article_retry_due_task", "schedule": 300.0},
    # Webhook deliveries start within ~10 s of a change becoming readable in the change log.
    "dispatch-webhooks": {"task": "events.tasks.webhooks_dispatch_task", "schedule": 10.0},
    "retry-webhook-deliveries": {"task": "events.tasks.webhook_retry_due_task", "schedule": 60.0},
}
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must stay below the broker visibility timeout"
    )
# A pending article a worker claimed this long ago is taken to be lost (its worker killed) and
# is enqueued again by the sweep; until then the sweep leaves it to that worker, which is done
# or killed within the tasks' time limit.
ARTICLE_STALLED_AFTER_SECONDS = 15 * 60
if CELERY_TASK_TIME_LIMIT >= ARTICLE_STALLED_AFTER_SECONDS:
    raise ImproperlyConfigured(
        f"CELERY_TASK_TIME_LIMIT must stay below {ARTICLE_STALLED_AFTER_SECONDS} seconds, after "
        "which a claimed article is taken to be lost and enqueued again"
    )

INGEST_ALLOW_PRIVATE_NETWORKS = env.bool("INGEST_ALLOW_PRIVATE_NETWORKS", default=False)
INGEST_USER_AGENT = env.str("INGEST_USER_AGENT", default="tracker/0.1 (newsroom event tracker)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
