"""API authentication and the one way an API operation states its capability."""

from functools import wraps

from django.http import Http404, JsonResponse
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from highharm.accounts.permissions import Cap, user_can
from highharm.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hh_...`, a token made by `highharm api-token` or the account page."""

    def authenticate(self, request, token):
        user = getattr(request, "_highharm_token_user", None) or api_token_authenticate(token=token)
        if user is None:
            return None
        request.user = user
        return user


# Bearer tokens for programs; the signed-in session (with CSRF) for pages using htmx.
AUTH = [TokenAuth(), django_auth]


def _caller(request):
    """The user making an API request: by bearer token, else by signed-in session."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(token=header[7:].strip())
        request._highharm_token_user = user
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def requires(capability: Cap, *more: Cap):
    """Refuse an API operation (403) to a user whose role lacks the capability (or any of
    the capabilities, when several are named: a case's victims need both `case.view` and
    `person.view_victims`).

    The check runs before django-ninja validates the parameters and body, so a
    role without the capability learns nothing from validation errors. An
    unauthenticated caller is left to ninja's authentication (401). The
    capabilities are stored on the function (`required_capability`, the first, and
    `required_capabilities`, all) so the exhaustive permission test can read them.
    """
    capabilities = (capability, *more)

    def missing(user) -> Cap | None:
        return next((c for c in capabilities if not user_can(user, c)), None)

    def check_before_validation(run):
        @wraps(run)
        def guarded(request, *args, **kwargs):
            user = _caller(request)
            lacking = missing(user) if user is not None else None
            if lacking is not None:
                return JsonResponse({"detail": f"Your role may not {lacking}"}, status=403)
            return run(request, *args, **kwargs)

        return guarded

    def decorator(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            lacking = missing(request.user)
            if lacking is not None:
                raise HttpError(403, f"Your role may not {lacking}")
            return func(request, *args, **kwargs)

        wrapped.required_capability = capability
        wrapped.required_capabilities = capabilities
        return decorate_view(check_before_validation)(wrapped)

    return decorator


def not_found_as_404(exc_class):
    """Turn a selector's DoesNotExist into 404 without saying whether the record exists."""

    def decorator(func):
        @wraps(func)
        def wrapped(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except exc_class:
                raise Http404("Not found")

        return wrapped

    return decorator
