"""Celery tasks: thin wrappers that load by id and call one service (see STYLE.md)."""

from celery import shared_task

from events.models import Event


@shared_task(name="events.tasks.ping_task")
def ping_task() -> dict[str, int]:
    """Prove a worker is consuming and reaches the database (`check_services --worker`)."""
    return {"events": Event.objects.count()}
