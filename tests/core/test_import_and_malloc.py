"""What `import minigrad` does: the allocator tuning (respecting the user's settings), and nothing heavy."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")


def _applied(env_extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MINIGRAD_MALLOC_TUNING")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", "import minigrad._malloc as m, minigrad; print(m.applied)"],
                         env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_applied_by_default_and_skipped_when_user_chose():
    assert _applied({}) == "True"
    assert _applied({"MINIGRAD_MALLOC_TUNING": "0"}) == "False"
    assert _applied({"MALLOC_TRIM_THRESHOLD_": "131072"}) == "False"


def test_import_stays_light():
    code = ("import sys, minigrad; "
            "print([m for m in ('numba', 'scipy', 'matplotlib', 'sklearn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
