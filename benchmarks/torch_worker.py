"""A torch process beside the benchmark: the benchmark sends JSON commands, the child answers.

torch runs in its own process. Loaded into the benchmark's process, GNU OpenMP's workers
(torch's) keep spinning after each torch op and starve numpy's OpenBLAS threads and numba's
OpenMP team: measured here, the numpy floor of bench_train's case (b) went from ~1.3 ms to
~97 ms per step. A separate process also keeps minigrad's OpenMP configuration (docs/optim.md)
out of torch's way, and vice versa. A persistent child lets the benchmark interleave torch
with minigrad round by round, so the machine's load drifts hit both alike.
"""
import json
import subprocess
import sys
import time


def per_step_ms(step, n_steps):
    """Mean milliseconds of ``step()`` over ``n_steps`` back-to-back calls: the unit in which
    the workers and the benchmarks' own side report."""
    t0 = time.perf_counter()
    for _ in range(n_steps):
        step()
    return (time.perf_counter() - t0) / n_steps * 1e3


class TorchWorker:
    """Starts ``python <script> --torch-worker [args]`` (or another ``flag``); the child's first
    line is an info dict (``{"torch": version or None, ...}``), then one JSON reply line per
    command. Any library can be served this way (bench_train runs minigrad in a worker too)."""

    def __init__(self, script, flag="--torch-worker", args=()):
        self.proc = subprocess.Popen([sys.executable, script, flag, *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the torch worker exited")
        return json.loads(line)

    def ask(self, **command):
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def start(script, args=()):
    """A :class:`TorchWorker` for ``script`` (``args`` are passed on to the child), or None
    when torch is not installed."""
    worker = TorchWorker(script, args=args)
    if worker.info.get("torch") is None:
        worker.close()
        return None
    return worker
