"""Readers' pages: home, event, article and entity. Editors' pages live in events/web/editor/.

Everything from outside (titles, texts, quotes) reaches the page through auto-escaping
templates; nothing is marked safe."""

from dataclasses import dataclass
from html import escape
from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import Event, RelationKind, Update
from events.selectors.events import event_list_public
from events.selectors.pages import (
    LinkCounts,
    article_citations,
    article_page,
    coverage_and_counts,
    entity_page,
    entity_participations,
    entity_quotes,
    entity_timeline,
    event_articles,
    event_page,
    event_relations,
    latest_published_updates,
    link_states,
)
from events.web.access import viewer_is_editor
from events.web.charts import (
    Neighbour,
    bar_charts_svg,
    relation_graph,
)
from events.web.requests import is_htmx, page_language
from events.web.timeline import WHOLE, timeline_html

HOME_PAGE_SIZE = 20
NO_LINKS = LinkCounts(articles=0, sources=0)
GRAPH_NEIGHBOURS = 12
EXPORT_FORMATS = (
    ("atom", _("Atom feed")),
    ("ics", _("iCalendar")),
    ("csv", _("CSV")),
    ("timelinejs", _("TimelineJS JSON")),
)
# How a relation reads from each end: "A part of B" is "B includes A" seen from B.
RELATION_LABELS = {
    RelationKind.PART_OF: (_("Part of"), _("Includes")),
    RelationKind.CAUSED_BY: (_("Caused by"), _("Led to")),
    RelationKind.RESPONSE_TO: (_("In response to"), _("Prompted")),
    RelationKind.PRECEDES: (_("Precedes"), _("Preceded by")),
    RelationKind.RELATED: (_("Related to"), _("Related to")),
}


@dataclass
class HomeRow:
    event: Event
    latest: Update | None
    chart: SafeString | None  # None: no dated article yet
    counts: SafeString  # "3 updates · 12 articles · 5 independent sources"


def _card_counts(updates: int, linked: LinkCounts) -> SafeString:
    """The card's counts line as three ``{% blocktranslate count %}`` wrote it (60 a page,
    ~25 us each there, a few here): the catalog's translations with the numbers put in,
    not escaped, as that tag leaves them."""
    articles, sources = linked.articles, linked.sources
    parts = (
        ngettext("%(n)s update", "%(n)s updates", updates) % {"n": updates},
        ngettext("%(n)s article", "%(n)s articles", articles) % {"n": articles},
        ngettext("%(n)s independent source", "%(n)s independent sources", sources) % {"n": sources},
    )
    return mark_safe(" · ".join(parts))  # noqa: S308 - translations and integers


def home(request: HttpRequest) -> HttpResponse:
    # A merged event lives on as the one it was merged into (its page redirects there).
    listed = event_list_public(link_counts=False).filter(merged_into__isnull=True)
    page = Paginator(listed, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    ids = [event.pk for event in events]
    latest = latest_published_updates(event_ids=ids)
    coverage, counts = coverage_and_counts(event_ids=ids)
    charts = bar_charts_svg({pk: coverage[pk] for pk in ids if coverage.get(pk)})
    rows = [
        HomeRow(
            e,
            latest.get(e.pk),
            charts.get(e.pk),
            _card_counts(e.public_updates, counts.get(e.pk, NO_LINKS)),
        )
        for e in events
    ]
    template = "events/_home_rows.html" if is_htmx(request) else "events/home.html"
    return render(request, template, {"rows": rows, "page": page, "language": page_language()})


@dataclass
class RelatedLink:
    url: str
    label: str


@dataclass
class RelatedGroup:
    label: str
    events: list[RelatedLink]

    @property
    def items(self) -> SafeString:
        """The group's ``<li>`` links, joined here with the standard library's escape: a
        template loop cost ~0.9 ms of CPU for the benchmarked event's 194 related events."""
        return mark_safe(  # noqa: S308 - every value is escaped
            "".join(
                f'<li><a href="{escape(link.url)}">{escape(link.label)}</a></li>'
                for link in self.events
            )
        )


def _relation_labels() -> dict[tuple[str, bool], str]:
    """How each kind of relation reads from the event's end, (kind, outgoing) -> label, in
    the active language: translated once per page, not once per related event."""
    return {
        (kind, outgoing): str(forward if outgoing else inverse)
        for kind, (forward, inverse) in RELATION_LABELS.items()
        for outgoing in (True, False)
    }


def _live_event(request: HttpRequest, slug: str, url_name: str) -> Event | HttpResponse:
    """The event of an event page, or a 301 to the same page (``url_name``) of the event it
    was merged into, with the query string; 404 when there is no such event."""
    event = event_page(slug=slug)
    if event is None:
        raise Http404
    if event.merged_into_id:
        winner = Event.objects.values_list("slug", flat=True).get(pk=event.merged_into_id)
        response = redirect(url_name, slug=winner, permanent=True)
        if query := request.META.get("QUERY_STRING"):
            response["Location"] += "?" + query
        return response
    return event


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _live_event(request, slug, "web:event")
    if isinstance(event, HttpResponse):
        return event
    timeline = timeline_html(request, event, page=request.GET.get("page"))
    if is_htmx(request) and not request.headers.get("HX-History-Restore-Request"):
        # "Earlier lines" / "Later lines" swap the timeline only (a history restore that
        # missed htmx's cache asks for the whole page).
        response = HttpResponse(timeline)
    else:
        response = _event_page(request, event, timeline)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _event_page(request: HttpRequest, event: Event, timeline: SafeString) -> HttpResponse:
    editor = viewer_is_editor(request)
    language = page_language()
    related = event_relations(event=event, language=language)
    # Resolved once, not once per related event (an event may have hundreds); slugs are
    # URL-safe.
    pattern = reverse("web:event", args=["-"])
    links = [RelatedLink(pattern.replace("/-/", f"/{r.slug}/", 1), r.label) for r in related]
    labels = _relation_labels()
    groups: dict[str, list[RelatedLink]] = {}
    for other, link in zip(related, links, strict=True):
        groups.setdefault(labels[other.kind, other.outgoing], []).append(link)
    # Beyond a dozen neighbours the drawing is unreadable: the list above it names every one.
    drawn = list(zip(related, links, strict=True))[:GRAPH_NEIGHBOURS]
    graph = relation_graph(
        event.label(language),
        [
            Neighbour(link.label, link.url, labels[other.kind, other.outgoing], other.outgoing)
            for other, link in drawn
        ],
    )
    states = link_states(editor=editor)
    articles = event_articles(event=event, states=states)
    coverage = articles.coverage
    charts = bar_charts_svg({"event": coverage}, width=560, height=80) if coverage else {}
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "language": language,
            "timeline_html": timeline,
            "related_groups": [RelatedGroup(label, evs) for label, evs in groups.items()],
            "graph": graph if related else None,
            "graph_omitted": len(related) - len(drawn),
            "articles_page": articles.page,
            "article_groups": articles.groups,
            "coverage_svg": charts.get("event"),
            "exports": EXPORT_FORMATS,
        },
    )


def event_timeline_whole(request: HttpRequest, slug: str) -> HttpResponse:
    """Every line of the timeline on one page, to read through or print (cached as the
    event page's pages are)."""
    event = _live_event(request, slug, "web:event-timeline")
    if isinstance(event, HttpResponse):
        return event
    context = {
        "event": event,
        "language": page_language(),
        "timeline_html": timeline_html(request, event, page=WHOLE),
    }
    return render(request, "events/event_timeline.html", context)


def event_articles_list(request: HttpRequest, slug: str) -> HttpResponse:
    """All of an event's articles, a page at a time; htmx asks for just the next rows."""
    event = _live_event(request, slug, "web:event-articles")
    if isinstance(event, HttpResponse):
        return event
    editor = viewer_is_editor(request)
    articles = event_articles(
        event=event, states=link_states(editor=editor), page=request.GET.get("page")
    )
    template = "events/_article_rows.html" if is_htmx(request) else "events/event_articles.html"
    context = {
        "event": event,
        "language": page_language(),
        "articles_page": articles.page,
        "article_groups": articles.groups,
    }
    return render(request, template, context)


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    editor = viewer_is_editor(request)
    article = article_page(pk=pk, editor=editor)
    if article is None:
        raise Http404
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "language": page_language(),
            # Anonymous visitors get metadata and a link to the original; signed-in readers
            # and editors also the extracted text (the API's rule).
            "show_text": request.user.is_authenticated,
            "citations": list(article_citations(article=article, editor=editor)),
        },
    )


def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = entity_page(pk=pk)
    if entity is None:
        raise Http404
    editor = viewer_is_editor(request)
    aliases = sorted(entity.aliases.all(), key=lambda a: (a.language, a.name.lower()))
    return render(
        request,
        "entities/entity_detail.html",
        {
            "entity": entity,
            "language": page_language(),
            "aliases_by_language": [
                (language, list(group))
                for language, group in groupby(aliases, lambda a: a.language)
            ],
            "participations": list(entity_participations(entity=entity)),
            "quotes": entity_quotes(entity=entity, editor=editor),
            "updates": entity_timeline(entity=entity, editor=editor),
        },
    )
