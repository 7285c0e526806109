"""Key the access log's hash chain: plain SHA-256 becomes HMAC-SHA256 under the audit key.

Rows written before this migration were chained with unkeyed SHA-256. The migration
first checks that whole chain with the old scheme and refuses, naming the first broken
row, if it does not verify (re-signing a tampered chain would hide the tampering; see
docs/security.md, "Audit key"). Otherwise it re-signs every row with the audit key, so
that afterwards there is one scheme only and no unkeyed row to downgrade to.
"""

from django.conf import settings
from django.db import migrations, models

from highharm.audit import chain


def _convert(apps, schema_editor, *, old, new):
    access_log = apps.get_model("audit", "AccessLog")
    head_model = apps.get_model("audit", "AuditChainHead")
    try:
        done, last_hash = chain.rekey(
            access_log, old=old, new=new, connection=schema_editor.connection
        )
    except chain.ChainBroken as broken:
        raise RuntimeError(
            f"The access log does not verify with its current chain at {broken}. "
            "It has not been re-signed with the audit key: investigate the broken row first "
            "(docs/security.md, 'Audit key')."
        ) from broken
    head_model.objects.update_or_create(
        pk=1,
        defaults={
            "last_hash": last_hash,
            "last_id": access_log.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "key_id": chain.key_id(settings.AUDIT_KEY) if new is not chain.plain_hash else "",
        },
    )


def key_the_chain(apps, schema_editor):
    _convert(apps, schema_editor, old=chain.plain_hash, new=chain.keyed_hasher(settings.AUDIT_KEY))


def unkey_the_chain(apps, schema_editor):
    _convert(apps, schema_editor, old=chain.keyed_hasher(settings.AUDIT_KEY), new=chain.plain_hash)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_retentiondecision"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(
                blank=True,
                help_text="Which audit key the chain is signed with (not the key)",
                max_length=16,
            ),
        ),
        migrations.RunPython(key_the_chain, unkey_the_chain),
    ]
