from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.services.users import editor_ensure


class Command(BaseCommand):
    help = "Create or update an editor account whose password is read from a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password-file", required=True, type=Path)

    def handle(self, *args: object, username: str, password_file: Path, **options: object) -> None:
        try:
            password = password_file.read_text().strip()
        except OSError as error:
            raise CommandError(f"cannot read {password_file}: {error.strerror}") from error
        if not password:
            raise CommandError(f"{password_file} is empty")
        editor_ensure(username=username, password=password)
