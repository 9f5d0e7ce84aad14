import datetime as dt

import factory

from events import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Entity

    name = factory.Sequence(lambda n: f"Entity {n}")
    slug = factory.Sequence(lambda n: f"entity-{n}")
    kind = models.EntityKind.PERSON


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")
    kind = models.OutletKind.NEWSPAPER


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = models.EventKind.POLITICAL
    start = dt.datetime(2022, 1, 2, tzinfo=dt.UTC)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    canonical_url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    text = "Президентът Касим-Жомарт Токаев поиска съдействие от ОДКС."
    detected_language = "bg"
    state = models.ArticleState.READY
    published_at = dt.datetime(2022, 1, 7, 9, 30, tzinfo=dt.UTC)


class UpdateFactory(factory.django.DjangoModelFactory):
    """A draft; publish it through events.services.timeline, as every interface does."""

    class Meta:
        model = models.Update

    event = factory.SubFactory(EventFactory)
    occurred_at = dt.datetime(2022, 1, 5, tzinfo=dt.UTC)
    headline = factory.Sequence(lambda n: f"Something happened ({n})")
