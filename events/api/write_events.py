"""Editor writes on events: create, edit, relations, participants, translations, merge.

Each endpoint validates the body, calls one service of events.services.events (which records
the editor in the change log) and answers with the same shape the read side uses.

Idempotency: adding a relation or a participant that already exists answers 200 with the
existing one (201 when created); setting a translation is a PUT (201 created, 200 replaced).
"""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import serializers as s
from events.api.write_common import (
    WRITE_PROBLEMS,
    EditorsOnly,
    StrictSerializer,
    actor,
    service_errors,
    validated,
)
from events.models import (
    Entity,
    Event,
    EventKind,
    EventStatus,
    EventTranslation,
    Participant,
    ParticipantRole,
    Precision,
    RelationKind,
)
from events.selectors import api as selectors
from events.selectors.refs import id_or_slug
from events.services import events as services


class EventWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300, help_text="English title.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    status = serializers.ChoiceField(choices=EventStatus.choices, default=EventStatus.DEVELOPING)
    start = serializers.DateTimeField(required=False, allow_null=True)
    start_precision = serializers.ChoiceField(choices=Precision.choices, default=Precision.DAY)
    end = serializers.DateTimeField(required=False, allow_null=True)
    end_precision = serializers.ChoiceField(choices=Precision.choices, default=Precision.DAY)
    place = serializers.CharField(max_length=200, allow_blank=True, default="")
    summary = serializers.CharField(allow_blank=True, default="", help_text="English summary.")
    slug = serializers.SlugField(
        max_length=200,
        required=False,
        help_text="On creation only; made from the title (transliterated) when absent.",
    )
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)


EVENT_EXAMPLE = OpenApiExample(
    "NATO-Russia Council",
    value={
        "title": "NATO-Russia Council meeting",
        "kind": "meeting",
        "status": "scheduled",
        "start": "2022-01-12T09:00:00Z",
        "start_precision": "minute",
        "place": "Brussels",
        "latitude": 50.85,
        "longitude": 4.35,
    },
    request_only=True,
)


def event_detail_response(event: Event, context: dict[str, Any], code: int) -> Response:
    event = selectors.event_detail_api().get(pk=event.pk)
    body = s.EventDetailSerializer(event, context=context).data
    location = reverse("api:event-detail", args=[event.slug])
    return Response(body, status=code, headers={"Location": location})


class EventCreateMixin:
    """POST on the event list."""

    @extend_schema(
        operation_id="events_create",
        request=EventWriteSerializer,
        responses={201: s.EventDetailSerializer, **WRITE_PROBLEMS},
        examples=[EVENT_EXAMPLE],
        description="Editors: create an event. 201 with the event and its Location.",
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        data = validated(EventWriteSerializer, request)
        with service_errors():
            event = services.event_create(by=actor(request), **data)
        return event_detail_response(event, self.get_serializer_context(), 201)  # type: ignore[attr-defined]


class EventEditMixin:
    """PATCH on an event."""

    @extend_schema(
        operation_id="events_partial_update",
        request=EventWriteSerializer(partial=True),
        responses={200: s.EventDetailSerializer, **WRITE_PROBLEMS},
        examples=[
            OpenApiExample(
                "Concluded", value={"status": "concluded", "end": "2022-01-19"}, request_only=True
            )
        ],
        description="Editors: change some fields. The slug cannot be changed.",
    )
    def patch(self, request: Request, slug: str, *args: object, **kwargs: object) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = validated(EventWriteSerializer, request, partial=True)
        with service_errors():
            event = services.event_edit(event=event, by=actor(request), **data)
        return event_detail_response(event, self.get_serializer_context(), 200)  # type: ignore[attr-defined]


# --- relations --------------------------------------------------------------------------------


class RelationWriteSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    event = serializers.SlugField(help_text="Slug of the other event.")
    direction = serializers.ChoiceField(
        choices=s.DIRECTIONS,
        default="out",
        help_text="`out`: this event <kind> event; `in`: event <kind> this event.",
    )
    note = serializers.CharField(max_length=300, allow_blank=True, default="")


class RelationResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    direction = serializers.ChoiceField(choices=s.DIRECTIONS)
    event = serializers.SlugField(help_text="Slug of the other event.")
    note = serializers.CharField()


class EventRelationsApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=RelationWriteSerializer,
        responses={
            201: RelationResultSerializer,
            200: OpenApiResponse(RelationResultSerializer, description="The link existed."),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "CSTO deployment responds to the protests",
                value={"kind": "response_to", "event": "kazakhstan-protests"},
                request_only=True,
            )
        ],
        description="Editors: link this event to another. Idempotent: an existing link "
        "(for `related`, in either direction) answers 200 with it.",
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = validated(RelationWriteSerializer, request)
        other = Event.objects.filter(slug=data["event"]).first()
        if other is None:
            raise serializers.ValidationError({"event": [f"No event {data['event']!r}."]})
        source, target = (event, other) if data["direction"] == "out" else (other, event)
        with service_errors():
            relation, created = services.relation_add_or_get(
                source=source,
                target=target,
                kind=data["kind"],
                by=actor(request),
                note=data["note"],
            )
        body = {
            "kind": relation.kind,
            "direction": "out" if relation.source_id == event.pk else "in",
            "event": other.slug,
            "note": relation.note,
        }
        return Response(body, status=201 if created else 200)


class EventRelationApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        responses={204: None, **WRITE_PROBLEMS},
        description="Editors: remove `this event <kind> event` (for `related`, either way).",
    )
    def delete(self, request: Request, slug: str, kind: str, other: str) -> Response:
        if kind not in RelationKind.values:
            raise serializers.ValidationError(
                {"kind": [f"Expected one of {', '.join(RelationKind.values)}."]}
            )
        event = get_object_or_404(Event, slug=slug)
        target = get_object_or_404(Event, slug=other)
        relation = services.relation_find(source=event, target=target, kind=kind)
        if relation is None:
            raise Http404(f"{slug} has no {kind} link to {other}.")
        services.relation_remove(relation=relation, by=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- participants -----------------------------------------------------------------------------


def entity_by_ref(value: str) -> Entity | None:
    """An entity named by id or slug."""
    return Entity.objects.filter(id_or_slug(value)).first()


class ParticipantWriteSerializer(StrictSerializer):
    entity = serializers.CharField(max_length=200, help_text="Entity id or slug.")
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    note = serializers.CharField(max_length=300, allow_blank=True, default="")


class EventParticipantsApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=ParticipantWriteSerializer,
        responses={
            201: s.ParticipantSerializer,
            200: OpenApiResponse(s.ParticipantSerializer, description="Already a participant."),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "Tokayev as actor",
                value={"entity": "kassym-jomart-tokayev", "role": "actor"},
                request_only=True,
            )
        ],
        description="Editors: an entity takes part in this event in a role; idempotent.",
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = validated(ParticipantWriteSerializer, request)
        entity = entity_by_ref(data["entity"])
        if entity is None:
            raise serializers.ValidationError({"entity": [f"No entity {data['entity']!r}."]})
        with service_errors():
            participant, created = services.participant_add_or_get(
                event=event, entity=entity, role=data["role"], note=data["note"], by=actor(request)
            )
        body = s.ParticipantSerializer(participant).data
        return Response(body, status=201 if created else 200)


class EventParticipantApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        responses={204: None, **WRITE_PROBLEMS},
        description="Editors: the entity (id or slug) no longer takes part in this role.",
    )
    def delete(self, request: Request, slug: str, entity: str, role: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        found = entity_by_ref(entity)
        participant = get_object_or_404(Participant, event=event, entity=found, role=role)
        services.participant_remove(participant=participant, by=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- translations -----------------------------------------------------------------------------


class TranslationWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(allow_blank=True, default="")


class EventTranslationApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=TranslationWriteSerializer,
        responses={
            201: s.TranslationSerializer,
            200: OpenApiResponse(s.TranslationSerializer, description="Replaced."),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "Bulgarian",
                value={"title": "Протести в Казахстан", "summary": ""},
                request_only=True,
            )
        ],
        description="Editors: the event's title and summary in `language` (ISO 639-1, not "
        "`en`: English is the event's own), created or replaced.",
    )
    def put(self, request: Request, slug: str, language: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = validated(TranslationWriteSerializer, request)
        existed = EventTranslation.objects.filter(event=event, language=language).exists()
        with service_errors():
            translation = services.translation_set(
                event=event, language=language, by=actor(request), **data
            )
        body = s.TranslationSerializer(translation).data
        return Response(body, status=200 if existed else 201)

    @extend_schema(responses={204: None, **WRITE_PROBLEMS})
    def delete(self, request: Request, slug: str, language: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        if not services.translation_remove(event=event, language=language, by=actor(request)):
            raise Http404(f"{slug} has no {language} translation.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- merges -----------------------------------------------------------------------------------


class MergeSerializer(StrictSerializer):
    into = serializers.SlugField(help_text="Slug of the event that stays.")


class EventMergeApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=MergeSerializer,
        responses={200: s.EventDetailSerializer, **WRITE_PROBLEMS},
        examples=[OpenApiExample("Duplicate", value={"into": "csto-deployment"})],
        description="Editors: merge this event into another. Its article links, updates, "
        "relations and participants move to the other; this event's URL then answers 301 "
        "to it, and the change feed records the merge. Answers the event that stays.",
    )
    def post(self, request: Request, slug: str) -> Response:
        loser = get_object_or_404(Event, slug=slug)
        data = validated(MergeSerializer, request)
        winner = Event.objects.filter(slug=data["into"]).first()
        if winner is None:
            raise serializers.ValidationError({"into": [f"No event {data['into']!r}."]})
        with service_errors():
            winner = services.event_merge(loser=loser, winner=winner, by=actor(request))
        return event_detail_response(winner, {"lang": "en"}, 200)


class MergedRedirectMixin:
    """GET on a merged event's URL: 301 to the event it was merged into."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()  # type: ignore[attr-defined]
        if event.merged_into_id is None:
            return Response(self.get_serializer(event).data)  # type: ignore[attr-defined]
        return merged_redirect(request, event.merged_into_id, "api:event-detail")


def merged_redirect(request: Request, winner_id: int, url_name: str) -> Response:
    """301 to ``url_name`` of the event a merged one went into, keeping the query string."""
    winner = Event.objects.values_list("slug", flat=True).get(pk=winner_id)
    location = reverse(url_name, args=[winner])
    if request.META.get("QUERY_STRING"):
        location += "?" + request.META["QUERY_STRING"]
    return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})
