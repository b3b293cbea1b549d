"""The same random numbers in both runs of a corpus script.

torch and minigrad draw from different generators (Mersenne Twister vs numpy's PCG64), so a
seeded script gets different initial weights and data in the two runs. This hook, installed
identically in both runs (by the driver, before the script starts), replaces the *public*
random entry points of whichever library ``torch`` names with draws from one numpy stream,
written against the public torch API only (``torch.tensor``, ``Tensor.copy_``, ...). Both runs
then see the same numbers, and their printed results and final parameters can be compared.

Rules that keep the comparison fair:
* it only replaces attributes the library already has (it never adds a missing feature);
* every replacement is the same Python code in both runs, drawing the same numbers in the
  same order; the library's own computations are untouched;
* ``torch.manual_seed(s)`` also re-seeds the shared stream with ``s``; a ``generator=``
  argument draws from a stream of its own, seeded from ``generator.initial_seed()``.

``torch.empty``/``empty_like`` (uninitialised memory) become zeros in both runs, for the same
reason.

Randomness that does not pass through these entry points (e.g. a sampler inside a library
drawing from its own generator) is not shared: the runner then reports the script as "runs,
numbers not comparable" when the numbers differ.
"""
import math

import numpy as np

_DEFAULT_SEED = 0


class SharedRandom:
    def __init__(self, torch, seed=_DEFAULT_SEED, perturb=False):
        self.torch = torch
        self.rng = np.random.default_rng(seed)
        self.generators = {}  # id(generator) -> (initial_seed, numpy Generator)
        # the runner's sensitivity run: every random float off by a few float32 ulps
        self.noise = np.random.default_rng(12345) if perturb else None

    def perturbed(self, arr):
        if self.noise is None or arr.dtype.kind != "f":
            return arr
        return arr * (1.0 + 2.0 ** -22 * self.noise.uniform(-1.0, 1.0, arr.shape))

    # ----- streams --------------------------------------------------------------------
    def stream(self, generator=None):
        if generator is None:
            return self.rng
        seed = generator.initial_seed()
        key = id(generator)
        known = self.generators.get(key)
        if known is None or known[0] != seed:
            known = (seed, np.random.default_rng(seed))
            self.generators[key] = known
        return known[1]

    # ----- tensors from numpy, through the public API -----------------------------------
    def make(self, arr, dtype=None, requires_grad=False, device=None, out=None):
        torch = self.torch
        if dtype is None:
            dtype = torch.get_default_dtype() if arr.dtype.kind == "f" else torch.int64
        kwargs = {"dtype": dtype}
        if device is not None:
            kwargs["device"] = device
        t = torch.tensor(self.perturbed(arr), **kwargs)
        if requires_grad:
            t.requires_grad_(True)
        if out is not None:
            with torch.no_grad():
                out.copy_(t)
            return out
        return t

    def fill(self, tensor, arr):
        with self.torch.no_grad():
            tensor.copy_(self.torch.tensor(self.perturbed(arr), dtype=tensor.dtype))
        return tensor


def _size(args, kwargs):
    if "size" in kwargs:
        size = kwargs.pop("size")
        return tuple(size) if isinstance(size, (tuple, list)) or hasattr(size, "__len__") else (size,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(int(s) for s in args[0])
    return tuple(int(s) for s in args)


def _fans(shape):
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def install(torch, seed=_DEFAULT_SEED, perturb=False):
    """Replace the random entry points of ``torch`` (the real one or the alias). With
    ``perturb``, every random float is off by a few float32 ulps (the runner's sensitivity
    run: how far float32 rounding alone moves the script's results)."""
    sr = SharedRandom(torch, seed, perturb)
    replaced = {}

    def replace(owner, name, fn):
        if hasattr(owner, name):
            replaced[(owner, name)] = getattr(owner, name)
            setattr(owner, name, fn)

    original_manual_seed = torch.manual_seed

    def manual_seed(s):
        sr.rng = np.random.default_rng(int(s))
        return original_manual_seed(s)

    def rand(*size, generator=None, dtype=None, requires_grad=False, device=None, out=None, **kw):
        shape = _size(size, kw)
        return sr.make(sr.stream(generator).random(shape), dtype, requires_grad, device, out)

    def randn(*size, generator=None, dtype=None, requires_grad=False, device=None, out=None, **kw):
        shape = _size(size, kw)
        return sr.make(sr.stream(generator).standard_normal(shape), dtype, requires_grad, device, out)

    def randint(*args, size=None, generator=None, dtype=None, requires_grad=False, device=None,
                out=None, low=None, high=None):
        args = list(args)
        if low is None and high is None:
            if len(args) >= 2 and not isinstance(args[1], (tuple, list)):
                low, high = args[0], args[1]
                rest = args[2:]
            else:
                low, high = 0, args[0]
                rest = args[1:]
        else:
            low = 0 if low is None else low
            rest = args
        if size is None:
            size = rest[0]
        arr = sr.stream(generator).integers(int(low), int(high), size=tuple(size))
        return sr.make(arr, dtype or torch.int64, requires_grad, device, out)

    def randperm(n, generator=None, dtype=None, requires_grad=False, device=None, out=None, **kw):
        arr = sr.stream(generator).permutation(int(n))
        return sr.make(arr, dtype or torch.int64, requires_grad, device, out)

    def _array(x):
        return np.asarray(x.detach()) if hasattr(x, "detach") else np.asarray(x, dtype=np.float64)

    def normal(mean=0.0, std=1.0, *args, size=None, generator=None, dtype=None, out=None,
               requires_grad=False, device=None):
        if args:
            size = args[0]
        m, s = _array(mean), _array(std)
        shape = tuple(size) if size is not None else np.broadcast_shapes(m.shape, s.shape)
        arr = m + s * sr.stream(generator).standard_normal(shape)
        like = mean if hasattr(mean, "dtype") else std if hasattr(std, "dtype") else None
        return sr.make(arr, dtype or (like.dtype if like is not None else None), requires_grad,
                       device, out)

    def like(draw):
        def fn(input, *args, dtype=None, requires_grad=False, generator=None, **kw):
            arr = draw(sr.stream(generator), tuple(input.shape), *args)
            return sr.make(arr, dtype or input.dtype, requires_grad)
        return fn

    def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
        p = _array(input).astype(np.float64)
        rows = p.reshape(-1, p.shape[-1])
        rng = sr.stream(generator)
        if replacement:
            cdf = np.cumsum(rows, axis=1)
            cdf /= cdf[:, -1:]
            u = rng.random((rows.shape[0], num_samples))
            idx = np.stack([np.minimum(np.searchsorted(c, r, side="right"), rows.shape[1] - 1)
                            for c, r in zip(cdf, u)])
        else:
            with np.errstate(divide="ignore"):
                keys = rng.standard_exponential(rows.shape) / rows
            idx = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
        return sr.make(idx.reshape(p.shape[:-1] + (num_samples,)), torch.int64, out=out)

    def bernoulli(input, p=None, *, generator=None, out=None):
        prob = _array(input) if p is None else np.full(tuple(input.shape), float(p))
        arr = (sr.stream(generator).random(prob.shape) < prob).astype(np.float64)
        return sr.make(arr, input.dtype, out=out)

    for name, fn in [("manual_seed", manual_seed), ("rand", rand), ("randn", randn),
                     ("randint", randint), ("randperm", randperm), ("normal", normal),
                     ("multinomial", multinomial), ("bernoulli", bernoulli),
                     ("rand_like", like(lambda r, s: r.random(s))),
                     ("randn_like", like(lambda r, s: r.standard_normal(s))),
                     ("randint_like", like(_randint_like))]:
        replace(torch, name, fn)
    # uninitialised memory is nondeterministic: zeros in both runs (minigrad's empty is zeros)
    def empty(*size, memory_format=None, **kw):
        return torch.zeros(*size, **kw)

    def empty_like(input, *, memory_format=None, **kw):
        return torch.zeros_like(input, **kw)

    replace(torch, "empty", empty)
    replace(torch, "empty_like", empty_like)
    _install_init(torch, sr, replace)
    _install_tensor_methods(torch, sr, replace)
    _install_dropout(torch, sr, replace)
    _install_sampler(torch, sr, replace)
    return replaced


def _randint_like(rng, shape, low, high=None):
    if high is None:
        low, high = 0, low
    return rng.integers(int(low), int(high), size=shape)


def _install_init(torch, sr, replace):
    init = getattr(getattr(torch, "nn", None), "init", None)
    if init is None:
        return

    def gain(nonlinearity, param=None):
        return init.calculate_gain(nonlinearity, param)

    def uniform_(tensor, a=0.0, b=1.0, generator=None):
        return sr.fill(tensor, a + (b - a) * sr.stream(generator).random(tuple(tensor.shape)))

    def normal_(tensor, mean=0.0, std=1.0, generator=None):
        return sr.fill(tensor, mean + std * sr.stream(generator).standard_normal(tuple(tensor.shape)))

    def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
        rng = sr.stream(generator)
        vals = mean + std * rng.standard_normal(tuple(tensor.shape))
        bad = (vals < a) | (vals > b)
        while bad.any():
            vals[bad] = mean + std * rng.standard_normal(int(bad.sum()))
            bad = (vals < a) | (vals > b)
        return sr.fill(tensor, vals)

    def _fan(tensor, mode):
        fan_in, fan_out = _fans(tuple(tensor.shape))
        return fan_in if mode == "fan_in" else fan_out

    def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        bound = gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
        return uniform_(tensor, -bound, bound, generator)

    def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
        return normal_(tensor, 0.0, gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)), generator)

    def xavier_uniform_(tensor, gain=1.0, generator=None):
        fan_in, fan_out = _fans(tuple(tensor.shape))
        bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
        return uniform_(tensor, -bound, bound, generator)

    def xavier_normal_(tensor, gain=1.0, generator=None):
        fan_in, fan_out = _fans(tuple(tensor.shape))
        return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)

    for name, fn in [("uniform_", uniform_), ("normal_", normal_), ("trunc_normal_", trunc_normal_),
                     ("kaiming_uniform_", kaiming_uniform_), ("kaiming_normal_", kaiming_normal_),
                     ("xavier_uniform_", xavier_uniform_), ("xavier_normal_", xavier_normal_)]:
        replace(init, name, fn)


def _install_tensor_methods(torch, sr, replace):
    cls = torch.Tensor

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return sr.fill(self, a + (b - a) * sr.stream(generator).random(tuple(self.shape)))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return sr.fill(self, mean + std * sr.stream(generator).standard_normal(tuple(self.shape)))

    replace(cls, "uniform_", uniform_)
    replace(cls, "normal_", normal_)


def _install_dropout(torch, sr, replace):
    F = getattr(getattr(torch, "nn", None), "functional", None)
    if F is None or not hasattr(F, "dropout"):
        return
    original = F.dropout

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or p == 0.0:
            return original(input, p, training)
        if p == 1.0:
            return input * 0.0
        keep = sr.rng.random(tuple(input.shape)) >= p
        scale = sr.make((keep / (1.0 - p)).astype(np.float64), input.dtype)
        return input * scale

    replace(F, "dropout", dropout)


def _install_sampler(torch, sr, replace):
    data = getattr(getattr(torch, "utils", None), "data", None)
    sampler = getattr(data, "RandomSampler", None) if data is not None else None
    if sampler is None:
        return
    original = sampler.__iter__

    def __iter__(self):
        if getattr(self, "replacement", False) or getattr(self, "_num_samples", None) not in (None, len(self.data_source)):
            yield from original(self)
            return
        yield from sr.stream(getattr(self, "generator", None)).permutation(len(self.data_source)).tolist()

    replace(sampler, "__iter__", __iter__)
