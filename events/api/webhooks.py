"""Webhooks of the signed-in client: ``/api/v1/webhooks/`` and their recorded deliveries.

Any authenticated client (reader or editor) registers URLs for the public changes it wants;
each sees and changes its own webhooks only (another's is a 404). The secret that signs the
deliveries is in the creation response only. Delivery, signing, retries and pausing are
described in events.services.webhooks.
"""

from typing import cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from events.api.serializers import problems
from events.api.write_common import StrictSerializer, service_errors, validated
from events.models import User, Webhook, WebhookDelivery
from events.services import webhooks as services

PROBLEMS = problems(400, 401, 404, 429)
KINDS_HELP = (
    'Changes wanted as "<kind>.<action>": kinds event, update, article, entity; actions '
    "created, updated, published, retracted, merged, deleted. Empty: all."
)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "kinds",
            "is_active",
            "paused_at",
            "pause_reason",
            "consecutive_failures",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="Signs every delivery (HMAC-SHA256). Shown in this response only."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2048, help_text="Public http(s) URL to POST to.")
    kinds = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, help_text=KINDS_HELP
    )


class WebhookEditSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2048, required=False)
    kinds = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, help_text=KINDS_HELP
    )
    is_active = serializers.BooleanField(
        required=False, help_text="true switches a paused webhook back on (failures reset)."
    )


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "kind",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


class _Own(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.filter(owner_id=self.request.user.pk).order_by("id")


CREATED_EXAMPLE = OpenApiExample(
    "Registered",
    value={
        "id": 1,
        "url": "https://hooks.newsroom.example/tracker",
        "kinds": ["update.published", "update.retracted"],
        "is_active": True,
        "paused_at": None,
        "pause_reason": "",
        "consecutive_failures": 0,
        "created_at": "2022-01-06T08:00:00Z",
        "updated_at": "2022-01-06T08:00:00Z",
        "secret": "k3Yw0pS2t0r3-Th1s-0nc3",
    },
    response_only=True,
    status_codes=["201"],
)


@extend_schema_view(
    get=extend_schema(responses={200: WebhookSerializer, **PROBLEMS}),
    post=extend_schema(
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer, **PROBLEMS},
        examples=[
            OpenApiExample(
                "Published and retracted lines",
                value={
                    "url": "https://hooks.newsroom.example/tracker",
                    "kinds": ["update.published", "update.retracted"],
                },
                request_only=True,
            ),
            CREATED_EXAMPLE,
        ],
    ),
)
class WebhookListApi(_Own, generics.ListAPIView):
    """Your webhooks; POST registers one (private addresses are refused, like feed URLs)."""

    serializer_class = WebhookSerializer
    cursor_ordering = "id"

    def post(self, request: Request) -> Response:
        body = validated(WebhookCreateSerializer, request)
        with service_errors():
            webhook = services.webhook_register(
                owner=cast(User, request.user), url=body["url"], kinds=body.get("kinds", [])
            )
        return Response(WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(responses={200: WebhookSerializer, **PROBLEMS}),
    patch=extend_schema(
        request=WebhookEditSerializer, responses={200: WebhookSerializer, **PROBLEMS}
    ),
    delete=extend_schema(responses={204: None, **PROBLEMS}),
)
class WebhookDetailApi(_Own, generics.RetrieveAPIView):
    serializer_class = WebhookSerializer

    def patch(self, request: Request, pk: int) -> Response:
        webhook = self.get_object()
        body = validated(WebhookEditSerializer, request, partial=True)
        with service_errors():
            webhook = services.webhook_edit(webhook=webhook, **body)
        return Response(WebhookSerializer(webhook).data)

    def delete(self, request: Request, pk: int) -> Response:
        services.webhook_delete(webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses={200: DeliverySerializer, **PROBLEMS})
class WebhookDeliveriesApi(generics.ListAPIView):
    """What was sent to the webhook, newest first, with each attempt's outcome."""

    permission_classes = [IsAuthenticated]
    serializer_class = DeliverySerializer
    cursor_ordering = "-id"

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        webhook = get_object_or_404(
            Webhook.objects.filter(owner_id=self.request.user.pk), pk=self.kwargs["pk"]
        )
        return WebhookDelivery.objects.filter(webhook=webhook)
