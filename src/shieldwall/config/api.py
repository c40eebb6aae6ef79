"""The Ninja API object: one router per app, problem-details error handlers, OpenAPI at /api/v1/openapi.json.

Interactive docs at /api/v1/docs are served from django-ninja's own packaged static files (no CDN).
"""

from ninja import NinjaAPI

from shieldwall.analytics.api import router as analytics_router
from shieldwall.catalogue.api import router as catalogue_router
from shieldwall.coalition.agreements_api import router as agreements_router
from shieldwall.coalition.api import router as coalition_router
from shieldwall.core.api import router as core_router
from shieldwall.core.api_support import install_error_handlers
from shieldwall.logistics.api import router as logistics_router
from shieldwall.matching.api import router as matching_router
from shieldwall.monitoring.api import router as monitoring_router
from shieldwall.needs.api import router as needs_router
from shieldwall.pledges.api import router as pledges_router
from shieldwall.pledges.reports_api import router as reports_router

api = NinjaAPI(
    title="Shieldwall API",
    version="1",
    description="A coalition's source of truth for security assistance. Every read is filtered by the access "
    "policy; errors are RFC 9457 problem details; updates need If-Match; creates honour Idempotency-Key.",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", coalition_router)
api.add_router("/", catalogue_router)
api.add_router("/", needs_router)
api.add_router("/", agreements_router)
api.add_router("/", reports_router)
api.add_router("/", pledges_router)
api.add_router("/", analytics_router)
api.add_router("/", logistics_router)
api.add_router("/", monitoring_router)
api.add_router("/", matching_router)
