"""The drop-in tooling itself (runs without the corpus): the torch alias renames only, the
shared-random hook gives both libraries the same numbers, the notebook conversion, and the
runner's number comparison."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dropin_runner import compare_numbers, compare_states, printed_numbers

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def _run_driver(tmp_path, lib, source, kind="script", extra=()):
    script = tmp_path / ("s.ipynb" if kind == "notebook" else "s.py")
    script.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(HERE / "driver.py"), "--lib", lib, "--script",
                           str(script), "--kind", kind, "--state", str(tmp_path / f"{lib}.npz"),
                           *extra], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300)
    return proc


def test_alias_maps_torch_modules_to_minigrads(tmp_path):
    proc = _run_driver(tmp_path, "minigrad", (
        "import torch, torch.nn as nn, torch.nn.functional as F, torch.optim as optim\n"
        "from torch.utils.data import DataLoader\n"
        "import minigrad\n"
        "print(torch is minigrad, nn is minigrad.nn, F is minigrad.nn.functional,\n"
        "      optim is minigrad.optim, DataLoader is minigrad.data.DataLoader,\n"
        "      torch.utils.data is minigrad.data)\n"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True"] * 6


def test_alias_names_a_missing_module(tmp_path):
    proc = _run_driver(tmp_path, "minigrad", "import torch.jit\n")
    assert proc.returncode == 1
    assert "torch.jit: minigrad has no counterpart" in proc.stderr


def test_shared_random_gives_both_libraries_the_same_numbers(tmp_path):
    pytest.importorskip("torch")
    source = ("import torch\n"
              "torch.manual_seed(3)\n"
              "layer = torch.nn.Linear(4, 3)\n"
              "x = torch.randn(2, 4)\n"
              "g = torch.Generator().manual_seed(5)\n"
              "i = torch.randint(0, 10, (3,), generator=g)\n"
              "p = torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 4, replacement=True)\n"
              "d = torch.nn.functional.dropout(torch.ones(6), 0.5)\n"
              "e = torch.nn.Embedding(3, 2)\n")
    states = {}
    for lib in ("torch", "minigrad"):
        proc = _run_driver(tmp_path, lib, source)
        assert proc.returncode == 0, proc.stderr
        with np.load(tmp_path / f"{lib}.npz") as z:
            states[lib] = {k: z[k] for k in z.files}
    assert set(states["torch"]) == set(states["minigrad"])
    for k, v in states["torch"].items():
        np.testing.assert_allclose(states["minigrad"][k], v, rtol=1e-6, err_msg=k)


def test_notebook_cells_run_in_order_and_show_their_last_value(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "source": ["%matplotlib inline\n", "x = 2\n", "x * 3"]},
        {"cell_type": "markdown", "source": ["text"]},
        {"cell_type": "code", "source": ["y = x + 1;"]},
        {"cell_type": "code", "source": ["print(y)\n", "None"]}]}
    proc = _run_driver(tmp_path, "minigrad", json.dumps(nb), kind="notebook")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["6", "3"]


def test_substitutions_must_match(tmp_path):
    proc = _run_driver(tmp_path, "minigrad", "print(1)\n",
                       extra=("--substitutions", json.dumps([["range(9)", "range(1)"]])))
    assert proc.returncode == 2 and "not found" in proc.stderr


def test_number_comparison():
    a = printed_numbers("0 645.25\nResult: y = -6.7e-10 + 2.2 x MulBackward0 at 0x7fab")
    assert [t for t, _, _ in a] == ["0", "645.25", "-6.7e-10", "2.2"]
    b = printed_numbers("0 645.2504\nResult: y = -3.1e-9 + 2.2 x MulBackward0 at 0x7fcd")
    assert compare_numbers(a, b, 1e-3)[0]  # a coefficient near 0 is judged on its line's scale
    c = printed_numbers("0 650.0\nResult: y = 0.0 + 2.2 x")
    ok, _, msg = compare_numbers(a, c, 1e-3)
    assert not ok and "645.25" in msg
    assert not compare_numbers(a, a[:2], 1e-3)[0]
    assert compare_numbers(printed_numbers("tensor([1., nan, -inf])"),
                           printed_numbers("tensor([1.0000, nan, -inf])"), 1e-3)[0]


def test_state_comparison():
    t = {"w": np.array([1.0, 2.0]), "b": np.array([1e-9])}
    assert compare_states(t, {"w": np.array([1.0, 2.0001]), "b": np.array([3e-9])}, 1e-4)[0]
    ok, _, _, msg = compare_states(t, {"w": np.array([1.0, 2.1]), "b": np.array([0.0])}, 1e-4)
    assert not ok and msg.startswith("w:")
    assert not compare_states(t, {"w": np.array([1.0]), "b": np.array([0.0])}, 1e-4)[0]


def test_judge_tells_rounding_from_a_real_difference():
    """A chaotic script (PyTorch itself moves when nudged) is 'close'; a script whose nudged
    PyTorch run stays put while minigrad moves 'differs'."""
    from dropin_runner import RunResult, judge
    entry = {"id": "x", "ignore": [], "substitute": [], "args": []}
    t = RunResult(True, 1.0, "loss 1.000\n", state={"w": np.array([1.0, -2.0, 3.0])})
    m = RunResult(True, 1.0, "loss 1.000\n", state={"w": np.array([1.02, -2.05, 2.97])})
    chaotic = RunResult(True, 1.0, "loss 1.000\n", state={"w": np.array([1.03, -1.98, 3.04])})
    steady = RunResult(True, 1.0, "loss 1.000\n", state={"w": np.array([1.0, -2.0, 3.0000001])})
    assert judge(entry, t, m, lambda: chaotic).verdict == "close"
    assert judge(entry, t, m, lambda: steady).verdict == "differs"
    assert judge(entry, t, t, lambda: steady).verdict == "match"
    failing = RunResult(False, 1.0, "", "AttributeError: module 'minigrad' has no attribute 'x'")
    assert judge(entry, t, failing).verdict == "fails"
    assert judge(entry, failing, m).verdict == "torch fails"
