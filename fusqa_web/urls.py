from django.contrib import admin
from django.urls import include, path, re_path

from qa.apis import docs
from qa.apis.frontend import frontend_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", docs.SchemaApi.as_view(), name="schema"),
    path("api/docs/", docs.swagger_ui, name="api-docs"),
    path("api/redoc/", docs.redoc, name="api-redoc"),
    path("api/", include("qa.apis.urls")),
    # Everything else is the browser app; it routes on the client.
    re_path(r"^(?!api/|admin/|static/|media/).*$", frontend_index, name="frontend"),
]
