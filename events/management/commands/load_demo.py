from django.core.management.base import BaseCommand, CommandParser

from events.services.demo import demo_load


class Command(BaseCommand):
    help = (
        "Load the January 2022 Kazakhstan-crisis demo: events, relations, outlets, entities, "
        "the seed article and sourced timeline updates. Idempotent: creates only what is missing "
        "and never changes existing rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has any event.",
        )

    def handle(self, *args: object, if_empty: bool, **options: object) -> None:
        self.stdout.write(demo_load(if_empty=if_empty).summary())
