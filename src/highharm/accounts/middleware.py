import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

IDLE_KEY = "highharm_last_seen"
START_KEY = "highharm_started"


class IdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, and after
    SESSION_COOKIE_AGE in all, however active it is.

    When two-factor authentication is required, a signed-in user who has not
    verified a device this session is sent to the verification page first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(IDLE_KEY, now)
            started = request.session.get(START_KEY, now)
            if (
                now - last_seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                from highharm.audit.services import access_log_record

                access_log_record(
                    request=request,
                    action="session_expired",
                    object_type="user",
                    object_id=str(user.pk),
                )
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            request.session[IDLE_KEY] = now
            request.session.setdefault(START_KEY, now)
            if getattr(settings, "REQUIRE_2FA", False) and not _otp_verified(request):
                allowed = (reverse("accounts:two_factor"), reverse("accounts:logout"))
                if not request.path.startswith(allowed) and not request.path.startswith(
                    settings.STATIC_URL
                ):
                    return redirect("accounts:two_factor")
        return self.get_response(request)


def _otp_verified(request) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())
