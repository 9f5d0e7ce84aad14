"""What every write endpoint shares: strict request bodies, service errors as 400 problems
naming the field, and the editor the change log records.

Error field names are flat paths: ``title``, ``citations.0.article``; ``non_field_errors``
for the request as a whole (see events.api.errors).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from events.api.permissions import EditorsOnly, EditorsWrite
from events.api.serializers import problems
from events.models import User
from events.models.common import validate_language_code

__all__ = ["EditorsOnly", "EditorsWrite"]

# Problems a write can answer with; 404 when the URL names something that does not exist.
WRITE_PROBLEMS = problems(400, 401, 403, 404, 429)

T = TypeVar("T")


class StrictSerializer(serializers.Serializer):
    """A request body: a JSON object whose every key is a field of this serializer. A typo
    ("titel") is a 400 naming it, not silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def language_or_blank(value: str) -> str:
    """A body's optional language field: empty, or an ISO 639-1 code. For a serializer's
    ``validate_<field> = staticmethod(language_or_blank)``."""
    if value:
        validate_language_code(value)
    return value


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as ``{"citations.0.article": [...]}``."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key in (NON_FIELD_ERRORS, "non_field_errors"):
                path = prefix or "non_field_errors"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, path).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list):
        if any(isinstance(item, Mapping | list) for item in detail):
            flat = {}
            for index, item in enumerate(detail):
                if item:
                    for field, messages in _flatten(item, f"{prefix}.{index}").items():
                        flat.setdefault(field, []).extend(messages)
            return flat
        return {prefix or "non_field_errors": [str(m) for m in detail]}
    return {prefix or "non_field_errors": [str(detail)]}


def validated(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; a 400 naming each bad field."""
    serializer = serializer_class(data=request.data, partial=partial, context=context or {})
    if not serializer.is_valid():
        raise exceptions.ValidationError(_flatten(serializer.errors))
    if partial and not serializer.validated_data:
        raise exceptions.ValidationError({"non_field_errors": ["Nothing to change."]})
    return dict(serializer.validated_data)


@contextmanager
def service_errors(prefix: str = "", *, non_field: str = "non_field_errors") -> Iterator[None]:
    """A service's ValidationError (Django's) as a 400 problem naming the fields: under
    ``prefix`` when the service checks a nested part of the body, and messages about the
    whole object under ``non_field`` (``status`` for a refused state change)."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            detail: Any = {
                non_field if key == NON_FIELD_ERRORS else key: messages
                for key, messages in error.message_dict.items()
            }
        else:
            detail = {non_field: error.messages}
        if prefix:
            detail = {prefix: detail}
        raise exceptions.ValidationError(_flatten(detail)) from error


def actor(request: Request) -> User:
    """The editor behind the request: the token's owner or the signed-in user."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the editor permissions ran before
    return user
