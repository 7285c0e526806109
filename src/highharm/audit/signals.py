from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from highharm.audit.services import access_log_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    access_log_record(
        request=request, user=user, action="login", object_type="user", object_id=str(user.pk)
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        access_log_record(
            request=request, user=user, action="logout", object_type="user", object_id=str(user.pk)
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    access_log_record(
        request=request,
        user=None,
        action="login_failed",
        object_type="user",
        detail={"username": username},
    )
