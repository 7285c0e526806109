from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from highharm.audit import chain
from highharm.audit.models import AccessLog, AuditChainHead

GENESIS = chain.GENESIS


def _client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:64]


def access_log_record(
    *,
    request=None,
    user=None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AccessLog:
    """Append one row to the access log, chained to the row before it."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"key_id": chain.key_id(settings.AUDIT_KEY)}
        )
        row = AccessLog(
            at=timezone.now(),
            user_id=user.pk if authenticated else None,
            username=(user.get_username() if authenticated else (detail or {}).get("username", ""))[
                :150
            ],
            role=(getattr(user, "role", "") or "") if authenticated else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            detail=detail or {},
            ip_address=_client_ip(request),
            path=(request.get_full_path()[:500] if request is not None else ""),
            prev_hash=head.last_hash,
        )
        row.row_hash = row.compute_hash()
        row.save()
        head.last_id = row.pk
        head.last_hash = row.row_hash
        head.save(update_fields=["last_id", "last_hash"])
    return row


def access_log_verify(*, batch_size: int = 5000):
    """Walk the chain from its start. Return (rows_checked, first_broken_row_or_None, reason).

    The start is GENESIS, or the anchor left by the latest disposal of old rows. Every
    row's hash is checked under the configured audit key.
    """
    (checked, broken, reason), last = chain.walk(
        AccessLog, chain.keyed_hasher(settings.AUDIT_KEY), batch_size=batch_size
    )
    head = AuditChainHead.objects.filter(pk=1).first()
    if broken is not None:
        configured = chain.key_id(settings.AUDIT_KEY)
        if head is not None and head.key_id and head.key_id != configured:
            reason += (
                f" (the log was signed with audit key {head.key_id}, but the configured key is "
                f"{configured}: restore the audit key, see docs/security.md)"
            )
        return checked, broken, reason
    last_id = last.pk if last is not None else 0
    if head is not None and head.last_id and head.last_id != last_id:
        return (
            checked,
            None,
            f"the chain ends at row {last_id} but the head says {head.last_id} (rows removed)",
        )
    return checked, None, ""


def access_log_rekey(*, old_key: str) -> int:
    """Re-sign the whole access log with the configured key, after checking it with ``old_key``.

    For rotating the audit key (docs/security.md, "Audit key"). Refuses, naming the
    first broken row, when the chain does not verify under ``old_key``. Writers wait on
    the chain head's lock meanwhile. Return the number of rows re-signed.
    """
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        done, last_hash = chain.rekey(
            AccessLog,
            old=chain.keyed_hasher(old_key),
            new=chain.keyed_hasher(settings.AUDIT_KEY),
            connection=connection,
        )
        head.last_hash = last_hash
        head.key_id = chain.key_id(settings.AUDIT_KEY)
        head.save(update_fields=["last_hash", "key_id"])
        access_log_record(
            action="audit_key_rotated",
            object_type="access_log",
            detail={
                "rows": done,
                "old_key_id": chain.key_id(old_key),
                "new_key_id": head.key_id,
            },
        )
    return done
