from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.services.articles import article_process
from events.services.feeds import feed_poll, feed_register
from events.services.summary import outcomes_summary


class Command(BaseCommand):
    help = (
        "Poll one feed now (registering it if new) and process its new articles synchronously, "
        "through the pipeline the workers run. Exits non-zero only if the feed itself failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")

    def handle(self, *args: object, url: str, **options: object) -> None:
        try:
            feed = feed_register(url=url)
        except ValidationError as error:
            raise CommandError(f"{url}: {'; '.join(error.messages)}") from error
        result = feed_poll(feed_id=feed.pk)
        if not result.ok:
            raise CommandError(f"feed {feed.url} failed: {result.error}")
        if result.not_modified:
            self.stdout.write(f"feed {feed.url}: not modified since the last poll")
            return
        outcomes = [article_process(article_id=pk) for pk in result.new_article_ids]
        line, failures = outcomes_summary(outcomes)
        self.stdout.write(
            f"feed {feed.url}: {result.entries} entries, {len(result.new_article_ids)} new; {line}"
        )
        for failure in failures:
            self.stdout.write(f"  {failure}")
