"""Environment for the test run, set before Django reads its settings.

Loaded by pytest as an early plugin (`-p highharm.testing_env` in pyproject.toml),
before pytest-django imports the settings.
"""

import os
import tempfile

os.environ.setdefault(
    "HIGHHARM_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789"
)
# A fixed access-log key, so that tests can compute expected hashes by hand.
os.environ.setdefault("HIGHHARM_AUDIT_KEY", "test-only-audit-key-not-for-production-0123456789")
os.environ.setdefault("HIGHHARM_VAR_DIR", tempfile.mkdtemp(prefix="highharm-test-var-"))
os.environ["HIGHHARM_FAST_PASSWORD_HASHER"] = "1"  # noqa: S105
os.environ.setdefault("HIGHHARM_REQUIRE_2FA", "0")
os.environ.setdefault("HIGHHARM_SECURE", "0")
os.environ.setdefault("HIGHHARM_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
