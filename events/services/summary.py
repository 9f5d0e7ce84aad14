"""One-line summaries of ingestion outcomes for operators' commands."""

from collections import Counter
from collections.abc import Iterable

from events.services.articles import Outcome


def outcomes_summary(outcomes: Iterable[Outcome]) -> tuple[str, list[str]]:
    """ "3 ingested (1 duplicate), 1 already known, 2 failed" and one line per failure."""
    counts: Counter[str] = Counter()
    failures = []
    for outcome in outcomes:
        if outcome.state == "merged" or outcome.reason == "already processed":
            counts["known"] += 1
        elif outcome.state == "ready":
            counts["ingested"] += 1
            counts["duplicates"] += outcome.duplicate_of is not None
        else:
            counts["failed"] += 1
            who = f"article {outcome.article_id}: " if outcome.article_id else ""
            failures.append(f"{who}{outcome.reason}")
    line = f"{counts['ingested']} ingested ({counts['duplicates']} duplicates)"
    if counts["known"]:
        line += f", {counts['known']} already known"
    line += f", {counts['failed']} failed"
    return line, failures
