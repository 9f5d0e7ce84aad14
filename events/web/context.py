"""Template context every page's frame needs."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from events.web.access import viewer_is_editor


def viewer(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages that never ask (the admin, API docs) run no query for it.
    return {"viewer_is_editor": SimpleLazyObject(lambda: viewer_is_editor(request))}
