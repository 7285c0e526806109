from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "highharm.audit"
    label = "audit"

    def ready(self):
        from axes.signals import user_locked_out
        from django.dispatch import receiver

        from highharm.audit import checks, signals  # noqa: F401
        from highharm.audit.services import access_log_record

        @receiver(user_locked_out, weak=False)
        def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
            access_log_record(
                request=request,
                user=None,
                action="lockout",
                object_type="user",
                detail={"username": str(username or "")[:150]},
            )
