"""The README's newcomer path in a throwaway venv: regular install, demo, editable install with the
test extras, import, and back; `pip uninstall` leaves nothing behind.

Slow (three pip installs, two demos): marked ``slow``, left out of the default run, run by CI
(``.ci/run``) and by ``python -m pytest -m slow``. The venv sees the running interpreter's
installed packages (numpy, numba, matplotlib, ... but not minigrad) through a folder of links, and
pip runs with ``--no-index --no-build-isolation``: nothing is downloaded.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _project_copy(dest):
    """pyproject, README and the package: what `pip install .` builds from."""
    os.makedirs(dest)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), dest)
    shutil.copytree(os.path.join(ROOT, "minigrad"), os.path.join(dest, "minigrad"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return dest


def _deps_folder(dest):
    """Links to every installed distribution of this interpreter except minigrad."""
    os.makedirs(dest)
    site = sysconfig.get_paths()["purelib"]
    for entry in os.listdir(site):
        if "minigrad" in entry.lower() or entry.endswith(".pth") or entry == "pip":
            continue
        os.symlink(os.path.join(site, entry), os.path.join(dest, entry))
    return dest


class Venv:
    def __init__(self, root, cache):
        self.root = root
        subprocess.run([sys.executable, "-m", "venv", root], check=True, capture_output=True)
        self.bin = os.path.join(root, "Scripts" if os.name == "nt" else "bin")
        self.python = os.path.join(self.bin, "python")
        self.site = subprocess.run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True).stdout.strip()
        if any(e.startswith("setuptools") for e in os.listdir(self.site)):
            # Python < 3.12 puts an old setuptools in every venv (65.5 on 3.11: no bdist_wheel
            # without the wheel package); the build uses the running interpreter's instead.
            subprocess.run([self.python, "-m", "pip", "uninstall", "-y", "setuptools"],
                           check=True, capture_output=True)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
                    and not k.startswith("NUMBA_")}
        self.env.update(XDG_CACHE_HOME=cache, PIP_DISABLE_PIP_VERSION_CHECK="1",
                        PATH=self.bin + os.pathsep + os.environ.get("PATH", ""),
                        VIRTUAL_ENV=root)

    def run(self, *argv, cwd):
        out = subprocess.run(list(argv), cwd=cwd, env=self.env, capture_output=True, text=True)
        assert out.returncode == 0, f"{' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}"
        return out.stdout

    def pip_install(self, *argv, cwd):
        return self.run(self.python, "-m", "pip", "install", "--no-index", "--no-build-isolation",
                        *argv, cwd=cwd)

    def leftovers(self):
        return sorted(e for e in os.listdir(self.site) if "minigrad" in e.lower())


IMPORT_CHECK = ("import minigrad, minigrad.optim; minigrad.manual_seed(0); minigrad.optim.SGD; "
                "print(minigrad.__file__)")


def test_readme_install_sequence_in_a_fresh_venv(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("sklearn")
    pytest.importorskip("setuptools")
    src = _project_copy(str(tmp_path / "src"))
    work = str(tmp_path / "work")
    os.makedirs(work)
    venv = Venv(str(tmp_path / "venv"), str(tmp_path / "cache"))
    with open(os.path.join(venv.site, "_test_deps.pth"), "w") as f:
        f.write(_deps_folder(str(tmp_path / "deps")) + "\n")

    # README, first command: pip install ".[viz]" && minigrad demo
    venv.pip_install(".[viz]", cwd=src)
    out = venv.run("minigrad", "demo", "--quiet", cwd=work)
    assert "test accuracy" in out
    package = os.path.join(venv.site, "minigrad")
    compiled = [f for _, _, files in os.walk(package) for f in files if f.endswith((".nbi", ".nbc"))]
    assert compiled == []
    assert os.listdir(os.path.join(str(tmp_path / "cache"), "minigrad", "kernels"))

    # second command: pip install -e ".[test,viz,datasets]" && python -m pytest
    venv.pip_install("-e", ".[test,viz,datasets]", cwd=src)
    assert venv.run(venv.python, "-c", IMPORT_CHECK, cwd=work).strip() == \
        os.path.join(src, "minigrad", "__init__.py")
    assert "test accuracy" in venv.run("minigrad", "demo", "--quiet", cwd=work)

    # and back to a regular install
    venv.pip_install(".", cwd=src)
    assert venv.run(venv.python, "-c", IMPORT_CHECK, cwd=work).strip() == \
        os.path.join(package, "__init__.py")

    venv.run(venv.python, "-m", "pip", "uninstall", "-y", "minigrad", cwd=work)
    assert venv.leftovers() == []
