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


def requires(capability: Cap):
    """Refuse an API operation (403) to a user whose role lacks the capability.

    The check runs before django-ninja validates the parameters and body, so a
    role without the capability learns nothing from validation errors. An
    unauthenticated caller is left to ninja's authentication (401). The
    capability is stored on the function so the exhaustive permission test can
    read it.
    """

    def check_before_validation(run):
        @wraps(run)
        def guarded(request, *args, **kwargs):
            user = _caller(request)
            if user is not None and not user_can(user, capability):
                return JsonResponse({"detail": f"Your role may not {capability}"}, status=403)
            return run(request, *args, **kwargs)

        return guarded

    def decorator(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            if not user_can(request.user, capability):
                raise HttpError(403, f"Your role may not {capability}")
            return func(request, *args, **kwargs)

        wrapped.required_capability = capability
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
