"""The OpenAPI schema and its two readers (Swagger UI, Redoc), all behind login and all served offline."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer


class SchemaApi(SpectacularAPIView):
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error is JSON like every other API error, not an "OpenAPI document" holding an error.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


# The docs pages are for people: without a session they are sent to the login page. The split Swagger
# view serves its start-up script as a file rather than inline, which the Content-Security-Policy needs.
swagger_ui = login_required(
    SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="qa/docs/swagger_ui.html")
)
# Redoc styles itself with styled-components, which writes <style> elements at run time: this one page,
# behind login and showing only the schema, lets inline styles through. Its search runs in a worker made
# from a blob: URL. Its scripts stay this site's own.
redoc = login_required(
    csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
        SpectacularRedocView.as_view(url_name="schema", template_name="qa/docs/redoc.html")
    )
)
