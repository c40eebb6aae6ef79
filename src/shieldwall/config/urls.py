"""URL configuration: pages, the REST API under /api/v1/."""

from django.urls import include, path

from shieldwall.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("shieldwall.core.urls")),
    path("", include("shieldwall.coalition.urls")),
    path("", include("shieldwall.catalogue.urls")),
    path("", include("shieldwall.needs.urls")),
    path("", include("shieldwall.analytics.urls")),
    path("", include("shieldwall.pledges.urls")),
    path("", include("shieldwall.pledges.report_urls")),
    path("", include("shieldwall.logistics.urls")),
    path("", include("shieldwall.monitoring.urls")),
    path("", include("shieldwall.matching.urls")),
]
