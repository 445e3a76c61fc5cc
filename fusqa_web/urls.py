from django.contrib import admin
from django.urls import include, path, re_path

from qa.apis import dicomweb, docs
from qa.apis.errors import api_not_found
from qa.apis.frontend import frontend_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", docs.SchemaApi.as_view(), name="schema"),
    path("api/docs/", docs.swagger_ui, name="api-docs"),
    path("api/redoc/", docs.redoc, name="api-redoc"),
    path("api/", include("qa.apis.urls")),
    # DICOMweb STOW-RS at the paths PS3.18 names (no trailing slash).
    path("dicomweb/studies", dicomweb.StowApi.as_view(), name="dicomweb-studies"),
    path("dicomweb/studies/<str:study_instance_uid>", dicomweb.StowStudyApi.as_view(), name="dicomweb-study"),
    re_path(r"^dicomweb/", api_not_found, name="dicomweb-not-found"),
    # Everything else is the browser app; it routes on the client.
    re_path(r"^(?!api/|dicomweb/|admin/|static/|media/).*$", frontend_index, name="frontend"),
]
