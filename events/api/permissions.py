"""Who is asking: anonymous, reader or editor. Querysets are filtered by this role (object
permissions never run on lists), so what a role may not see is never selected at all."""

from enum import StrEnum

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from events.models import ApiToken, TokenRole


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    READER = "reader"
    EDITOR = "editor"


def request_role(request: Request) -> Role:
    if isinstance(request.auth, ApiToken):
        return Role.EDITOR if request.auth.role == TokenRole.EDITOR else Role.READER
    user = request.user
    if user is None or not user.is_authenticated:
        return Role.ANONYMOUS
    return Role.EDITOR if getattr(user, "is_editor", False) else Role.READER


def can_read_text(request: Request) -> bool:
    return request_role(request) in (Role.READER, Role.EDITOR)


def is_editor(request: Request) -> bool:
    return request_role(request) == Role.EDITOR


class EditorsWrite(BasePermission):
    """Anyone reads (what they see is filtered by role); only editors write. Anonymous writes
    are 401, readers' writes 403."""

    message = "Only editors may change data."

    def has_permission(self, request: Request, view: object) -> bool:
        return request.method in SAFE_METHODS or is_editor(request)


class EditorsOnly(BasePermission):
    """Editors only, reads included (feeds, article submissions, drafts)."""

    message = "Only editors may see or change this."

    def has_permission(self, request: Request, view: object) -> bool:
        return is_editor(request)
