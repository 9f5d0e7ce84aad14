from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.ingest.urls import InvalidURL
from events.models import Article
from events.services.articles import article_ingest_url
from events.services.summary import outcomes_summary


class Command(BaseCommand):
    help = "Fetch and process one article URL now, through the pipeline the workers run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--refetch", action="store_true", help="fetch again even if already processed"
        )

    def handle(self, *args: object, url: str, refetch: bool, **options: object) -> None:
        try:
            outcome = article_ingest_url(url=url, refetch=refetch)
        except InvalidURL as error:
            raise CommandError(f"{url}: {error}") from error
        if outcome.article_id == 0:
            raise CommandError(outcome.reason)
        line, failures = outcomes_summary([outcome])
        self.stdout.write(f"{url}: {line}")
        for failure in failures:
            self.stdout.write(f"  {failure}")
        if outcome.state == "ready" or outcome.merged_into:
            article = Article.objects.get(pk=outcome.merged_into or outcome.article_id)
            self.stdout.write(
                f"  article {article.pk} [{article.language or '?'}] {article.title}"
                + (f" (duplicate of {article.duplicate_of_id})" if article.duplicate_of_id else "")
            )
        elif outcome.state != "gone":
            # The URL itself failed: say so in the exit status, like ingest_feed for its feed.
            raise CommandError(f"{url}: {outcome.reason}")
