"""Cursor pagination: ``{"next", "previous", "results"}``, stable under concurrent inserts."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200


class ApiCursorPagination(CursorPagination):
    """Ordered by a unique, unchanging key unless a view says otherwise. A malformed cursor or
    page size is a 400 naming the parameter (DRF's default is a 404 or a silent fallback)."""

    page_size = 50
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering: Any = "-id"

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        ordering = getattr(view, "cursor_ordering", None)
        if ordering:
            self.ordering = ordering
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {"page_size": [f"Must be an integer from 1 to {MAX_PAGE_SIZE}."]}
            )
        return min(size, MAX_PAGE_SIZE)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Invalid cursor."]}
            ) from error
