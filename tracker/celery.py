"""The Celery app; its configuration lives in settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_init

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
