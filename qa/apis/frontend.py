"""Serves the built browser app (frontend/dist/index.html) for every non-API path."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def frontend_index(request, *args, **kwargs):
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(
            "The browser app is not built: run `make demo` (or `npm --prefix frontend run build`).",
            status=503,
            content_type="text/plain",
        )
    return HttpResponse(index.read_text(encoding="utf-8"), content_type="text/html")
