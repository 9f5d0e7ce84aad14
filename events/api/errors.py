"""Every API error as application/problem+json (RFC 9457).

``type`` is ``https://tracker.invalid/problems/<slug>``: stable identifiers, not pages to fetch
(``.invalid`` never resolves). The slugs are listed in PROBLEM_TITLES; a client switches on
them. Validation problems carry ``errors``: ``{field: [message, ...]}``, with ``non_field_errors``
for problems of the request as a whole.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

PROBLEM_BASE = "https://tracker.invalid/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

PROBLEM_TITLES = {
    "validation": "The request has invalid parameters",
    "parse-error": "The request body could not be parsed",
    "not-authenticated": "Authentication required",
    "authentication-failed": "Invalid, expired or revoked token",
    "permission-denied": "Not allowed for this role",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Cannot produce the requested media type",
    "unsupported-media-type": "Unsupported media type",
    "throttled": "Too many requests",
    "server-error": "Internal server error",
}

_SLUGS: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "validation",
    exceptions.ParseError: "parse-error",
    exceptions.NotAuthenticated: "not-authenticated",
    exceptions.AuthenticationFailed: "authentication-failed",
    exceptions.PermissionDenied: "permission-denied",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.Throttled: "throttled",
}


def problem(slug: str, *, status_code: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + slug,
        "title": PROBLEM_TITLES[slug],
        "status": status_code,
        "detail": detail,
        **extra,
    }


def _slug(exc: exceptions.APIException) -> str:
    for cls in type(exc).__mro__:
        if cls in _SLUGS:
            return _SLUGS[cls]
    return "server-error" if exc.status_code >= 500 else "validation"


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for field, msgs in detail.items()
        }
    messages = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(m) for m in messages]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception("api.unhandled_error", extra={"view": str(context.get("view"))})
        set_rollback()
        body = problem("server-error", status_code=500, detail="An unexpected error occurred.")
        return Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait)))  # type: ignore[attr-defined]
    slug = _slug(exc)
    if slug == "validation":
        errors = _field_errors(exc.detail)
        fields = ", ".join(errors)
        body = problem(
            slug, status_code=exc.status_code, detail=f"Invalid: {fields}.", errors=errors
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = problem(slug, status_code=exc.status_code, detail=str(detail))
    set_rollback()
    return Response(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def not_found_problem() -> dict[str, Any]:
    return problem("not-found", status_code=status.HTTP_404_NOT_FOUND, detail="Not found.")
