"""Every API operation is checked against the permission matrix for every role.

An operation must carry a rule: `@requires(Cap.X)` (which sets
`required_capability`) or `public = True`. A new operation without a rule
fails here, and so does a rule the operation does not enforce.
"""

import re

import pytest

from highharm.accounts.permissions import Role, role_can
from highharm.api.main import api

SAMPLE_PATH_PARAMS = {
    "reference": "P100",
    "pk": 1,
    "id": 1,
    "referral_id": 1,
    "meeting_id": 1,
    "action_id": 1,
    "case_id": 1,
    "item_id": 1,
    "instrument_id": "hhu",
    "assessment_id": 1,
}


def operations():
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = ("/api/v1" + prefix.rstrip("/") + "/" + path.lstrip("/")).replace("//", "/")
                for method in operation.methods:
                    found.append((method, full, operation.view_func))
    return found


OPERATIONS = operations()


def _url(path: str) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        if name not in SAMPLE_PATH_PARAMS:
            raise AssertionError(f"{path}: add a sample value for {name!r} in SAMPLE_PATH_PARAMS")
        return str(SAMPLE_PATH_PARAMS[name])

    return re.sub(r"\{([^}]+)\}", fill, path)


def test_it_finds_the_operations():
    assert ("GET", "/api/v1/people/{reference}") in {(m, p) for m, p, _ in OPERATIONS}


@pytest.mark.parametrize(
    ("method", "path", "func"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_has_a_rule(method, path, func):
    assert getattr(func, "public", False) or hasattr(func, "required_capability"), (
        f"{method} {path} has no rule: decorate it with @requires(Cap...)"
    )


@pytest.mark.parametrize(
    ("method", "path", "func"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_operation_refuses_roles_without_its_capability(
    method, path, func, api_client_for, client, perpetrator
):
    if getattr(func, "public", False):
        return
    capabilities = func.required_capabilities
    url = _url(path)
    send = {"GET": "get", "POST": "post", "PUT": "put", "PATCH": "patch", "DELETE": "delete"}[
        method
    ]
    anonymous = getattr(client, send)(url, content_type="application/json")
    assert anonymous.status_code == 401, f"{method} {url} gave {anonymous.status_code} to anonymous"
    for role in list(Role) + [None]:
        if send in ("get", "delete"):
            response = getattr(api_client_for(role), send)(url)
        else:
            response = getattr(api_client_for(role), send)(
                url, data="{}", content_type="application/json"
            )
        if all(role_can(role, c) for c in capabilities):
            assert response.status_code != 403, (
                f"{method} {url} refused {role} who may {capabilities}"
            )
        else:
            assert response.status_code == 403, (
                f"{method} {url} gave {response.status_code} to {role}"
            )
