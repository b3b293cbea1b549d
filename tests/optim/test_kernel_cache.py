"""Where the compiled kernels are cached: a per-user folder keyed by version and source, never the
package's own folder (numba's default, which broke `pip uninstall` and editable re-installs)."""
import ast
import os
import shutil
import subprocess
import sys

import pytest

import minigrad

PACKAGE = os.path.dirname(os.path.abspath(minigrad.__file__))

# One SGD step (the serial kernel, float64) and how the kernel's cache answered.
STEP = """
import minigrad as mg
from minigrad import optim
from minigrad.optim.kernels import sgd_family
p = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
opt = optim.SGD([p], lr=0.5)
(p * p).sum().backward()
opt.step()
assert p.detach().numpy().tolist() == [0.0, 0.0], p
stats = sgd_family.sgd_serial.stats
print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), stats.cache_path)
"""


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package to import from, so that what a step writes can be seen."""
    root = tmp_path / "src"
    shutil.copytree(PACKAGE, root / "minigrad", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _step(src, cache_home, **env_extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMBA_") and k not in ("XDG_CACHE_HOME",)}
    env.update(PYTHONPATH=str(src), XDG_CACHE_HOME=str(cache_home), PYTHONDONTWRITEBYTECODE="1",
               MINIGRAD_PARALLEL="0", **env_extra)
    out = subprocess.run([sys.executable, "-c", STEP], env=env, capture_output=True, text=True,
                         cwd=str(src))
    assert out.returncode == 0, out.stderr
    hits, misses, path = out.stdout.split(maxsplit=2)
    return int(hits), int(misses), path.strip()


def _numba_files(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, files in os.walk(folder)
                  for f in files if f.endswith((".nbi", ".nbc")))


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_CACHE_HOME is Linux's")
def test_cache_is_per_user_keyed_by_version_and_source_and_never_in_the_package(
        package_copy, tmp_path):
    cache_home = tmp_path / "xdg"
    hits, misses, path = _step(package_copy, cache_home)
    kernels_root = cache_home / "minigrad" / "kernels"
    assert (hits, misses) == (0, 1)
    assert path.startswith(str(kernels_root / f"{minigrad.__version__}-"))
    assert _numba_files(kernels_root) and _numba_files(package_copy) == []

    # a second process loads what the first compiled
    assert _step(package_copy, cache_home)[:2] == (1, 0)

    # any change in the kernels' folder (here a file the kernel does not even use) is a new key:
    # numba alone would only check sgd_family.py itself and load a stale entry
    with open(package_copy / "minigrad" / "optim" / "kernels" / "prodigy.py", "a") as f:
        f.write("\n# changed\n")
    hits, misses, new_path = _step(package_copy, cache_home)
    assert (hits, misses) == (0, 1) and new_path != path
    assert _numba_files(package_copy) == []


def test_numba_cache_dir_set_by_the_user_wins(package_copy, tmp_path):
    user_dir = tmp_path / "mine"
    hits, misses, path = _step(package_copy, tmp_path / "xdg", NUMBA_CACHE_DIR=str(user_dir))
    assert path.startswith(str(user_dir)) and _numba_files(user_dir)
    assert not (tmp_path / "xdg" / "minigrad").exists() and _numba_files(package_copy) == []


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root writes anywhere; needs POSIX permissions")
def test_unwritable_cache_compiles_without_writing_anything(package_copy, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert _step(package_copy, locked)[2] == "None"  # no cache at all: compiled in memory
    assert _numba_files(package_copy) == [] and _numba_files(locked) == []


def test_cache_folder_that_is_a_file_compiles_without_writing_anything(package_copy, tmp_path):
    # Works as root too: no folder can be made below a regular file.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    assert _step(package_copy, blocker)[2] == "None"  # no cache at all: compiled in memory
    assert _numba_files(package_copy) == []


def test_no_kernel_module_asks_numba_for_its_default_cache():
    """Every cached kernel goes through kernel_jit: a plain ``njit(cache=True)`` anywhere in the
    package would write beside its module again."""
    offenders = []
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or path.endswith(os.path.join("optim", "_jit.py")):
                continue
            tree = ast.parse(open(path, encoding="utf-8").read())
            for node in ast.walk(tree):
                if isinstance(node, ast.keyword) and node.arg == "cache":
                    offenders.append(f"{os.path.relpath(path, PACKAGE)}:{node.value.lineno}")
    assert offenders == []


# One use of every family of cached kernels: optimizer steps (serial and parallel), L-BFGS's
# two-loop kernels, max pooling, layer norm, GELU and the LSTM steps.
EVERY_KERNEL = """
import numpy as np
import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
mg.manual_seed(0)
big = mg.zeros(300_000, requires_grad=True)
small = mg.zeros(3, requires_grad=True)
for opt in (optim.Adam([big, small]), optim.SGD([big, small], lr=0.1, momentum=0.9)):
    big.grad, small.grad = mg.ones(300_000), mg.ones(3)
    opt.step()
x = mg.randn(4, 3, requires_grad=True)
lbfgs = optim.LBFGS([x], history_size=3, max_iter=5)
lbfgs.step(lambda: (lbfgs.zero_grad(), (x * x).sum().backward())[0] or (x * x).sum())
img = mg.randn(2, 3, 8, 8, requires_grad=True)
F.max_pool2d(img, 2).sum().backward()
h = mg.randn(4, 16, 32, requires_grad=True)
F.gelu(F.layer_norm(h, (32,))).sum().backward()
out, _ = nn.LSTM(5, 7)(mg.randn(6, 2, 5))
out.sum().backward()
print("ran")
"""


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG_CACHE_HOME is Linux's")
@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="nothing is compiled")
def test_no_kernel_family_writes_into_the_package(package_copy, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMBA_") and k not in ("XDG_CACHE_HOME",)}
    env.update(PYTHONPATH=str(package_copy), XDG_CACHE_HOME=str(tmp_path / "xdg"),
               PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", EVERY_KERNEL], env=env, capture_output=True,
                         text=True, cwd=str(package_copy))
    assert out.returncode == 0 and out.stdout.strip() == "ran", out.stderr
    assert _numba_files(package_copy) == []
    cached = _numba_files(tmp_path / "xdg" / "minigrad" / "kernels")
    # each family left its compiled code in the per-user folder instead
    for module in ("adam_family", "sgd_family", "lbfgs_kernels", "_pool_kernels",
                   "_norm_kernels", "_gelu_fast", "_lstm_steps"):
        assert any(module in name for name in cached), (module, cached)
