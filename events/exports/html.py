"""HTML shared by the formats whose readers render markup (Atom summaries, TimelineJS text).
Every value from the data is escaped; a link is made only to an http(s) address."""

from django.utils.html import format_html, format_html_join

from events.exports.data import citation_article_url, citation_credit
from events.models import Citation, Update, UpdateStatus


def update_notes(update: Update) -> list[str]:
    """The retraction first, then the body, then the correction note, as paragraphs."""
    parts: list[str] = []
    if update.status == UpdateStatus.RETRACTED:
        parts.append(format_html("<p><strong>Retracted:</strong> {}</p>", update.retraction_reason))
    if update.body:
        parts.append(format_html("<p>{}</p>", update.body))
    if update.correction_note:
        parts.append(format_html("<p><em>Correction:</em> {}</p>", update.correction_note))
    return parts


def citation_list(citations: list[Citation]) -> str:
    if not citations:
        return ""
    items = format_html_join("", "<li>{}</li>", ((citation_html(c),) for c in citations))
    return format_html("<p>Sources:</p><ul>{}</ul>", items)


def citation_html(citation: Citation) -> str:
    """Ned Price via BBC: <q>the quote</q> (its translation): <a>the article</a>."""
    parts: list[str] = [format_html("{}", credit)] if (credit := citation_credit(citation)) else []
    if citation.quote:
        quote = format_html('<q lang="{}">{}</q>', citation.quote_language, citation.quote)
        if citation.translation:
            quote = format_html("{} ({})", quote, citation.translation)
        parts.append(quote)
    if link := article_link(citation):
        parts.append(link)
    return format_html_join(": ", "{}", ((part,) for part in parts))


def article_link(citation: Citation) -> str:
    url = citation_article_url(citation)
    if not url:
        return ""
    title = citation.article.title if citation.article is not None else ""
    return format_html('<a href="{}">{}</a>', url, title or url)
