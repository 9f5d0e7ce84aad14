"""Timeline updates: list and detail for everyone (drafts only for editors), and the editor
workflow draft → in_review → published → retracted through events.services.timeline, each
call recorded with its editor (acting_as).

A refused state change (publishing without a citation, retracting a draft) is a 400 problem
naming ``citations`` or ``status``.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import serializers as s
from events.api.permissions import is_editor
from events.api.write_common import (
    WRITE_PROBLEMS,
    EditorsOnly,
    EditorsWrite,
    StrictSerializer,
    actor,
    language_or_blank,
    service_errors,
    validated,
)
from events.models import (
    PUBLIC_STATUSES,
    Article,
    Citation,
    Entity,
    Event,
    Outlet,
    Precision,
    Update,
    UpdateStatus,
)
from events.selectors.events import ARTICLE_HEAVY_FIELDS
from events.services import timeline
from events.services.history import acting_as


def updates_visible(request: Request) -> QuerySet[Update]:
    """Updates the caller may see (drafts and reviews only for editors), with what backs them,
    in a constant number of queries."""
    updates = Update.objects.select_related("event")
    if not is_editor(request):
        updates = updates.filter(status__in=PUBLIC_STATUSES)
    citations = Citation.objects.select_related("outlet", "speaker", "article__outlet").defer(
        *(f"article__{name}" for name in ARTICLE_HEAVY_FIELDS)
    )
    return updates.prefetch_related(Prefetch("citations", queryset=citations))


class UpdateDetailSerializer(s.UpdateSerializer):
    event = serializers.SlugField(source="event.slug", help_text="Slug of the event.")
    version = serializers.IntegerField(help_text="Bumped by every change.")
    sources_changed_at = serializers.DateTimeField(
        allow_null=True, help_text="A cited article's text changed after citing."
    )

    class Meta(s.UpdateSerializer.Meta):
        fields = [*s.UpdateSerializer.Meta.fields, "event", "version", "sources_changed_at"]


class CitationWriteSerializer(StrictSerializer):
    article = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.only("id"), required=False, allow_null=True
    )
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.only("id"),
        required=False,
        allow_null=True,
        help_text="The outlet that relayed the words (the BBC quoting Ned Price).",
    )
    speaker = serializers.PrimaryKeyRelatedField(
        queryset=Entity.objects.only("id"),
        required=False,
        allow_null=True,
        help_text="Entity id of who said it.",
    )
    quote = serializers.CharField(allow_blank=True, default="", help_text="Original words.")
    quote_language = serializers.CharField(max_length=2, allow_blank=True, default="")
    translation = serializers.CharField(allow_blank=True, default="")
    translation_language = serializers.CharField(max_length=2, allow_blank=True, default="")
    span_start = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Found from the quote if absent."
    )
    span_end = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    retrieved_at = serializers.DateTimeField(required=False, allow_null=True)

    validate_quote_language = staticmethod(language_or_blank)
    validate_translation_language = staticmethod(language_or_blank)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("article") is None and attrs.get("outlet") is None:
            raise serializers.ValidationError({"article": ["Give an article or an outlet."]})
        if attrs.get("translation") and not attrs.get("quote"):
            raise serializers.ValidationError({"translation": ["A translation needs a quote."]})
        if (attrs.get("span_start") is None) != (attrs.get("span_end") is None):
            raise serializers.ValidationError({"span_end": ["Give both ends of the span."]})
        return attrs


def citation_data(attrs: dict[str, Any]) -> timeline.CitationData:
    return timeline.CitationData(
        article_id=attrs["article"].pk if attrs.get("article") else None,
        outlet_id=attrs["outlet"].pk if attrs.get("outlet") else None,
        speaker_id=attrs["speaker"].pk if attrs.get("speaker") else None,
        quote=attrs["quote"],
        quote_language=attrs["quote_language"],
        translation=attrs["translation"],
        translation_language=attrs["translation_language"],
        span_start=attrs.get("span_start"),
        span_end=attrs.get("span_end"),
        retrieved_at=attrs.get("retrieved_at"),
    )


class UpdateWriteSerializer(StrictSerializer):
    occurred_at = serializers.DateTimeField()
    occurred_precision = serializers.ChoiceField(choices=Precision.choices, default=Precision.DAY)
    headline = serializers.CharField(max_length=300)
    body = serializers.CharField(allow_blank=True, default="")
    language = serializers.CharField(max_length=2, default="en")
    citations = CitationWriteSerializer(many=True, default=list)

    validate_language = staticmethod(language_or_blank)


class UpdateEditSerializer(StrictSerializer):
    occurred_at = serializers.DateTimeField()
    occurred_precision = serializers.ChoiceField(choices=Precision.choices)
    headline = serializers.CharField(max_length=300)
    body = serializers.CharField(allow_blank=True)
    correction_note = serializers.CharField(
        allow_blank=True, help_text="Required when correcting a published update; shown."
    )


class RetractSerializer(StrictSerializer):
    reason = serializers.CharField(help_text="Shown to readers beside the struck-through line.")


UPDATE_EXAMPLE = OpenApiExample(
    "Ned Price via the BBC",
    value={
        "occurred_at": "2022-01-06T18:00:00Z",
        "occurred_precision": "day",
        "headline": "US questions the CSTO deployment",
        "language": "en",
        "citations": [
            {
                "article": 1,
                "outlet": 2,
                "speaker": 3,
                "quote": "We have questions about the nature of this request",
                "quote_language": "en",
            }
        ],
    },
    request_only=True,
)


def _update_response(request: Request, update: Update, code: int = 200) -> Response:
    update = updates_visible(request).get(pk=update.pk)
    location = reverse("api:update-detail", args=[update.pk])
    return Response(
        UpdateDetailSerializer(update).data, status=code, headers={"Location": location}
    )


def _editable(pk: int) -> Update:
    return get_object_or_404(Update, pk=pk)


@extend_schema(
    parameters=[
        OpenApiParameter("event", OpenApiTypes.STR, description="Event slug."),
        OpenApiParameter(
            "status",
            OpenApiTypes.STR,
            enum=UpdateStatus.values,
            description="Drafts and lines in review are listed for editors only.",
        ),
    ],
    responses={200: UpdateDetailSerializer, **s.problems(400, 401, 429)},
)
class UpdateListApi(generics.ListAPIView):
    """Updates of every event, newest first; drafts and reviews only for editors."""

    serializer_class = UpdateDetailSerializer
    cursor_ordering = "-id"

    def get_queryset(self) -> QuerySet[Update]:
        updates = updates_visible(self.request)
        event = self.request.query_params.get("event")
        if event is not None:
            updates = updates.filter(event__slug=event)
        wanted = self.request.query_params.get("status")
        if wanted is not None:
            if wanted not in UpdateStatus.values:
                raise exceptions.ValidationError(
                    {"status": [f"Expected one of {', '.join(UpdateStatus.values)}."]}
                )
            updates = updates.filter(status=wanted)
        return updates


class UpdateDetailApi(generics.RetrieveAPIView):
    serializer_class = UpdateDetailSerializer
    permission_classes = [EditorsWrite]

    def get_queryset(self) -> QuerySet[Update]:
        return updates_visible(self.request)

    @extend_schema(responses={200: UpdateDetailSerializer, **s.problems(401, 404, 429)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=UpdateEditSerializer(partial=True),
        responses={200: UpdateDetailSerializer, **WRITE_PROBLEMS},
        examples=[
            OpenApiExample(
                "Correction",
                value={
                    "headline": "Tokayev asks the CSTO for help",
                    "correction_note": "The request was made on 5 January, not 6 January.",
                    "occurred_at": "2022-01-05T20:00:00Z",
                },
                request_only=True,
            )
        ],
        description="Editors: change the text or time. A published update is corrected in "
        "the open: `correction_note` is required and shown to readers.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        update = _editable(pk)
        data = validated(UpdateEditSerializer, request, partial=True)
        if "occurred_precision" in data:
            data["precision"] = data.pop("occurred_precision")
        by = actor(request)
        with service_errors(non_field="status"), acting_as(by):
            update = timeline.update_edit(update=update, by=by, **data)
        return _update_response(request, update)


class EventUpdatesApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=UpdateWriteSerializer,
        responses={201: UpdateDetailSerializer, **WRITE_PROBLEMS},
        examples=[UPDATE_EXAMPLE],
        description="Editors: a new draft line on the event's timeline, with its citations.",
    )
    def post(self, request: Request, slug: str) -> Response:
        event = get_object_or_404(Event, slug=slug)
        data = validated(UpdateWriteSerializer, request)
        by = actor(request)
        with service_errors(), acting_as(by):
            update = timeline.update_create(
                event=event,
                occurred_at=data["occurred_at"],
                precision=data["occurred_precision"],
                headline=data["headline"],
                body=data["body"],
                language=data["language"],
                citations=[citation_data(c) for c in data["citations"]],
                by=by,
            )
        return _update_response(request, update, 201)


class UpdateCitationsApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=CitationWriteSerializer,
        responses={201: UpdateDetailSerializer, **WRITE_PROBLEMS},
        description="Editors: one more citation backing the update (not when retracted).",
    )
    def post(self, request: Request, pk: int) -> Response:
        update = _editable(pk)
        data = validated(CitationWriteSerializer, request)
        by = actor(request)
        with service_errors(non_field="status"), acting_as(by):
            timeline.citation_add(update=update, data=citation_data(data), by=by)
        return _update_response(request, update, 201)


class UpdateSubmitApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={200: UpdateDetailSerializer, **WRITE_PROBLEMS},
        description="Editors: send a draft for review.",
    )
    def post(self, request: Request, pk: int) -> Response:
        update, by = _editable(pk), actor(request)
        with service_errors(non_field="status"), acting_as(by):
            update = timeline.update_submit(update=update, by=by)
        return _update_response(request, update)


class UpdatePublishApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={200: UpdateDetailSerializer, **WRITE_PROBLEMS},
        description="Editors: publish a draft or a line in review. Refused (400, `citations`) "
        "while it has no citation.",
    )
    def post(self, request: Request, pk: int) -> Response:
        update, by = _editable(pk), actor(request)
        if not update.citations.exists():
            raise exceptions.ValidationError(
                {"citations": ["An update needs at least one citation before it is published."]}
            )
        with service_errors(non_field="status"), acting_as(by):
            update = timeline.update_publish(update=update, by=by)
        return _update_response(request, update)


class UpdateRetractApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=RetractSerializer,
        responses={200: UpdateDetailSerializer, **WRITE_PROBLEMS},
        examples=[
            OpenApiExample("Misattributed", value={"reason": "Misattributed quote"}),
        ],
        description="Editors: retract a published update. It stays on the timeline, struck "
        "through, with the reason.",
    )
    def post(self, request: Request, pk: int) -> Response:
        update, by = _editable(pk), actor(request)
        data = validated(RetractSerializer, request)
        with service_errors(non_field="status"), acting_as(by):
            update = timeline.update_retract(update=update, by=by, reason=data["reason"])
        return _update_response(request, update)
