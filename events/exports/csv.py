"""The public timeline as CSV: one row per update and citation (one row with empty citation
columns for an update without one), for spreadsheets.

UTF-8 with a byte-order mark, so Excel reads Cyrillic and Bulgarian text correctly; RFC 4180
quoting and CRLF line ends. A cell that a spreadsheet would run as a formula (starting with
=, +, -, @, tab or carriage return) gets a leading apostrophe: quotes come from articles
anyone can publish (OWASP "CSV injection").
"""

import csv
import io

from events.exports.data import ExportData, citation_outlet_name
from events.exports.dates import iso
from events.models import Citation, Update

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"

COLUMNS = (
    "update_id",
    "occurred_at",
    "precision",
    "headline",
    "body",
    "status",
    "correction_note",
    "retraction_reason",
    "outlet",
    "article_url",
    "article_title",
    "speaker",
    "quote",
    "quote_language",
    "translation",
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def filename(data: ExportData) -> str:
    return f"{data.event.slug}-timeline.csv"


def render(data: ExportData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for update in data.updates:
        citations: list[Citation | None] = [*update.citations.all()] or [None]
        for citation in citations:
            writer.writerow([safe_cell(cell) for cell in _row(update, citation)])
    return buffer.getvalue().encode("utf-8-sig")


def _row(update: Update, citation: Citation | None) -> list[str]:
    row = [
        str(update.pk),
        iso(update.occurred_at, update.occurred_precision),
        update.occurred_precision,
        update.headline,
        update.body,
        update.status,
        update.correction_note,
        update.retraction_reason,
    ]
    if citation is None:
        return row + [""] * (len(COLUMNS) - len(row))
    article = citation.article
    return row + [
        citation_outlet_name(citation),
        article.canonical_url if article else "",
        article.title if article else "",
        citation.speaker.name if citation.speaker else "",
        citation.quote,
        citation.quote_language,
        citation.translation,
    ]
