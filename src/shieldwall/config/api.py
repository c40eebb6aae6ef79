"""The Ninja API object: one router per app, problem-details error handlers, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="Shieldwall API", version="1", urls_namespace="api")
