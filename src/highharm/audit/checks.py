"""Deployment checks for the audit key (`highharm check --deploy`)."""

import stat

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_key_check(app_configs=None, **kwargs):
    problems = []
    if settings.AUDIT_KEY == settings.SECRET_KEY:
        problems.append(
            Warning(
                "The audit key is the same as the secret key.",
                hint="Give HIGHHARM_AUDIT_KEY its own random value (docs/security.md, 'Audit key').",
                id="highharm.W001",
            )
        )
    path = getattr(settings, "AUDIT_KEY_FILE", None)
    if path is not None and path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        problems.append(
            Warning(
                f"The audit key file {path} can be read by other users "
                f"(mode {stat.S_IMODE(path.stat().st_mode):o}).",
                hint=f"chmod 600 {path}",
                id="highharm.W002",
            )
        )
    return problems
