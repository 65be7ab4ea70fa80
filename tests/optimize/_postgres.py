"""A real PostgreSQL for the tests of workers sharing one study (a fixture the test
modules import: a conftest.py here would shadow tests/agents/conftest.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """``GROWTHSIM_TEST_PG_URL``, or a server started as ``.ci/run`` starts it; the test
    is skipped only when none can be started."""
    url = os.environ.get("GROWTHSIM_TEST_PG_URL", "")
    if not url:
        done = subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh")], capture_output=True,
                              text=True, timeout=900)
        url = done.stdout.strip()
        if not url:
            pytest.skip(f"no PostgreSQL could be started: {done.stderr.strip()}")
    return url
