from django.db import transaction
from django.utils import timezone

from highharm.audit.models import AccessLog, AuditChainHead

GENESIS = "0" * 64


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
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
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
    """Walk the chain from the first row. Return (rows_checked, first_broken_row_or_None, reason)."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AccessLog.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not rows:
            break
        for row in rows:
            if row.prev_hash != prev:
                return checked, row, "its link to the previous row does not match"
            if row.compute_hash() != row.row_hash:
                return checked, row, "its content does not match its hash"
            prev = row.row_hash
            checked += 1
            last_id = row.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_id and head.last_id != last_id:
        return (
            checked,
            None,
            f"the chain ends at row {last_id} but the head says {head.last_id} (rows removed)",
        )
    return checked, None, ""
