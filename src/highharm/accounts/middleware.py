import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

IDLE_KEY = "highharm_last_seen"
START_KEY = "highharm_started"
# The last-seen time is written to the session only when it has moved by at least this many
# seconds (settings.SESSION_IDLE_WRITE_SECONDS overrides it), not on every request: each
# write is an UPDATE of the session row and a commit. So a session may end up to this much
# before SESSION_IDLE_SECONDS of true idleness (never later).
IDLE_WRITE_SECONDS = 60


class IdleTimeoutMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, and after
    SESSION_COOKIE_AGE in all, however active it is.

    The last-seen time is kept to a granularity of IDLE_WRITE_SECONDS: requests within that
    time of the stored one do not modify the session, so they cost no database write.

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
            granularity = getattr(settings, "SESSION_IDLE_WRITE_SECONDS", IDLE_WRITE_SECONDS)
            if IDLE_KEY not in request.session or now - last_seen >= granularity:
                request.session[IDLE_KEY] = now
            if START_KEY not in request.session:
                request.session[START_KEY] = now
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


NUL_MARKERS = ("\x00", "%00")


class RejectNulMiddleware:
    """Refuse (400) a request whose path, query string or text body holds a NUL character.

    No field of Highharm may contain one, and PostgreSQL refuses to store or compare
    text containing it, so such a value would otherwise surface as a server error deep in
    a query. Forms already refuse it (Django's ProhibitNullCharactersValidator); this
    covers the API and URL parameters. Multipart bodies (file uploads, which may be
    binary) are left to the forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = "Requests may not contain NUL characters."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        query = request.META.get("QUERY_STRING", "")
        if any(marker in query.upper() for marker in NUL_MARKERS):
            return True
        kind = request.META.get("CONTENT_TYPE", "")
        if kind.startswith("application/json"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        if kind.startswith("application/x-www-form-urlencoded"):
            body = request.body
            return b"\x00" in body or b"%00" in body
        return False


class NoStoreMiddleware:
    """Tell browsers and proxies not to keep a copy of any page or API answer given to a
    signed-in user (ASVS 8.2.1): a shared or stolen computer's browser cache, or the back
    button after signing out, must not show personal data. A view that sets its own
    Cache-Control keeps it. Static files never reach this middleware (WhiteNoise answers
    them earlier)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or request.path.startswith("/api/")) and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
        return response
