"""Every URL pattern is checked against the permission matrix for every role.

A view must carry a rule: `required_capability` (set by capability_required
or login_only) or `public = True`. A new URL without a rule fails here, and
so does a rule the view does not enforce.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from highharm.accounts.permissions import Role, role_can

# Sample values for URL parameters; the fixtures below create matching records.
SAMPLE_KWARGS = {
    "reference": "P100",
    "pk": 1,
    "id": 1,
    # panels and cases: an agenda item, attendee, action or case record
    "item": 1,
    # referrals and partners (no such rows: an allowed role gets 404, a refused one 403)
    "referral_id": 1,
    "meeting_id": 1,
    "attendee_id": 1,
    "alert_id": 1,
    "agency_id": 1,
    "service_id": 1,
    "referral_out_id": 1,
    # assessment: an instrument definition's id
    "instrument": "hhu",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


def page_patterns():
    found = []
    for route, pattern, _namespace in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # API operations are checked in tests/api/
        found.append((route, pattern))
    return found


def _url_for(route: str, pattern: URLPattern) -> str:
    converters = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
    url = "/" + route
    import re

    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name not in SAMPLE_KWARGS:
            raise AssertionError(
                f"{route}: add a sample value for URL parameter {name!r} in SAMPLE_KWARGS"
            )
        url = re.sub(r"<(?:\w+:)?" + name + ">", str(SAMPLE_KWARGS[name]), url)
    del converters
    return url


PATTERNS = page_patterns()


def test_it_finds_the_pages():
    routes = {route for route, _ in PATTERNS}
    assert "people/<str:reference>/" in routes
    assert "" in routes


@pytest.mark.parametrize(("route", "pattern"), PATTERNS, ids=[r or "/" for r, _ in PATTERNS])
def test_every_page_has_a_rule(route, pattern):
    callback = pattern.callback
    assert getattr(callback, "public", False) or hasattr(callback, "required_capability"), (
        f"/{route} has no rule: decorate its view with capability_required(Cap...) or login_only, "
        "and add the capability to accounts/permissions.py"
    )


@pytest.mark.parametrize(("route", "pattern"), PATTERNS, ids=[r or "/" for r, _ in PATTERNS])
def test_every_page_refuses_roles_without_its_capability(
    route, pattern, client_for, client, perpetrator, users
):
    callback = pattern.callback
    if getattr(callback, "public", False):
        return
    capability = callback.required_capability
    url = _url_for(route, pattern)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], (
        f"{url} open to anonymous"
    )
    for role in list(Role) + [None]:
        allowed = capability is None or role_can(role, capability)
        c = client_for(role)
        for method in ("get", "post"):
            response = getattr(c, method)(url)
            if allowed:
                assert response.status_code != 403, (
                    f"{method.upper()} {url} refused {role} who may {capability}"
                )
            else:
                assert response.status_code == 403, (
                    f"{method.upper()} {url} gave {response.status_code} to {role}, who may not {capability}"
                )
