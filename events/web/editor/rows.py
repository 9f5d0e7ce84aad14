"""What a review-queue row shows besides its article's fields: the addresses of its actions
and of its links' events, its links' state labels and the row's fixed texts, prepared once
per page in Python. The row template asked ``{% url %}`` six times per row and twice more
per link, ``{% translate %}`` a dozen times per row and ``get_state_display`` (which
translates every choice) per link: ~250 translations and ~140 URL reversals a page. Each
value a template shows costs a lookup, localization and escaping; what a row shows more than
once, or through a filter, is made a string here."""

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from events.models import LinkState, Precision
from events.templatetags.tracker import precise_date
from events.web.editor.queue import QueueRow

_STATE_LABELS = dict(LinkState.choices)
_PLACEHOLDER = "987654321"
_HUNDREDTHS = Decimal("0.01")


def _by_id(name: str) -> Callable[[int], str]:
    """The URL named ``name`` for an integer id: reversed once, then the id substituted."""
    template = reverse(name, args=[int(_PLACEHOLDER)])
    return lambda pk: template.replace(_PLACEHOLDER, str(pk), 1)


def _score_text(score: float, separator: str) -> str:
    """``score|floatformat:2`` for a score between 0 and 1 (the links' check constraint: never
    a thousands separator), at 1.5 us instead of floatformat's 25-35 us."""
    return str(Decimal(repr(score)).quantize(_HUNDREDTHS, ROUND_HALF_UP)).replace(".", separator)


def rows_prepare(rows: Iterable[QueueRow], *, here: str) -> None:
    """Fill in each row's action addresses (``start_url`` comes back to ``here``) and its
    date as the ``<time>`` element shows it, and each of its links' event and action
    addresses, state label and score."""
    attach, update = _by_id("web:editor-attach"), _by_id("web:editor-update-new")
    start, confirm = _by_id("web:editor-event-start"), _by_id("web:editor-link-confirm")
    reject = _by_id("web:editor-link-reject")
    # Slugs are URL-safe: substituted as they are, as reverse() would leave them.
    event = reverse("web:event", args=["-"])
    # As the template's urlencode filter quotes it.
    back = f"?next={quote(here)}"
    separator = get_format("DECIMAL_SEPARATOR")
    for row in rows:
        # Strings, not the id: the template formats a number through localization, per use.
        row.dom_id, row.attach_id = f"article-{row.pk}", f"attach-{row.pk}"
        row.heading = row.title or row.canonical_url
        row.on_the_web = row.canonical_url.startswith("http")  # not a urn:
        row.language_badge = (row.language or "?").upper()
        row.attach_url = attach(row.pk)
        row.update_url = update(row.pk)
        row.start_url = start(row.pk) + back
        if row.published_at:
            row.published_iso = timezone.localtime(row.published_at).isoformat()
            row.published_text = precise_date(row.published_at, Precision.MINUTE)
        for link in row.links:
            link.event_url = event.replace("/-/", f"/{link.event_slug}/", 1)
            link.confirm_url = confirm(link.pk)
            link.reject_url = reject(link.pk)
            link.state_label = str(_STATE_LABELS.get(link.state, link.state))
            link.score_text = _score_text(link.score, separator)


def row_texts() -> dict[str, SafeString]:
    """The row's fixed texts in the active language, translated and escaped once per page
    (the template then leaves them as they are)."""
    texts = {
        "language": _("Language"),
        "copy_of": _("copy of"),
        "names": _("Names:"),
        "score": _("Suggestion score"),
        "confirm": _("Confirm"),
        "reject": _("Reject"),
        "no_event": _("No event suggested."),
        "attach_label": _("Attach to another event"),
        "slug": _("event slug"),
        "attach": _("Attach"),
        "add_update": _("Add a sourced update"),
        "start_event": _("Start a new event from it"),
    }
    return {name: escape(text) for name, text in texts.items()}
