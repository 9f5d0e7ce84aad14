from django.core.management.base import BaseCommand, CommandError

from tracker.preflight import database_problem, redis_problem


class Command(BaseCommand):
    help = "Check that PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer; exit 1 if not."

    def handle(self, *args: object, **options: object) -> None:
        problems = [p for p in (database_problem(), redis_problem()) if p]
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("PostgreSQL and Redis answer")
