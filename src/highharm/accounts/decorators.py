from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from highharm.accounts.permissions import Cap, user_can


def capability_required(capability: Cap):
    """Refuse a view to anyone whose role lacks the capability.

    Anonymous users are sent to log in; signed-in users without the
    capability get 403. The capability is stored on the view so the
    exhaustive permission test can read it.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                raise PermissionDenied(f"Your role may not {capability}")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def login_only(view):
    """Any signed-in user (pages every role sees: home, account)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.required_capability = None
    return wrapped
