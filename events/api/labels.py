"""Which language an API response labels events in: ``lang=`` when given (any ISO 639-1 code;
a malformed one is a 400), else the first language of the Accept-Language header that titles
are curated in (settings.CONTENT_LANGUAGES), else English. An event without a title in that
language falls back to its English title (``Event.label``)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions
from rest_framework.request import Request

from events.models.common import validate_language_code

DEFAULT_LABEL_LANGUAGE = "en"


def curated_languages() -> set[str]:
    return {code for code, _name in settings.CONTENT_LANGUAGES}


def accepted_language(header: str) -> str | None:
    """The most preferred curated language of an Accept-Language header, if any."""
    curated = curated_languages()
    for tag, _quality in parse_accept_lang_header(header[:500]):
        primary = tag.split("-")[0].lower()
        if primary in curated:
            return primary
    return None


def label_language(request: Request) -> str:
    raw = request.query_params.get("lang")
    if raw is not None:
        try:
            validate_language_code(raw)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"lang": ["Expected an ISO 639-1 code."]}) from error
        return raw
    header = request.headers.get("Accept-Language", "")
    return accepted_language(header) or DEFAULT_LABEL_LANGUAGE
