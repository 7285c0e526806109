"""The access log's hash chain: what a row's hash covers, how it is keyed, how it is checked.

Each row's ``row_hash`` is HMAC-SHA256, under the audit key (settings.AUDIT_KEY, never in
the database), of the row's canonical text, which includes ``prev_hash``: the hash of
the row before it. Someone who can write to the database but does not hold the key can
neither edit a row nor recompute the hashes after it.

The chain starts at ``GENESIS``, or, once old rows have been disposed of under the
retention rule, at the anchor recorded by the newest ``access_log_disposal`` row: the
hash of the last row removed. That row is itself in the keyed chain, so the anchor
cannot be moved without breaking it.

The functions take the model class as an argument so that migration 0003 (which turned
the plain SHA-256 chain into this keyed one) can run them on its historical model.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

GENESIS = "0" * 64
DISPOSAL_ACTION = "access_log_disposal"


class ChainBroken(Exception):
    """The chain does not verify; ``row`` is the first broken row (or None)."""

    def __init__(self, checked: int, row, reason: str):
        self.checked, self.row, self.reason = checked, row, reason
        where = f"row {row.pk}" if row is not None else "the chain"
        super().__init__(f"{where}: {reason} ({checked} rows before it intact)")


def canonical(row) -> str:
    """The text that a row's hash covers."""
    return json.dumps(
        {
            "at": row.at.isoformat(),
            "user_id": row.user_id,
            "username": row.username,
            "role": row.role,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "detail": row.detail,
            "ip_address": row.ip_address,
            "path": row.path,
            "prev_hash": row.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def keyed_hasher(key: str) -> Callable[[str], str]:
    """HMAC-SHA256 under ``key``: the scheme of every row since migration 0003."""
    secret = key.encode()
    return lambda text: hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def plain_hash(text: str) -> str:
    """Unkeyed SHA-256: the scheme before migration 0003 (kept only to convert old rows)."""
    return hashlib.sha256(text.encode()).hexdigest()


def key_id(key: str) -> str:
    """A short name of the key (not the key): tells which key a log was written with."""
    return hmac.new(key.encode(), b"highharm audit key id", hashlib.sha256).hexdigest()[:16]


def chain_start(model) -> tuple[str, int]:
    """(expected prev_hash of the first row, highest row id disposed of) for ``model``."""
    disposal = model.objects.filter(action=DISPOSAL_ACTION).order_by("-pk").first()
    if disposal is None:
        return GENESIS, 0
    detail = disposal.detail or {}
    return str(detail.get("anchor_hash", "")), int(detail.get("up_to_id", 0) or 0)


def walk(model, hasher: Callable[[str], str], *, batch_size: int = 5000):
    """Check every row of ``model`` in id order with ``hasher``.

    Return (rows checked, first broken row or None, reason or ''), and the last row seen.
    """
    prev, disposed_up_to = chain_start(model)
    checked = 0
    last_id = 0
    last_row = None
    first = True
    while True:
        rows = list(model.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not rows:
            break
        for row in rows:
            if first and disposed_up_to and row.pk <= disposed_up_to:
                return (
                    (
                        checked,
                        row,
                        f"it should have been disposed of (rows up to {disposed_up_to})",
                    ),
                    last_row,
                )
            first = False
            if row.prev_hash != prev:
                reason = "its link to the previous row does not match"
                if checked == 0 and prev != GENESIS:
                    reason = "it does not link to the anchor left by the last disposal"
                elif checked == 0:
                    reason = "it does not start the chain (rows before it removed?)"
                return (checked, row, reason), last_row
            if hasher(canonical(row)) != row.row_hash:
                return (checked, row, "its content does not match its hash"), last_row
            prev = row.row_hash
            checked += 1
            last_id = row.pk
            last_row = row
    return (checked, None, ""), last_row


def rekey(
    model, *, old: Callable[[str], str], new: Callable[[str], str], connection
) -> tuple[int, str]:
    """Check the whole chain with ``old``, then re-sign every row with ``new``.

    Refuses (ChainBroken) when the chain does not verify with ``old``: re-signing a
    tampered chain would hide the tampering. The start of the chain (GENESIS or the
    disposal anchor) is kept. Run inside a transaction. Return (rows re-signed, the new
    hash of the last row, or the start of the chain when there is no row).
    """
    (checked, broken, reason), _ = walk(model, old)
    if broken is not None or reason:
        raise ChainBroken(checked, broken, reason)
    table = connection.ops.quote_name(model._meta.db_table)
    prev, _ = chain_start(model)
    last_id = 0
    done = 0
    while True:
        rows = list(model.objects.filter(pk__gt=last_id).order_by("pk")[:2000])
        if not rows:
            break
        changes = []
        for row in rows:
            row.prev_hash = prev
            row.row_hash = new(canonical(row))
            changes.append((row.prev_hash, row.row_hash, row.pk))
            prev = row.row_hash
            last_id = row.pk
        # The model refuses updates on purpose; this is the one sanctioned rewrite.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE id = %s",  # noqa: S608
                changes,
            )
        done += len(changes)
    return done, prev
