"""CUDA backend flags: settable, without effect (minigrad has no CUDA). ``is_built()`` is False."""


class _MatmulFlags:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built():
    """False: minigrad is not built with CUDA."""
    return False
