"""Row kernels of the attention softmax, compiled by numba at first use.

numpy's reductions over a short last axis (64 keys) cost ~60 ns per row in call overhead, so
``max``, ``sum`` and the backward's row sums were most of the attention's own time. These
loops visit each row once, keep it in cache, and (for ``is_causal``) skip the blocked part of
the row instead of filling it with ``-inf`` first. The exponential stays a numpy call: its
SIMD loop is ~10x faster than numba's scalar ``exp``.

All take 2-D C-contiguous (rows, keys) arrays of one float dtype and work in place. Under
``NUMBA_DISABLE_JIT=1`` they run as plain Python (slow, but only tests run that way).
"""
import numpy as np

_kernels = None


def _build():
    from ..optim._jit import kernel_jit

    # reassociation lets LLVM vectorise the row sums; no 'nnan'/'ninf', so NaN and inf
    # still propagate and the -inf / NaN tests below still hold
    opts = dict(error_model="numpy", nogil=True,
                fastmath={"reassoc", "nsz", "arcp", "contract"})

    @kernel_jit(**opts)
    def shift_rows(s, n_queries, causal):
        """Subtract each row's maximum (``exp`` then cannot overflow). With ``causal``, row
        ``r`` is query ``r % n_queries`` and keys after it are set to ``-inf``. A row whose
        keys are all ``-inf`` (fully masked) is left all ``-inf``: its ``exp`` is 0."""
        rows, keys = s.shape
        for r in range(rows):
            stop = keys
            if causal:
                stop = min(r % n_queries + 1, keys)
                for j in range(stop, keys):
                    s[r, j] = -np.inf
            if stop == 0:
                continue
            top = s[r, 0]
            for j in range(1, stop):
                if s[r, j] > top or s[r, j] != s[r, j]:  # NaN wins, so it propagates
                    top = s[r, j]
            if top == -np.inf:
                continue
            for j in range(stop):
                s[r, j] -= top

    @kernel_jit(**opts)
    def normalize_rows(p):
        """Divide each row by its sum; an all-zero row (fully masked) stays zero."""
        rows, keys = p.shape
        for r in range(rows):
            total = p.dtype.type(0)
            for j in range(keys):
                total += p[r, j]
            if total == 0:
                continue
            inv = p.dtype.type(1) / total
            for j in range(keys):
                p[r, j] *= inv

    @kernel_jit(**opts)
    def softmax_backward_rows(dp, p):
        """``dp <- p * (dp - sum_j(dp * p))`` row by row: the softmax's vector-Jacobian
        product."""
        rows, keys = dp.shape
        for r in range(rows):
            dot = dp.dtype.type(0)
            for j in range(keys):
                dot += dp[r, j] * p[r, j]
            for j in range(keys):
                dp[r, j] = p[r, j] * (dp[r, j] - dot)

    return shift_rows, normalize_rows, softmax_backward_rows


def _get():
    global _kernels
    if _kernels is None:
        _kernels = _build()
    return _kernels


def softmax_(scores, n_queries, causal):
    """Softmax over the last axis of the contiguous array ``scores``, in place (``causal``:
    query ``i`` sees keys ``j <= i``). Fully masked rows become zeros. numba has no float16
    arithmetic: half precision is computed in float32 and written back."""
    if scores.dtype == np.float16:
        scores[...] = softmax_(scores.astype(np.float32), n_queries, causal)
        return scores
    shift, normalize, _ = _get()
    flat = scores.reshape(-1, scores.shape[-1]) if scores.ndim != 2 else scores
    shift(flat, n_queries, causal)
    np.exp(scores, out=scores)
    normalize(flat)
    return scores


def softmax_backward_(dp, probs):
    """``probs * (dp - sum(dp * probs, -1))`` in place in ``dp`` (same shape, contiguous)."""
    if dp.dtype == np.float16:
        dp[...] = softmax_backward_(dp.astype(np.float32), probs.astype(np.float32))
        return dp
    _get()[2](dp.reshape(-1, dp.shape[-1]), probs.reshape(-1, probs.shape[-1]))
    return dp
