from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.tasks import ping_task
from tracker.preflight import database_problem, redis_problem


class Command(BaseCommand):
    help = "Check that PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer; exit 1 if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--worker", action="store_true", help="also check that a Celery worker answers"
        )
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args: object, worker: bool, timeout: float, **options: object) -> None:
        problems = [p for p in (database_problem(), redis_problem()) if p]
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("PostgreSQL and Redis answer")
        if worker:
            try:
                ping_task.apply_async(expires=timeout).get(timeout=timeout)
            except CeleryTimeout as error:
                raise CommandError(f"no Celery worker answered within {timeout:g}s") from error
            self.stdout.write("a Celery worker answers")
