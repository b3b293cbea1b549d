"""Run every script in examples/ in quick mode so that none of them rots.

Each script runs as a subprocess with MINIGRAD_EXAMPLES_QUICK=1 (few epochs / samples), from an
empty working directory: it must exit 0, print its key result line, and write no file but the
picture asked for with --plot (scripts that have the option draw one). A new
script in examples/ is picked up automatically (and only needs to exit 0 until it gets an
entry in KEY_LINES). The digits MLP and CNN also run in full, with their accuracy targets.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))

# script -> regex its output must contain (the line that shows the result)
KEY_LINES = {
    "backprop_tour.py": r"gradcheck: True",
    "moons_mlp.py": r"test accuracy: \d+\.\d%",
    "digits_mlp.py": r"test accuracy: \d+\.\d\d%",
    "digits_cnn.py": r"test accuracy: \d+\.\d\d%",
    "regression.py": r"test MSE: \d+\.\d+  R\^2 -?\d\.\d+",
    "optimizer_shootout.py": r"Adam +32 +\d+ +\d+ +\d+\.\d+ +\d+\.\d+% +\d+\.\d+\n"
                             r"(?:.*\n){8}"  # RAdam ... AdamW schedule-free
                             r"Prodigy +32 +\d+ +\d+ +\d+\.\d+ +\d+\.\d+% +\d+\.\d+\n"
                             r"lowest final training loss: ",
    "train_from_scratch.py": r"final loss: \d+\.\d+, training accuracy \d+\.\d%",
    "gpt_chars.py": r"step +\d+  val loss \d\.\d+ .*\nsample:\ndef ",
    "makemore.py": r"bigram  val loss \d\.\d+[\s\S]*MLP     val loss \d\.\d+[\s\S]*"
                   r"GPT     val loss \d\.\d+",
}


def run(script, *args, cwd, quick=True, env_extra=None, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])  # this checkout
    env["MPLBACKEND"] = "Agg"
    # One BLAS thread: these small matrices gain nothing from more, and on a busy machine
    # OpenBLAS threads waiting for each other make a run several times slower.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.pop("MINIGRAD_EXAMPLES_QUICK", None)
    if quick:
        env["MINIGRAD_EXAMPLES_QUICK"] = "1"
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def needs_sklearn(script):
    return "load_digits" in script.read_text()


def test_the_examples_are_there():
    names = {p.name for p in EXAMPLES}
    assert set(KEY_LINES) - {"second_order.py"} <= names


def has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_quickly(script, tmp_path):
    if needs_sklearn(script):
        pytest.importorskip("sklearn")
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    # Scripts that can draw do so in the same run (outside the working directory).
    plot = 'add_argument("--plot"' in script.read_text() and has_matplotlib()
    args = ["--plot", str(out / "picture.png")] if plot else []
    result = run(script, *args, cwd=work)
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip(), f"{script.name} printed nothing"
    if script.name in KEY_LINES:
        assert re.search(KEY_LINES[script.name], result.stdout), result.stdout
    assert list(work.iterdir()) == [], f"{script.name} wrote files it was not asked for"
    if plot:
        assert (out / "picture.png").stat().st_size > 1000


@pytest.mark.parametrize("script", [p for p in EXAMPLES if needs_sklearn(p)], ids=lambda p: p.name)
def test_digits_example_without_sklearn_exits_with_the_install_hint(script, tmp_path):
    # A stand-in package named sklearn that fails to import hides the real one.
    fake = tmp_path / "fake" / "sklearn"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named sklearn')\n")
    result = run(script, cwd=tmp_path, env_extra={
        "PYTHONPATH": os.pathsep.join([str(fake.parent), str(ROOT)])})
    assert result.returncode != 0
    assert "pip install" in result.stderr and "minigrad[datasets]" in result.stderr
    assert "Traceback" not in result.stderr


# The accuracy targets, on the full default runs (a few seconds each with
# OPENBLAS_NUM_THREADS=1, which run() sets unless the user chose).
@pytest.mark.parametrize("script, target", [("digits_mlp.py", 96.0), ("digits_cnn.py", 97.0)])
def test_digits_examples_reach_their_accuracy(script, target, tmp_path):
    pytest.importorskip("sklearn")
    result = run(ROOT / "examples" / script, cwd=tmp_path, quick=False, timeout=900)
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"test accuracy: (\d+\.\d+)%", result.stdout).group(1))
    assert accuracy >= target, result.stdout


SCRIPTS = EXAMPLES + sorted(p for p in (ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_help_answers_without_running(script, tmp_path):
    result = run(script, "--help", cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:") and "--help" in result.stdout
    if script.name in KEY_LINES:
        assert not re.search(KEY_LINES[script.name], result.stdout)


@pytest.mark.parametrize("script, flag, value", [
    (p, flag, value) for p in EXAMPLES for flag, value in (("--epochs", "0"), ("--lr", "-1"),
                                                           ("--lr", "inf"), ("--batch-size", "0"))
    if f'add_argument("{flag}"' in p.read_text()], ids=str)
def test_bad_values_are_one_line_errors(script, flag, value, tmp_path):
    result = run(script, flag, value, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(
        f"error: argument {flag}: expected an integer > 0, got {value}"
        if flag in ("--epochs", "--batch-size") else
        f"error: argument {flag}: expected a finite number > 0, got {value}")
