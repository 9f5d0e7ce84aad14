from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.models import TokenRole, User
from events.services.tokens import token_create


class Command(BaseCommand):
    help = "Create an API key for USER (created if missing); prints only the key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True)

    def handle(self, *args: object, username: str, role: str, **options: object) -> None:
        if role not in TokenRole.values:
            raise CommandError(
                f"--role must be one of: {', '.join(TokenRole.values)} (not {role!r})"
            )
        user, _ = User.objects.get_or_create(username=username)
        _, key = token_create(user=user, role=role)
        self.stdout.write(key)
