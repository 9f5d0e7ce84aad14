"""Liveness for load balancers and `make run`: can this process reach PostgreSQL and Redis?"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from tracker.preflight import database_problem, redis_problem


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    problems = {"database": database_problem(), "redis": redis_problem()}
    body = {name: problem or "ok" for name, problem in problems.items()}
    return JsonResponse(body, status=503 if any(problems.values()) else 200)
