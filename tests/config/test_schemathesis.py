"""Property-based API testing: schemathesis generates requests from /api/v1/openapi.json and checks that no
response is a server error and every documented response matches its schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from shieldwall.coalition.models import Meeting
from shieldwall.core.actor import Actor
from shieldwall.core.models import User
from shieldwall.core.services import token_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]


@pytest.fixture
def auth_header(coord_user: User, marked_meetings: dict[str, Meeting]) -> Any:
    _, clear = token_create(actor=Actor.for_user(coord_user), name="schemathesis")
    # Like Django's test client: keep the test's transaction open across the WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {clear}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case: Any, auth_header: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_header, checks=CHECKS)
