"""Top-level URLs: admin, the REST API with its OpenAPI schema and docs."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("api/", include("bots.api.urls")),
    path("api/", include("workflows.api.urls")),
    path("api/", include("events.api.urls")),
    path("chat/", include("bots.web.urls")),
    path("webhook/", include("bots.web.webhooks")),
    path("approvals/", include("workflows.web.approval_urls")),
    path("workflows/", include("workflows.web.urls")),
    path("events/", include("events.web.urls")),
]

admin.site.site_header = "General Bots administration"
admin.site.site_title = "General Bots"
