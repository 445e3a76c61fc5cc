"""Every error leaves the API as {"error": {"code", "message", "field"?, "details"?, "differences"?}}."""

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qa.errors import FusqaError


def exception_handler(exc, context):
    if isinstance(exc, FusqaError):
        body = {"code": exc.code, "message": exc.message}
        if exc.field:
            body["field"] = exc.field
        if getattr(exc, "details", None):
            body["details"] = exc.details
        if getattr(exc, "differences", None):
            body["differences"] = exc.differences
        return Response({"error": body}, status=exc.status_code)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = response.data
        response.data = {"error": {"code": "invalid", "message": _first_message(details), "details": details}}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"error": {"code": str(code), "message": str(detail)}}
    return response


def _first_message(details) -> str:
    """The first validation message, prefixed by its field, so a person reads what is wrong at once."""
    if isinstance(details, dict):
        for field, value in details.items():
            inner = _first_message(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(details, list) and details:
        return _first_message(details[0])
    return str(details)


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any /api/ path that names no endpoint: a JSON 404 like every other API error, not an HTML page."""
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        # This catch-all takes such paths before APPEND_SLASH could redirect (which drops a POST's body).
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" Did you mean {request.path}/?"
    return JsonResponse({"error": {"code": "not_found", "message": message}}, status=status.HTTP_404_NOT_FOUND)
