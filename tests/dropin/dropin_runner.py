"""Run the drop-in corpus twice per script (real torch, then ``torch`` aliased to minigrad) and
compare what the two runs print and the parameters they end with.

    MINIGRAD_DROPIN_CORPUS=/path/to/corpus python tests/dropin/dropin_runner.py \
        [--only ID_SUBSTRING ...] [--table results.md] [--json results.json] [--jobs 1]

Each run happens in a fresh subprocess and a fresh directory holding a copy of the script and
the files it needs (driver.py does the running). Comparison:

* printed numbers: every number in stdout (hex addresses removed, lines matching the
  manifest's ``ignore`` regexes dropped), in order; two numbers match when they differ by at
  most half a unit of the coarser printed precision plus a relative tolerance (below);
* final parameters: every ``nn.Module`` state_dict entry and leaf ``Tensor`` left in the
  script's globals, compared relative to the largest magnitude of the torch array.

Verdicts:
* ``match``: parameters agree to 1e-4 of their scale and printed numbers to 1e-3 relative
  (float32 rounding, accumulated over a training run);
* ``close``: parameters agree to 1e-3 and printed numbers to 2e-2, or, failing that, no
  further from PyTorch (root-mean-square over all parameters, and over all printed numbers)
  than 4 times the distance between PyTorch and PyTorch again with every random initial value
  moved by a few float32 ulps (the "sensitivity run", made only when needed): float32
  rounding amplified, typically a printed loss near its minimum, where
  ``sum((y_pred - y)**2)`` loses digits to cancellation, or a chaotic training run (a GAN,
  Adam fitting noise), where such a nudge alone moves the result;
* ``differs`` (both run, numbers or parameters disagree beyond that); ``fails`` (the minigrad
  run raised: the error is shown); ``torch fails`` (the script does not run with real torch
  here, e.g. it needs a download; left out of the counts); ``not collected``.
"""

MATCH = {"numbers": 1e-3, "params": 1e-4}
CLOSE = {"numbers": 2e-2, "params": 1e-3}
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from corpus_manifest import corpus_dir, load_manifest, source_path  # noqa: E402

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:inf|nan|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?!\w)")
HEX = re.compile(r"0x[0-9a-fA-F]+")


@dataclass
class RunResult:
    ok: bool
    seconds: float
    stdout: str
    error: str = ""
    state: dict = field(default_factory=dict)


@dataclass
class Verdict:
    id: str
    verdict: str
    detail: str = ""
    numbers: int = 0
    max_number_diff: float = 0.0
    params: int = 0
    max_param_diff: float = 0.0
    torch_seconds: float = 0.0
    minigrad_seconds: float = 0.0
    edited: str = ""


def printed_numbers(text, ignore=()):
    """(token, value, line scale) for every number printed, in order. The line scale is the
    largest magnitude among the line's non-integer numbers: a coefficient printed as 1e-9 next
    to one of 2.2 is compared on the scale of 2.2 (it is rounding noise around zero)."""
    out = []
    patterns = [re.compile(p) for p in ignore]
    for line in text.splitlines():
        if any(p.search(line) for p in patterns):
            continue
        toks = NUMBER.findall(HEX.sub("", line))
        reals = [abs(float(t)) for t in toks if any(c in t for c in ".eEn")]
        scale = max([r for r in reals if math.isfinite(r)], default=0.0)
        out.extend((tok, float(tok), scale) for tok in toks)
    return out


def _unit(tok):
    """Half a unit in the last printed place of ``tok``."""
    mant, _, exp = tok.lower().partition("e")
    digits = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** (int(exp or 0) - digits)


def compare_numbers(a, b, rtol):
    """(ok, max relative difference, message); the maximum covers every pair, also after a
    first failure."""
    if len(a) != len(b):
        return False, math.inf, f"printed {len(b)} numbers with minigrad, {len(a)} with torch"
    worst, first = 0.0, ""
    for i, ((ta, va, line), (tb, vb, _)) in enumerate(zip(a, b)):
        if math.isnan(va) and math.isnan(vb) or va == vb:
            continue
        diff = abs(va - vb)
        allowed = max(_unit(ta), _unit(tb)) + rtol * max(abs(va), abs(vb), 1e-3 * line)
        if diff > max(_unit(ta), _unit(tb)):
            worst = max(worst, diff / max(abs(va), abs(vb), 1e-30))
        if not diff <= allowed and not first:
            first = f"number {i}: torch printed {ta}, minigrad {tb}"
    return not first, worst, first


def compare_states(a, b, rtol):
    """(ok, number compared, max scaled difference, message)."""
    keys = sorted(set(a) & set(b))
    missing = sorted(set(a) ^ set(b))
    # an array near zero (a coefficient the fit drives to 0) is compared on the scale of
    # the script's largest float array
    floats = [np.asarray(a[k]) for k in keys if np.asarray(a[k]).dtype.kind == "f" and np.asarray(a[k]).size]
    overall = max([float(np.nanmax(np.abs(x))) for x in floats if np.isfinite(x).any()], default=0.0)
    worst, first = 0.0, ""
    for k in keys:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape:
            return False, len(keys), math.inf, f"{k}: shape {y.shape} with minigrad, {x.shape} with torch"
        if x.size == 0:
            continue
        if x.dtype.kind not in "fc" or y.dtype.kind not in "fc":
            if not np.array_equal(x, y):
                return False, len(keys), math.inf, f"{k}: values differ"
            continue
        scale = max(float(np.nanmax(np.abs(x))) if np.isfinite(x).any() else 0.0,
                    1e-3 * overall, 1e-12)
        both_nan = np.isnan(x) & np.isnan(y)
        diff = np.where(both_nan, 0.0, np.abs(x.astype(np.float64) - y.astype(np.float64)))
        err = float(np.nanmax(diff)) / scale if diff.size else 0.0
        if np.isnan(diff).any():
            err = math.inf
        worst = max(worst, err)
        if err > rtol and not first:
            first = f"{k}: differs by {err:.2e} of its scale"
    note = f"only in one run: {', '.join(missing[:5])}" if missing else ""
    return not first, len(keys), worst, first or note


def _error_line(stderr):
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", ln) or ln.startswith("AssertionError"):
            return ln.strip()
    return lines[-1].strip() if lines else "no output"


def _prepare_dir(entry, corpus, root):
    src = source_path(corpus, entry["repo"], entry["commit"], entry["path"])
    root.mkdir(parents=True, exist_ok=True)
    script = root / Path(entry["path"]).name
    shutil.copy(src, script)
    script_dir = Path(entry["path"]).parent
    for f in entry["files"]:
        dest = root / f.get("dest", os.path.relpath(f["path"], script_dir))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source_path(corpus, entry["repo"], entry["commit"], f["path"]), dest)
    for d in entry["data"]:
        dest = root / d["dest"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source_path(corpus, d["repo"], d["commit"], d["path"]), dest)
    return script


def run_once(entry, lib, corpus, workdir, by_id, perturb=False):
    """Run ``entry`` with ``lib`` in a fresh directory (after its setup scripts)."""
    root = workdir / entry["id"].replace("/", "__") / (lib + ("-perturbed" if perturb else ""))
    if root.exists():
        shutil.rmtree(root)
    for setup_id in entry["setup"]:
        setup = by_id[setup_id]
        _prepare_dir(setup, corpus, root)
        result = _drive(setup, lib, root / Path(setup["path"]).name, root, perturb)
        if not result.ok:
            return RunResult(False, result.seconds, result.stdout, f"setup {setup_id}: {result.error}")
    script = _prepare_dir(entry, corpus, root)
    return _drive(entry, lib, script, root, perturb)


def _drive(entry, lib, script, root, perturb=False):
    state = root / f"state_{script.stem}.npz"
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
                   [str(REPO_ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    cmd = [sys.executable, str(HERE / "driver.py"), "--lib", lib, "--script", str(script),
           "--kind", entry["kind"], "--state", str(state), "--call", ",".join(entry["call"]),
           "--substitutions", json.dumps(entry["substitute"])] + (["--perturb"] if perturb else []) \
        + ["--", *entry["args"]]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                              timeout=entry["timeout"])
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return RunResult(False, time.perf_counter() - start, out, f"timeout after {entry['timeout']} s")
    seconds = time.perf_counter() - start
    loaded = {}
    if state.exists():
        with np.load(state, allow_pickle=False) as z:
            loaded = {k: z[k] for k in z.files}
    return RunResult(proc.returncode == 0, seconds, proc.stdout,
                     "" if proc.returncode == 0 else _error_line(proc.stderr), loaded)


SENSITIVITY_FACTOR = 4


def _rms(v):
    v = np.asarray(v, np.float64)
    return float(np.sqrt(np.mean(v * v))) if v.size else 0.0


def _sensitive(a, b, tp_numbers, tp_state, t_state, m_state):
    """True when minigrad (``b``, ``m_state``) is about as far from torch (``a``,
    ``t_state``) as torch's perturbed run (``tp_*``) is: the root-mean-square relative
    distance over all printed numbers, and over all parameters together, at most
    ``SENSITIVITY_FACTOR`` times the perturbed run's (a chaotic run moves every parameter by
    a random amount of the same order, so the distances are compared in aggregate)."""
    if tp_numbers is None or not len(tp_numbers) == len(a) == len(b):
        return False
    if a:
        scale = [max(abs(va), 1e-3 * line, 1e-30) for _, va, line in a]
        rm = [abs(vb - va) / s for (_, va, _), (_, vb, _), s in zip(a, b, scale)
              if not (math.isnan(va) and math.isnan(vb))]
        rp = [abs(vp - va) / s for (_, va, _), (_, vp, _), s in zip(a, tp_numbers, scale)
              if not (math.isnan(va) and math.isnan(vp))]
        if _rms(rm) > SENSITIVITY_FACTOR * _rms(rp) + MATCH["numbers"]:
            return False
    keys = sorted(k for k in set(t_state) & set(m_state) & set(tp_state)
                  if np.asarray(t_state[k]).dtype.kind == "f" and np.asarray(t_state[k]).size)
    if any(np.shape(m_state[k]) != np.shape(t_state[k]) or np.shape(tp_state[k]) != np.shape(t_state[k])
           for k in keys):
        return False
    if keys:
        x = np.concatenate([np.ravel(t_state[k]).astype(np.float64) for k in keys])
        y = np.concatenate([np.ravel(m_state[k]).astype(np.float64) for k in keys])
        z = np.concatenate([np.ravel(tp_state[k]).astype(np.float64) for k in keys])
        size = max(_rms(x), 1e-30)
        if _rms(y - x) / size > SENSITIVITY_FACTOR * _rms(z - x) / size + CLOSE["params"]:
            return False
    return True


def judge(entry, t, m, sensitivity_run=None):
    v = Verdict(entry["id"], "", torch_seconds=round(t.seconds, 2) if t else 0.0,
                minigrad_seconds=round(m.seconds, 2) if m else 0.0,
                edited="; ".join(f"{a!r} -> {b!r}" for a, b in entry["substitute"])
                + (" args " + " ".join(entry["args"]) if entry["args"] else ""))
    if not t.ok:
        v.verdict, v.detail = "torch fails", t.error
        return v
    if not m.ok:
        v.verdict, v.detail = "fails", m.error
        return v
    a = printed_numbers(t.stdout, entry["ignore"])
    b = printed_numbers(m.stdout, entry["ignore"])
    v.numbers = len(a)
    for verdict, tol in (("match", MATCH), ("close", CLOSE)):
        num_ok, v.max_number_diff, num_msg = compare_numbers(a, b, tol["numbers"])
        st_ok, v.params, v.max_param_diff, st_msg = compare_states(t.state, m.state, tol["params"])
        if num_ok and st_ok:
            v.verdict, v.detail = verdict, st_msg
            return v
    tp = sensitivity_run() if sensitivity_run is not None else None
    if tp is not None and tp.ok and _sensitive(
            a, b, printed_numbers(tp.stdout, entry["ignore"]), tp.state, t.state, m.state):
        v.verdict = "close"
        v.detail = "within PyTorch's own sensitivity to float32 rounding (4x); " + \
            "; ".join(x for x in (num_msg, st_msg) if x)
        return v
    if entry.get("comparable", True) is False:
        v.verdict = "runs"
        v.detail = f"numbers not comparable: {entry.get('why', '')}"
    else:
        v.verdict, v.detail = "differs", "; ".join(x for x in (num_msg, st_msg) if x)
    return v


def run_corpus(only=(), workdir=None, log=print):
    corpus = corpus_dir()
    if corpus is None or not Path(corpus).is_dir():
        raise FileNotFoundError("set MINIGRAD_DROPIN_CORPUS to the collected corpus directory")
    entries = load_manifest()
    by_id = {e["id"]: e for e in entries}
    chosen = [e for e in entries if not only or any(o in e["id"] for o in only)]
    own = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="dropin-"))
    verdicts = []
    try:
        for e in chosen:
            if not source_path(corpus, e["repo"], e["commit"], e["path"]).exists():
                verdicts.append(Verdict(e["id"], "not collected"))
                continue
            t = run_once(e, "torch", corpus, workdir, by_id)
            m = run_once(e, "minigrad", corpus, workdir, by_id)
            v = judge(e, t, m, lambda e=e: run_once(e, "torch", corpus, workdir, by_id, perturb=True))
            verdicts.append(v)
            log(f"{v.verdict:14s} {v.id:40s} {v.torch_seconds:7.1f}s {v.minigrad_seconds:7.1f}s  {v.detail}")
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return verdicts


def summary(verdicts):
    counted = [v for v in verdicts if v.verdict not in ("torch fails", "not collected")]
    runs = [v for v in counted if v.verdict in ("match", "close", "differs", "runs")]
    return {"scripts": len(verdicts), "counted": len(counted), "run": len(runs),
            "match": sum(v.verdict == "match" for v in counted),
            "close": sum(v.verdict == "close" for v in counted),
            "torch_fails": sum(v.verdict == "torch fails" for v in verdicts),
            "not_collected": sum(v.verdict == "not collected" for v in verdicts)}


def table(verdicts):
    s = summary(verdicts)
    lines = [f"{s['run']} of {s['counted']} scripts run unchanged with minigrad; {s['match']} "
             f"match PyTorch (printed numbers and final parameters) and {s['close']} more are "
             f"close (float32 rounding amplified); {s['torch_fails']} do not run with torch "
             "here and are not counted.", "",
             "| script | verdict | numbers | max rel. diff | params | max param diff "
             "| torch s | minigrad s | documented edit | detail |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| {v.id} | {v.verdict} | {v.numbers} | {v.max_number_diff:.1e} | "
                     f"{v.params} | {v.max_param_diff:.1e} | {v.torch_seconds} | "
                     f"{v.minigrad_seconds} | {v.edited} | {v.detail.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--table")
    parser.add_argument("--json")
    parser.add_argument("--keep", help="keep the run directories here")
    args = parser.parse_args(argv)
    verdicts = run_corpus(args.only, args.keep)
    text = table(verdicts)
    print(text)
    if args.table:
        Path(args.table).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(v) for v in verdicts], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
