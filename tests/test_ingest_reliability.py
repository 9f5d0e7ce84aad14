"""Bounded retries, leases and sweeps that keep ingestion from losing or repeating work."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Article, ArticleState, Feed
from events.services.articles import MAX_ATTEMPTS, article_process, articles_claim_stalled, process
from events.services.feeds import feeds_claim_due
from events.tasks import _backoff
from tests.conftest import BASE_DIR
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_an_article_that_keeps_killing_workers_is_given_up_with_a_reason():
    article = ArticleFactory(state=ArticleState.PENDING, attempts=MAX_ATTEMPTS, text="")
    outcome = article_process(article_id=article.pk)
    article.refresh_from_db()
    assert outcome.state == article.state == ArticleState.FAILED
    assert article.failure_reason == f"gave up after {MAX_ATTEMPTS} attempts"


def test_processing_a_deleted_article_is_a_no_op():
    assert article_process(article_id=987654).state == "gone"


def test_due_feeds_are_claimed_once_and_leased():
    now = timezone.now()
    due = Feed.objects.create(url="https://a.example/feed", next_poll_at=now)
    Feed.objects.create(url="https://b.example/feed", next_poll_at=now + dt.timedelta(hours=1))
    Feed.objects.create(url="https://c.example/feed", next_poll_at=now, is_active=False)
    assert feeds_claim_due() == [due.pk]
    assert feeds_claim_due() == []  # leased: a second beat tick does not claim it again
    due.refresh_from_db()
    assert due.next_poll_at > now


def test_stalled_and_due_articles_are_swept_back_into_the_queue():
    now = timezone.now()
    due = ArticleFactory(state=ArticleState.PENDING, next_attempt_at=now - dt.timedelta(minutes=1))
    lost = ArticleFactory(state=ArticleState.PENDING)
    Article.objects.filter(pk=lost.pk).update(updated_at=now - dt.timedelta(hours=1))
    ArticleFactory(state=ArticleState.PENDING)  # just registered: its message is on its way
    ArticleFactory(state=ArticleState.READY, next_attempt_at=now - dt.timedelta(minutes=1))
    assert sorted(articles_claim_stalled()) == sorted([due.pk, lost.pk])
    assert articles_claim_stalled() == []


def test_an_article_a_worker_claimed_lately_is_not_swept_however_old():
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    working = ArticleFactory(state=ArticleState.PENDING, text="")
    stuck = ArticleFactory(state=ArticleState.PENDING, text="")
    Article.objects.filter(pk=working.pk).update(updated_at=hour_ago)
    Article.objects.filter(pk=stuck.pk).update(updated_at=hour_ago, claimed_at=hour_ago)
    assert process._attempt_count(working.pk) == working.canonical_url  # a worker claims it
    assert articles_claim_stalled() == [stuck.pk]


def test_a_due_retry_a_worker_holds_is_not_swept_until_its_claim_is_stale():
    now = timezone.now()
    minute_ago = now - dt.timedelta(minutes=1)
    held = ArticleFactory(state=ArticleState.PENDING, text="", next_attempt_at=minute_ago)
    lost = ArticleFactory(state=ArticleState.PENDING, text="", next_attempt_at=minute_ago)
    Article.objects.filter(pk=lost.pk).update(claimed_at=now - dt.timedelta(hours=1))
    assert process._attempt_count(held.pk) == held.canonical_url  # a worker has it now
    assert articles_claim_stalled() == [lost.pk]
    # Killed mid-article: once its claim is older than STALLED_AFTER it is swept.
    Article.objects.filter(pk=held.pk).update(claimed_at=now - dt.timedelta(minutes=16))
    assert articles_claim_stalled() == [held.pk]


@pytest.mark.parametrize(("limit", "refused"), [("899", False), ("900", True)])
def test_a_task_time_limit_as_long_as_the_stalled_delay_is_refused_at_start(limit, refused):
    # The sweep leaves a claimed article to its worker for STALLED_AFTER: a task allowed to
    # run that long could be processed twice at once.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    env.update(CELERY_TASK_TIME_LIMIT=limit, CELERY_TASK_SOFT_TIME_LIMIT="60")
    started = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (started.returncode != 0) == refused
    assert ("CELERY_TASK_TIME_LIMIT must stay below 900 seconds" in started.stderr) == refused


def test_the_claim_adds_no_index_entry():
    article = ArticleFactory(state=ArticleState.PENDING, text="")
    with connection.cursor() as cursor:
        hot = "SELECT pg_stat_get_xact_tuples_hot_updated('events_article'::regclass)"
        cursor.execute(hot)
        before = cursor.fetchone()[0]
        assert process._attempt_count(article.pk) == article.canonical_url
        cursor.execute(hot)
        assert cursor.fetchone()[0] == before + 1
    article.refresh_from_db()
    assert article.attempts == 1
    assert article.claimed_at is not None


@pytest.mark.parametrize(("retries", "low", "high"), [(0, 24, 36), (3, 192, 288), (10, 960, 1440)])
def test_retry_backoff_grows_with_jitter_and_is_capped(retries, low, high):
    delays = {_backoff(retries) for _ in range(50)}
    assert all(low <= d <= high for d in delays)
    assert len(delays) > 1  # jittered


def test_retry_after_wins_over_a_shorter_backoff():
    assert _backoff(0, retry_after=600) == 600


def test_no_countdown_outlives_the_broker_visibility_timeout(settings):
    assert _backoff(20, retry_after=86400) < settings.CELERY_VISIBILITY_TIMEOUT
