"""Building blocks shared by the domain models."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    """How much of a timestamp is known: "January 2022" is stored as 2022-01-01, precision month."""

    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")
    MINUTE = "minute", _("minute")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


def validate_language_code(value: str) -> None:
    """An ISO 639-1 code: two lowercase letters (``bg``, ``ru``, ``en``)."""
    if not (len(value) == 2 and value.isascii() and value.isalpha() and value.islower()):
        raise ValidationError(
            _("%(value)s is not an ISO 639-1 language code"), params={"value": value}
        )


def language_field(**kwargs: object) -> models.CharField:
    return models.CharField(max_length=2, validators=[validate_language_code], **kwargs)  # type: ignore[arg-type]


def content_language_choices() -> list[tuple[str, str]]:
    return list(settings.CONTENT_LANGUAGES)


def search_vector_field(
    language: models.Expression | models.F, title: str, body: str
) -> models.GeneratedField:
    """A stored full-text vector of ``title`` (weight A) and ``body`` (weight B) in the text
    configuration of the row's language: ``tracker_search_vector`` (migration 0006) picks
    PostgreSQL's stemmer for the language, or 'simple' where PostgreSQL has none (Bulgarian,
    Macedonian, Ukrainian...). ``language`` is an expression over the row's columns."""
    from django.contrib.postgres.search import SearchVectorField

    return models.GeneratedField(
        expression=models.Func(
            language,
            models.F(title),
            models.F(body),
            function="tracker_search_vector",
            output_field=SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
