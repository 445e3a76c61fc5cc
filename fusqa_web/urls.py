from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from qa.apis.frontend import frontend_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("qa.apis.urls")),
    # Everything else is the browser app; it routes on the client.
    re_path(r"^(?!api/|admin/|static/|media/).*$", frontend_index, name="frontend"),
]
