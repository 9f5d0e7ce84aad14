"""Editor writes on entities and their aliases (events.services.entities).

Adding an alias that exists (same name, case-insensitively, and language) answers 200 with it.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import serializers as s
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
from events.models import Entity, EntityAlias, EntityKind
from events.selectors import api as selectors
from events.services import entities as services


class EntityWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, help_text="Canonical name, in English.")
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    slug = serializers.SlugField(
        max_length=200, required=False, help_text="Made from the name when absent."
    )
    wikidata_id = serializers.CharField(max_length=16, allow_blank=True, default="")
    description = serializers.CharField(max_length=300, allow_blank=True, default="")
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)


class AliasWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    language = serializers.CharField(
        max_length=2, allow_blank=True, default="", help_text="ISO 639-1; empty for any."
    )
    is_acronym = serializers.BooleanField(
        default=False, help_text="Matched case-sensitively (NATO, НАТО, CSTO)."
    )

    validate_language = staticmethod(language_or_blank)


def _entity_response(entity: Entity, code: int) -> Response:
    entity = selectors.entity_list_api().get(pk=entity.pk)
    location = reverse("api:entity-detail", args=[entity.pk])
    return Response(s.EntitySerializer(entity).data, status=code, headers={"Location": location})


class EntityCreateMixin:
    """POST on the entity list."""

    @extend_schema(
        operation_id="entities_create",
        request=EntityWriteSerializer,
        responses={201: s.EntitySerializer, **WRITE_PROBLEMS},
        examples=[
            OpenApiExample(
                "CSTO",
                value={
                    "name": "Collective Security Treaty Organization",
                    "kind": "organisation",
                    "wikidata_id": "Q189036",
                },
                request_only=True,
            )
        ],
        description="Editors: create an entity; add its names in other languages as aliases.",
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        data = validated(EntityWriteSerializer, request)
        with service_errors():
            entity = services.entity_create(by=actor(request), **data)
        return _entity_response(entity, 201)


class EntityDetailApi(generics.RetrieveAPIView):
    serializer_class = s.EntitySerializer
    permission_classes = [EditorsWrite]

    def get_queryset(self) -> QuerySet[Entity]:
        return selectors.entity_list_api()

    @extend_schema(responses={200: s.EntitySerializer, **WRITE_PROBLEMS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=EntityWriteSerializer(partial=True),
        responses={200: s.EntitySerializer, **WRITE_PROBLEMS},
        examples=[
            OpenApiExample(
                "Description", value={"description": "President of Kazakhstan"}, request_only=True
            )
        ],
        description="Editors: change some fields.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        entity = get_object_or_404(Entity, pk=pk)
        data = validated(EntityWriteSerializer, request, partial=True)
        with service_errors():
            entity = services.entity_edit(entity=entity, by=actor(request), **data)
        return _entity_response(entity, 200)


class EntityAliasesApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=AliasWriteSerializer,
        responses={
            201: s.AliasSerializer,
            200: OpenApiResponse(s.AliasSerializer, description="The alias existed."),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "Bulgarian acronym",
                value={"name": "ОДКС", "language": "bg", "is_acronym": True},
                request_only=True,
            )
        ],
        description="Editors: a name the entity goes by in a language; idempotent.",
    )
    def post(self, request: Request, pk: int) -> Response:
        entity = get_object_or_404(Entity, pk=pk)
        data = validated(AliasWriteSerializer, request)
        with service_errors():
            alias, created = services.alias_add(entity=entity, by=actor(request), **data)
        return Response(s.AliasSerializer(alias).data, status=201 if created else 200)


class EntityAliasApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(responses={204: None, **WRITE_PROBLEMS})
    def delete(self, request: Request, pk: int, alias_id: int) -> Response:
        alias = get_object_or_404(EntityAlias, pk=alias_id, entity_id=pk)
        services.alias_remove(alias=alias, by=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
