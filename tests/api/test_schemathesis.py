"""Generated requests against the published OpenAPI schema, in process through WSGI.

Schemathesis reads the schema that /api/v1/openapi.json serves and sends well-formed
and malformed requests (stateless: each request stands alone, positive and negative
generation) with a supervisor's bearer token. No request may produce a server error,
and every response must match what the schema documents for it. The run is counted:
all operations together must receive at least 1,000 requests.
"""

import itertools
import math
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks
from schemathesis.generation.modes import GenerationMode

from highharm.accounts.permissions import Role
from highharm.accounts.services import api_token_create
from highharm.api.main import api
from highharm.wsgi import application

MINIMUM_REQUESTS = 1000

# The schema as published, bound to the WSGI application so that every generated
# request is handled in this process (and inside the test's database transaction).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = application
OPERATIONS = [result.ok().label for result in schema.get_all_operations()]
# An operation without parameters (the health check) yields few distinct requests; the
# others share the 1,000 with a margin. More operations: fewer examples each.
# Each operation is generated twice: valid requests, then malformed ones.
EXAMPLES_PER_OPERATION = max(
    10, math.ceil(MINIMUM_REQUESTS * 1.1 / max(1, len(OPERATIONS) - 1) / 2)
)


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: a request must not close the test's database connection
    (which holds the test's transaction) when it ends."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def supervisor_token(users, perpetrator, keep_the_test_connection):
    _, token = api_token_create(user=users[Role.SUPERVISOR], name="schemathesis")
    return token


def test_it_tests_the_schema_the_api_publishes(client):
    assert client.get("/api/v1/openapi.json").json() == schema.raw_schema


def test_it_answers_a_thousand_generated_requests_without_error_and_as_documented(supervisor_token):
    """Every operation gets its share of generated requests, counted in this one test."""
    sent: Counter = Counter()
    negative: Counter = Counter()
    for result, mode in itertools.product(list(schema.get_all_operations()), GenerationMode):
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {supervisor_token}"},
                checks=[checks.not_a_server_error, checks.response_schema_conformance],
            )
            sent[case.operation.label] += 1
            negative[case.operation.label] += case.meta.generation.mode.is_negative

        try:
            check()
        except Unsatisfiable:
            if mode.is_positive:
                raise  # an operation with no parameter has no malformed request: fine
    assert set(sent) == set(OPERATIONS), dict(sent)
    assert sum(sent.values()) >= MINIMUM_REQUESTS, dict(sent)
    # Malformed requests were sent too (an operation without parameters has none to spoil).
    assert sum(negative.values()) >= MINIMUM_REQUESTS / 3, dict(negative)
