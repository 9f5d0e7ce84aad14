"""Editors submit article URLs and manage feeds.

``POST /articles/ {url}`` registers the URL (events.services.articles.article_register) and
enqueues its processing once the transaction commits: 202 with the Location of its
submission status. A URL already known (as canonical URL or as a variant) answers 200 with
the existing article's status and enqueues nothing.

Feed and article URLs whose host resolves only to private, loopback or link-local addresses
are refused here (400 naming ``url``) unless INGEST_ALLOW_PRIVATE_NETWORKS; the fetcher checks
every connection again, so a name that resolves differently later gains nothing.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import serializers as s
from events.api.write_common import (
    WRITE_PROBLEMS,
    EditorsOnly,
    StrictSerializer,
    actor,
    language_or_blank,
    service_errors,
    validated,
)
from events.ingest.urls import InvalidURL
from events.models import Article, ArticleEvent, ArticleState, ArticleURL, Event, Feed
from events.services import feeds as feed_services
from events.services import suggestions
from events.services.articles import article_register, storable_canonical_url
from events.services.fetching import url_refusal
from events.services.history import acting_as
from events.tasks import article_process_task


def checked_url(url: str) -> str:
    """The canonical form of ``url``; a 400 naming ``url`` if invalid or private."""
    try:
        canonical = storable_canonical_url(url)
    except InvalidURL as error:
        raise exceptions.ValidationError({"url": [str(error)]}) from error
    refusal = url_refusal(canonical)
    if refusal:
        raise exceptions.ValidationError({"url": [refusal]})
    return canonical


# --- article submissions ----------------------------------------------------------------------


class ArticleSubmitSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2048, help_text="The article's http(s) URL.")


class ArticleSubmissionSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="canonical_url")
    state = serializers.CharField(
        help_text="`pending` (waiting or retrying), `extracted`, `ready` (listed) or `failed`."
    )
    last_error = serializers.CharField(
        source="failure_reason", help_text="Why the last attempt failed; empty if none."
    )
    status_url = serializers.SerializerMethodField()
    article = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "state",
            "attempts",
            "last_error",
            "next_attempt_at",
            "fetched_at",
            "title",
            "language",
            "duplicate_of",
            "status_url",
            "article",
        ]

    def get_status_url(self, article: Article) -> str:
        return reverse("api:article-submission", args=[article.pk])

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="The article's API URL once listed.")
    )
    def get_article(self, article: Article) -> str | None:
        if article.state != ArticleState.READY:
            return None
        return reverse("api:article-detail", args=[article.pk])


def _submission_response(article_id: int, code: int) -> Response:
    article = Article.objects.defer("text", "minhash").get(pk=article_id)
    location = reverse("api:article-submission", args=[article_id])
    body = ArticleSubmissionSerializer(article).data
    return Response(body, status=code, headers={"Location": location})


class ArticleSubmitMixin:
    """POST on the article list."""

    @extend_schema(
        operation_id="articles_submit",
        request=ArticleSubmitSerializer,
        responses={
            202: OpenApiResponse(
                ArticleSubmissionSerializer,
                description="Registered; processing is queued. Location: its status.",
            ),
            200: OpenApiResponse(
                ArticleSubmissionSerializer, description="Already known: its current status."
            ),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "A BBC story", value={"url": "https://www.bbc.com/news/world-asia-59885210"}
            )
        ],
        description="Editors: submit an article URL for ingestion (fetch, extract, language, "
        "duplicates, entities, event suggestions). Follow `status_url` for its progress.",
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        data = validated(ArticleSubmitSerializer, request)
        canonical = checked_url(data["url"])
        with acting_as(actor(request)):
            new_id = article_register(url=data["url"])
            if new_id is not None:
                transaction.on_commit(lambda: article_process_task.delay(new_id))
                return _submission_response(new_id, 202)
        known = (
            ArticleURL.objects.filter(url__in=[data["url"].strip(), canonical])
            .values_list("article_id", flat=True)
            .first()
        )
        if known is None:  # pragma: no cover - registered URLs always have a variant row
            raise exceptions.ValidationError({"url": ["Could not be registered."]})
        return _submission_response(known, 200)


class ArticleSubmissionApi(generics.RetrieveAPIView):
    """An article's processing state, whatever it is (pending, failed...): editors only."""

    serializer_class = ArticleSubmissionSerializer
    permission_classes = [EditorsOnly]

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.defer("text", "minhash")

    @extend_schema(responses={200: ArticleSubmissionSerializer, **WRITE_PROBLEMS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- feeds ------------------------------------------------------------------------------------


class FeedSerializer(serializers.ModelSerializer):
    outlet = s.OutletRefSerializer(allow_null=True)

    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "title",
            "outlet",
            "language",
            "is_active",
            "health",
            "poll_interval",
            "next_poll_at",
            "last_polled_at",
            "last_success_at",
            "last_status",
            "consecutive_failures",
            "last_error",
            "last_error_at",
            "last_new_items",
            "items_seen",
            "created_at",
        ]


class FeedWriteSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2048)
    title = serializers.CharField(max_length=300, allow_blank=True, default="")
    language = serializers.CharField(
        max_length=2, allow_blank=True, default="", help_text="Expected language, if known."
    )

    validate_language = staticmethod(language_or_blank)


class FeedEditSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300, allow_blank=True)
    language = serializers.CharField(max_length=2, allow_blank=True)
    is_active = serializers.BooleanField(help_text="An inactive feed is not polled.")

    validate_language = staticmethod(language_or_blank)


def _feed_response(feed: Feed, code: int) -> Response:
    feed = Feed.objects.select_related("outlet").get(pk=feed.pk)
    location = reverse("api:feed-detail", args=[feed.pk])
    return Response(FeedSerializer(feed).data, status=code, headers={"Location": location})


class FeedListApi(generics.ListAPIView):
    """Feeds with their polling health: editors only."""

    serializer_class = FeedSerializer
    permission_classes = [EditorsOnly]
    cursor_ordering = "id"

    def get_queryset(self) -> QuerySet[Feed]:
        return Feed.objects.select_related("outlet")

    @extend_schema(responses={200: FeedSerializer, **WRITE_PROBLEMS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FeedWriteSerializer,
        responses={
            201: FeedSerializer,
            200: OpenApiResponse(FeedSerializer, description="The feed was registered before."),
            **WRITE_PROBLEMS,
        },
        examples=[
            OpenApiExample(
                "BBC World", value={"url": "https://feeds.bbci.co.uk/news/world/rss.xml"}
            )
        ],
        description="Editors: register a feed (polled within a minute). Private addresses "
        "are refused.",
    )
    def post(self, request: Request) -> Response:
        data = validated(FeedWriteSerializer, request)
        canonical = checked_url(data["url"])
        existed = Feed.objects.filter(url=canonical).exists()
        with service_errors(), acting_as(actor(request)):
            feed = feed_services.feed_register(**data)
        return _feed_response(feed, 200 if existed else 201)


class FeedDetailApi(generics.RetrieveAPIView):
    serializer_class = FeedSerializer
    permission_classes = [EditorsOnly]

    def get_queryset(self) -> QuerySet[Feed]:
        return Feed.objects.select_related("outlet")

    @extend_schema(responses={200: FeedSerializer, **WRITE_PROBLEMS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FeedEditSerializer(partial=True),
        responses={200: FeedSerializer, **WRITE_PROBLEMS},
        examples=[OpenApiExample("Pause", value={"is_active": False})],
        description="Editors: rename, set the language, pause or resume a feed.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        feed = get_object_or_404(Feed, pk=pk)
        data = validated(FeedEditSerializer, request, partial=True)
        with service_errors(), acting_as(actor(request)):
            feed = feed_services.feed_edit(feed=feed, **data)
        return _feed_response(feed, 200)


class FeedPollApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={202: FeedSerializer, **WRITE_PROBLEMS},
        description="Editors: poll the feed within a minute (the beat claims it), healthy "
        "or not. A paused feed is refused (400, `is_active`).",
    )
    def post(self, request: Request, pk: int) -> Response:
        feed = get_object_or_404(Feed, pk=pk)
        if not feed.is_active:
            raise exceptions.ValidationError({"is_active": ["The feed is paused."]})
        with acting_as(actor(request)):
            feed_services.feeds_poll_soon(feed_ids=[feed.pk])
        return _feed_response(feed, 202)


# --- editors' decisions on article ↔ event links ------------------------------------------------


class ArticleLinkSerializer(serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id")
    event = serializers.SlugField(source="event.slug")
    state = serializers.CharField(help_text="`suggested`, `confirmed` or `rejected`.")
    origin = serializers.CharField(help_text="`auto` (suggested by ingestion) or `editor`.")

    class Meta:
        model = ArticleEvent
        fields = ["article", "event", "score", "origin", "state", "decided_at"]


def _pair(pk: int, slug: str) -> tuple[Article, Event]:
    article = get_object_or_404(Article.objects.only("id", "state"), pk=pk)
    return article, get_object_or_404(Event, slug=slug)


def _link_response(link: ArticleEvent, code: int = 200) -> Response:
    link = ArticleEvent.objects.select_related("event").get(pk=link.pk)
    return Response(ArticleLinkSerializer(link).data, status=code)


class ArticleEventAttachApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={200: ArticleLinkSerializer, **WRITE_PROBLEMS},
        description="Editors: the article belongs to the event (confirmed). An existing "
        "suggestion or rejection for the pair is confirmed instead.",
    )
    def post(self, request: Request, pk: int, slug: str) -> Response:
        article, event = _pair(pk, slug)
        with service_errors():
            link = suggestions.link_attach(article=article, event=event, by=actor(request))
        return _link_response(link)


class ArticleEventConfirmApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={200: ArticleLinkSerializer, **WRITE_PROBLEMS},
        description="Editors: confirm the suggestion (404 when there is none: attach instead).",
    )
    def post(self, request: Request, pk: int, slug: str) -> Response:
        article, event = _pair(pk, slug)
        link = get_object_or_404(ArticleEvent, article=article, event=event)
        with service_errors():
            link = suggestions.link_confirm(link=link, by=actor(request))
        return _link_response(link)


class ArticleEventRejectApi(APIView):
    permission_classes = [EditorsOnly]

    @extend_schema(
        request=None,
        responses={200: ArticleLinkSerializer, **WRITE_PROBLEMS},
        description="Editors: the article does not belong to the event; ingestion never "
        "suggests the pair again (also without a suggestion yet).",
    )
    def post(self, request: Request, pk: int, slug: str) -> Response:
        article, event = _pair(pk, slug)
        link = ArticleEvent.objects.filter(article=article, event=event).first()
        link = link or ArticleEvent(article_id=article.pk, event_id=event.pk)
        with service_errors():
            link = suggestions.link_reject(link=link, by=actor(request))
        return _link_response(link)
