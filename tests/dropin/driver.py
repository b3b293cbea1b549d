"""Run one corpus script in this process, with real torch or with ``torch`` aliased to minigrad.

    python driver.py --lib {torch,minigrad} --script FILE --kind {script,notebook,functions}
                     --state OUT.npz [--call f,g] [--substitutions JSON] [-- script args]

Before the script: Python's ``random`` and numpy's global generator are seeded with 0, the
shared-random hook is installed (see shared_random.py), matplotlib draws off-screen and its
``pause`` returns at once. After the script (also when it fails): the state of every
``nn.Module`` and every leaf ``Tensor`` left in the script's globals is saved to ``--state``
for the runner to compare.
The script's stdout is the runner's to compare; errors go to stderr, and the exit code is 1.
"""
import argparse
import ast
import json
import os
import random
import sys
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def notebook_source(path):
    """A notebook's code cells as one script, cell after cell. As in Jupyter, a cell whose last
    statement is an expression shows its value: here it is printed with ``repr`` (unless it
    is None). IPython-only lines (``%magic``, ``!shell``) are left out."""
    nb = json.loads(Path(path).read_text())
    chunks = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        src = "\n".join(lines)
        try:
            tree = ast.parse(src)
        except SyntaxError:
            chunks.append(src)
            continue
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not src.rstrip().endswith(";"):
            last = tree.body.pop()
            tree.body += ast.parse(f"__shown = ({ast.unparse(last.value)})\n"
                                   "if __shown is not None: print(repr(__shown))").body
            src = ast.unparse(tree)
        chunks.append(src)
    return "\n\n".join(chunks) + "\n"


def _quiet_matplotlib():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.pause = lambda interval: None


def _array(t):
    """A numpy copy of a tensor (or of an array: minigrad's state_dict holds numpy copies)."""
    return np.asarray(t.detach() if hasattr(t, "detach") else t).copy()


def _state(namespace, torch):
    arrays = {}
    for name, value in list(namespace.items()):
        if name.startswith("__"):
            continue
        try:
            if isinstance(value, torch.nn.Module):
                for key, t in value.state_dict().items():
                    arrays[f"{name}.{key}"] = _array(t)
            elif isinstance(value, torch.Tensor) and value.is_leaf:
                # leaves only: a tensor computed by recorded ops (a loss) is compared through
                # what the script prints, not as a parameter
                arrays[name] = _array(value)
        except Exception:  # a half-built object must not hide the script's own result
            continue
    return arrays


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", choices=["torch", "minigrad"], required=True)
    parser.add_argument("--script", required=True)
    parser.add_argument("--kind", default="script")
    parser.add_argument("--call", default="")
    parser.add_argument("--substitutions", default="[]")
    parser.add_argument("--state", required=True)
    parser.add_argument("--perturb", action="store_true",
                        help="random floats off by a few ulps (the runner's sensitivity run)")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    script_args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args

    sys.path.insert(0, str(HERE))
    if opts.lib == "minigrad":
        import torch_alias
        torch_alias.install()
    random.seed(0)
    np.random.seed(0)
    _quiet_matplotlib()
    import torch
    import shared_random
    shared_random.install(torch, perturb=opts.perturb)

    script = Path(opts.script)
    source = notebook_source(script) if opts.kind == "notebook" else script.read_text()
    for old, new in json.loads(opts.substitutions):
        if old not in source:
            print(f"driver: substitution target {old!r} not found in {script.name}", file=sys.stderr)
            return 2
        source = source.replace(old, new)
    sys.argv = [str(script)] + script_args
    sys.path.insert(0, str(script.parent))
    sys.path.insert(0, os.getcwd())
    namespace = {"__name__": "__main__" if opts.kind != "functions" else script.stem,
                 "__file__": str(script), "__builtins__": __builtins__}
    code = 0
    try:
        exec(compile(source, str(script), "exec"), namespace)
        for name in filter(None, opts.call.split(",")):
            namespace[name]()
            print(f"driver: {name} passed")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        np.savez(opts.state, **_state(namespace, torch))
    return code


if __name__ == "__main__":
    sys.exit(main())
