"""The Celery app; its configuration lives in settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _preload_language_models(**kwargs: object) -> None:
    """Build the language detector (~420 MB) once in the worker's parent process, so the
    forked pool processes share its memory instead of each building their own."""
    from events.ingest.language import language_detector

    language_detector()


BEAT_LOCK_TTL = 60


@beat_init.connect
def _hold_the_beat_lock(sender: object = None, **kwargs: object) -> None:
    """Exactly one beat: the first takes a lock in Redis and keeps renewing it; a second beat
    started anywhere refuses to run instead of doubling every schedule. The lock expires a
    minute after its beat dies, so a replacement can take over."""
    import atexit
    import logging
    import socket
    import threading

    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    key = f"{settings.REDIS_KEY_PREFIX}:beat-lock"
    me = f"{socket.gethostname()}:{os.getpid()}"
    if not client.set(key, me, nx=True, ex=BEAT_LOCK_TTL):
        raw = client.get(key) or b"?"
        holder = raw.decode() if isinstance(raw, bytes) else str(raw)
        logging.getLogger(__name__).error("beat.already_running", extra={"holder": holder})
        print(f"error: another celery beat is running ({holder}); run exactly one", flush=True)
        os._exit(1)

    def renew() -> None:
        while True:
            threading.Event().wait(BEAT_LOCK_TTL / 3)
            client.set(key, me, ex=BEAT_LOCK_TTL)

    threading.Thread(target=renew, name="beat-lock", daemon=True).start()
    # Released on a clean stop, so Ctrl-C and an immediate restart do not lock ourselves out.
    release = client.register_script(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
    )
    atexit.register(lambda: release(keys=[key], args=[me]))
