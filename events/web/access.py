"""Who is looking: the one role question the pages ask, answered once per request."""

from django.http import HttpRequest


def viewer_is_editor(request: HttpRequest) -> bool:
    """Editors (group member or superuser) see drafts, suggestions and the review queue.
    Cached on the request: the frame and the view both ask."""
    cached = getattr(request, "_viewer_is_editor", None)
    if cached is None:
        user = request.user
        cached = user.is_authenticated and user.is_editor
        request._viewer_is_editor = cached  # type: ignore[attr-defined]
    return cached
