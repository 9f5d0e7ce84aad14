"""Query-string filters. A value that does not parse is a 400 naming the parameter."""

from django.db.models import Exists, OuterRef, QuerySet
from django.forms import Form
from django_filters import rest_framework as filters

from events.models import (
    Article,
    Entity,
    EntityKind,
    Event,
    EventKind,
    EventStatus,
    Mention,
    Outlet,
    Participant,
)
from events.selectors.api import articles_linked_to, id_by_slug
from events.selectors.refs import id_or_slug, is_id
from events.selectors.search import (
    MAX_QUERY_LENGTH,
    article_list_matches,
    matching_entity_ids,
    parse_query,
    search_events,
)

# `q` narrows a list and keeps its cursor order (a mirror pages through every match exactly
# once); relevance order is GET /api/v1/search/.
Q_HELP = (
    "Full-text search in any language (stemmed for English, Russian and others, prefix-matched "
    "for Bulgarian; typos in names tolerated), written as in a web search engine: "
    '"a phrase", this OR that, -word and -"a phrase" left out. Narrows the list; the order '
    "stays the list's own. For results ranked by relevance use /api/v1/search/."
)


class EventFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=MAX_QUERY_LENGTH, help_text=Q_HELP)
    kind = filters.ChoiceFilter(choices=EventKind.choices)
    status = filters.ChoiceFilter(choices=EventStatus.choices)
    entity = filters.CharFilter(method="filter_entity", help_text="Participant id or slug.")
    starts_after = filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt")
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        parsed = parse_query(value)
        if parsed is None:
            return queryset.none()
        return queryset.filter(pk__in=search_events(parsed).values("pk"))

    def filter_entity(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        participants = Participant.objects.filter(
            id_or_slug(value, "entity__"), event=OuterRef("pk")
        )
        return queryset.filter(Exists(participants))


class ArticleFilter(filters.FilterSet):
    """The article lists' filters. An event, entity or outlet named by its slug is looked up
    first (one indexed query) and filtered by id."""

    event = filters.CharFilter(method="filter_event", help_text="Event slug.")
    language = filters.CharFilter(field_name="language", help_text="ISO 639-1 code.")
    outlet = filters.CharFilter(method="filter_outlet", help_text="Outlet id or slug.")
    entity = filters.CharFilter(method="filter_entity", help_text="Mentioned entity id or slug.")
    published_after = filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = filters.CharFilter(method="filter_q", max_length=MAX_QUERY_LENGTH, help_text=Q_HELP)
    # Applied by the view (it picks the queryset); declared here to be validated and documented.
    include_duplicates = filters.BooleanFilter(
        method="filter_nothing", help_text="Also list copies of other articles (default false)."
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def get_form_class(self) -> type[Form]:
        """Built once per filter set class; django-filter builds it again on every request,
        from filters that are the same for every request."""
        cls = type(self)
        form = cls.__dict__.get("_form_class")
        if form is None:
            form = super().get_form_class()
            cls._form_class = form
        return form

    def filter_event(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        return articles_linked_to(queryset, id_by_slug(Event, value))

    def filter_outlet(
        self, queryset: QuerySet[Article], name: str, value: str
    ) -> QuerySet[Article]:
        return queryset.filter(id_or_slug(_as_id(Outlet, value), "outlet__"))

    def filter_entity(
        self, queryset: QuerySet[Article], name: str, value: str
    ) -> QuerySet[Article]:
        value = _as_id(Entity, value)
        mentions = Mention.objects.filter(id_or_slug(value, "entity__"), article=OuterRef("pk"))
        return queryset.filter(Exists(mentions))

    def filter_q(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        parsed = parse_query(value, language=self.form.cleaned_data.get("language") or "")
        if parsed is None:
            return queryset.none()
        return queryset.filter(article_list_matches(parsed))

    def filter_nothing(
        self, queryset: QuerySet[Article], name: str, value: object
    ) -> QuerySet[Article]:
        return queryset


def _as_id(model: type[Entity] | type[Outlet], value: str) -> str:
    """An id as it came, a slug as its row's id; "0" (no row has it) for an unknown slug."""
    if is_id(value):
        return value
    return str(id_by_slug(model, value) or 0)


class EntityFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Name or alias in any language or script; typos tolerated.",
    )
    kind = filters.ChoiceFilter(choices=EntityKind.choices)

    class Meta:
        model = Entity
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet[Entity]:
        return queryset.filter(pk__in=matching_entity_ids(" ".join(value.split())))
