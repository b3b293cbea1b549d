"""Random sampling functions with PyTorch's names and signatures: multinomial, normal,
bernoulli, randperm and the ``*_like`` forms. Each takes ``generator=`` (a
:class:`minigrad.Generator`; None draws from the global one that ``manual_seed`` seeds).

The numbers come from numpy's PCG64: the same distributions as PyTorch, not the same
numbers for a given seed (see :mod:`minigrad.random`).
"""
import numpy as np

from .random import numpy_generator
from .tensor import Tensor


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categories of each row of ``input`` (non-negative weights,
    1-D or 2-D, not necessarily summing to 1), as ``torch.multinomial``: an int64 tensor of
    shape ``(num_samples,)`` or ``(rows, num_samples)``.

    Without replacement no index repeats in a row; once the categories of non-zero weight
    run out, the zero-weight ones follow (as PyTorch does).
    """
    from ._out import check_out, write_out
    p = input._data if isinstance(input, Tensor) else np.asarray(input)
    if p.dtype.kind != "f":
        raise TypeError(f"multinomial: input must be a floating-point tensor, got dtype {p.dtype}")
    if p.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-D or 2-D, got shape {p.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples!r}")
    rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
    n = rows.shape[1]
    if not replacement and num_samples > n:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from {n} categories")
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: probabilities must be finite and non-negative "
                         "(the input contains inf, nan or a negative value)")
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError("multinomial: every row needs a positive sum of probabilities "
                         f"(row {int(np.argmax(totals <= 0))} sums to 0)")
    check_out(out, "multinomial", np.dtype(np.int64), p.shape[:-1] + (int(num_samples),))
    rng = numpy_generator(generator, "multinomial")
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows.shape[0], int(num_samples)))
        # the first category whose cumulative weight exceeds u; zero-weight categories are
        # never chosen because their cdf equals the previous one
        idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        idx = np.minimum(idx, n - 1)
    else:
        # exponential race: sorting Exp(1)/p is sampling without replacement in proportion to p
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        idx = np.argsort(keys, axis=1, kind="stable")[:, :int(num_samples)]
    idx = idx.astype(np.int64).reshape(p.shape[:-1] + (int(num_samples),))
    return write_out(Tensor._wrap(idx), out, "multinomial")


def _zero_grads(parents):
    """The backward of a sample: zeros shaped like each parent (as PyTorch's, which reads
    no values, so writes into the parameters after sampling stay legal)."""
    specs = [(p.shape, p.dtype) for p in parents]

    def backward(g, out):
        return tuple(Tensor._wrap(np.zeros(shape, dtype)) for shape, dtype in specs)

    return backward


def _float_or_tensor(x, name):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"normal: {name} must be a number or a Tensor, got {type(x).__name__}")
    return None


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Samples of ``N(mean, std**2)``, as ``torch.normal``'s overloads: ``normal(mean_tensor,
    std_tensor)`` (shapes broadcast), ``normal(mean_tensor, std=1.0)``, ``normal(mean,
    std_tensor)``, ``normal(mean, std, size)``. As in PyTorch, a sample is not differentiable
    in ``mean`` or ``std``: their gradient is zero."""
    from . import _device
    from ._default_dtype import get_default_dtype
    from ._out import check_out, write_out
    from .tensor import SAVES_NOTHING, _resolve_dtype, make
    _device.resolve(device, "normal")
    mt, st = _float_or_tensor(mean, "mean"), _float_or_tensor(std, "std")
    if mt is None and st is None:
        if size is None:
            raise TypeError("normal(mean, std) with two numbers needs a size, as in PyTorch: "
                            "normal(mean, std, size)")
        shape = (int(size),) if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)
        dt = _resolve_dtype(dtype) or get_default_dtype()
    else:
        if size is not None:
            raise TypeError("normal: size is only allowed when mean and std are numbers")
        arrays = [t._data for t in (mt, st) if t is not None]
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            raise ValueError(f"normal: mean of shape {np.shape(mean)} and std of shape "
                             f"{np.shape(std)} cannot be broadcast together") from None
        dt = np.result_type(*[a.dtype for a in arrays if a.dtype.kind == "f"] or [get_default_dtype()])
    s = st._data if st is not None else std
    if np.any(np.asarray(s) < 0):
        raise ValueError(f"normal: std must be >= 0, got a minimum of {np.min(s)}")
    m = mt._data if mt is not None else mean
    parents = tuple(t for t in (mt, st) if t is not None)
    check_out(out, "normal", dt, shape,
              requires_grad or any(t.requires_grad for t in parents))
    rng = numpy_generator(generator, "normal")
    data = (m + s * rng.standard_normal(shape)).astype(dt)
    if parents:
        result = make(data, parents, _zero_grads(parents), "Normal", SAVES_NOTHING)
    else:
        result = Tensor._wrap(data)
        if requires_grad:
            result.requires_grad_(True)
    return write_out(result, out, "normal")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples, 1 with probability ``input`` (or ``p`` for every element), in
    ``input``'s dtype, as ``torch.bernoulli``; the gradient to ``input`` is zero."""
    from ._out import check_out, write_out
    from .tensor import SAVES_NOTHING, make
    probs = input._data if p is None else np.full(input.shape, float(p))
    if np.any((probs < 0) | (probs > 1)) or np.any(np.isnan(probs)):
        raise ValueError("bernoulli: probabilities must be in [0, 1]")
    dt = input.dtype if input.dtype.kind == "f" else np.dtype(np.float32)
    check_out(out, "bernoulli", dt, input.shape, input.requires_grad)
    data = (numpy_generator(generator, "bernoulli").random(input.shape) < probs).astype(dt)
    result = make(data, (input,), _zero_grads((input,)), "Bernoulli", SAVES_NOTHING)
    return write_out(result, out, "bernoulli")


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise)."""
    from .creation import _before_draw, _finish
    from .tensor import _resolve_dtype
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    dt = _resolve_dtype(dtype) or np.dtype(np.int64)
    _before_draw((int(n),), dt, requires_grad, device, out, "randperm")
    perm = numpy_generator(generator, "randperm").permutation(int(n)).astype(dt)
    return _finish(perm, requires_grad, device, out, "randperm")


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    """Uniform on [0, 1), shaped like ``input`` (its dtype unless ``dtype`` is given)."""
    from .creation import _like_dtype, rand
    return rand(*input.shape, dtype=_like_dtype(input, dtype), device=device,
                requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    """Standard normal, shaped like ``input`` (its dtype unless ``dtype`` is given)."""
    from .creation import _like_dtype, randn
    return randn(*input.shape, dtype=_like_dtype(input, dtype), device=device,
                 requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """Integers on ``[low, high)`` (``randint_like(input, high)`` means low=0), shaped like
    ``input`` and in its dtype unless ``dtype`` is given."""
    from .creation import _like_dtype, randint
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=_like_dtype(input, dtype),
                   device=device, requires_grad=requires_grad, generator=generator)


def fill_random_(tensor, name, generator, draw):
    """Fill ``tensor`` in place with ``draw(rng, shape)``, ``rng`` the numpy Generator of
    ``generator``, as PyTorch's ``uniform_`` & co.: an in-place write with constant values
    (refused on a leaf that requires grad while gradients are recorded; the version counter
    moves)."""
    from ._inplace import write_region
    rng = numpy_generator(generator, name)

    def apply(a):
        # Drawn only once the write has passed its checks: a refused call leaves the
        # generator where it was.
        if not a.flags.writeable:
            raise ValueError("read-only")
        np.copyto(a, draw(rng, a.shape), casting="unsafe")

    return write_region(tensor, name, (), _CONSTANT, apply)


#: The value ``fill_random_`` hands to ``write_region``: a constant (the drawn values need
#: no gradient and the write's backward never reads them).
_CONSTANT = Tensor._wrap(np.zeros(()))
