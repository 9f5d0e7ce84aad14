"""The editors' pages answer only editors: anonymous visitors are sent to the login form,
signed-in readers get a 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from events.web.access import viewer_is_editor

View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not viewer_is_editor(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
