import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.ingest.urls import InvalidURL
from events.services.articles import Outcome, article_import_html, article_ingest_url
from events.services.summary import outcomes_summary

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


class Command(BaseCommand):
    help = (
        "Bulk-import articles: PATH is a folder of saved HTML pages, or a text file listing one "
        "URL per line (# starts a comment). Prints progress and a summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in HTML_SUFFIXES)
            jobs = [
                lambda f=f: article_import_html(body=f.read_bytes(), name=f.name) for f in files
            ]
        elif path.is_file():
            urls = [
                line.strip()
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            ]
            jobs = [lambda u=u: self._import_url(u) for u in urls]
        else:
            raise CommandError(f"{path}: no such file or folder")
        if not jobs:
            raise CommandError(f"{path}: nothing to import (no .html files or URLs)")
        outcomes = []
        for done, job in enumerate(jobs, start=1):
            outcomes.append(job())
            self._progress(done, len(jobs))
        line, failures = outcomes_summary(outcomes)
        self.stdout.write(f"{len(jobs)} items: {line}")
        for failure in failures:
            self.stdout.write(f"  {failure}")

    def _import_url(self, url: str) -> Outcome:
        try:
            return article_ingest_url(url=url)
        except InvalidURL as error:
            return Outcome(article_id=0, state="failed", reason=f"{url}: {error}")

    def _progress(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
