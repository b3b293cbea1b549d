"""Prodigy: Adam whose step size ``d`` is estimated on the fly (learning-rate free)."""
import math

import numpy as np

from .._storage import bump
from .optimizer import Optimizer, _kernels, check_betas, check_range, check_real, empty_buffer


class Prodigy(Optimizer):
    r"""Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
    Learner"), with the arguments, defaults and numbers of the ``prodigyopt`` package.

    Adam's learning rate is replaced by ``d * lr`` with ``lr = 1``: ``d`` estimates the distance
    from the initial weights ``p0`` to the solution, from how far the weights have moved along
    the accumulated gradients. It starts tiny (``d0``) and only grows, so the first steps are a
    built-in warm-up. Leave ``lr`` at 1 (scale it, or ``d_coef``, to tune).

    Per step, with gradient ``g`` (``g + weight_decay * p`` if not ``decouple``), ``d`` from
    the previous step, ``dlr = d * lr * bc`` (``bc = sqrt(1 - beta2^(k+1)) / (1 - beta1^(k+1))``
    with ``use_bias_correction``, else 1) and ``beta3 = sqrt(beta2)`` unless given::

        m = beta1 * m + d (1 - beta1) g
        v = beta2 * v + d^2 (1 - beta2) g^2
        s = beta3 * s + (d / d0) dlr g                 ((d / d0) d g if safeguard_warmup)
        r = beta3 * r + (d / d0) dlr <g, p0 - p>       (a sum over ALL parameters)
        d_hat = d_coef * r / sum |s|                    (sums over ALL parameters)
        d = max(d, d_hat) while d == d0;  d_max = max(d_max, d_hat);  d = min(d_max, d * growth_rate)
        p = p - weight_decay * dlr * p                 (if decouple)
        p = p - dlr * m / (sqrt(v) + d eps)             (beta1 > 0; else dlr * d * g / (...))

    **The kernel shape.** ``r`` and ``sum |s|`` are reductions over every parameter, and the
    update needs the new ``d``: a step is a reduction pass (one fused kernel per run: moments,
    ``s`` and both partial sums, in float64) and then an update pass (one fused kernel per run).
    With ``slice_p > 1``, ``s`` and ``p0`` keep every ``slice_p``-th element of each tensor (as
    prodigyopt) and that part of the first pass runs in numpy.

    As in prodigyopt: ``d``, ``d_max``, ``d_numerator``, ``k`` (and after a step ``d_hat``,
    ``d_denom``) live in the param groups, the first group's ``betas``, ``d_coef``,
    ``growth_rate``, ``use_bias_correction`` and ``safeguard_warmup`` count for all, and every
    group's ``lr`` must equal the largest or be 0 (a group with ``lr = 0`` is left out of the
    estimate). A step with no gradient anywhere (``sum |s| == 0``) changes nothing. Unlike it,
    the gradient is never modified in place, and ``p0`` is stored even for all-zero tensors.
    prodigyopt's ``fsdp_in_use`` (sharded training) is not taken.

    Args: ``lr=1.0``, ``betas=(0.9, 0.999)``, ``beta3=None``, ``eps=1e-8``,
    ``weight_decay=0``, ``decouple=True``, ``use_bias_correction=False``,
    ``safeguard_warmup=False``, ``d0=1e-6``, ``d_coef=1.0``, ``growth_rate=inf``,
    ``slice_p=1``; ``parallel``, ``parallel_threshold``. State per parameter: ``step``, ``s``,
    ``p0``, ``exp_avg`` (beta1 > 0), ``exp_avg_sq``.
    """

    _kernel = "prodigy"

    def __init__(self, params, lr=1.0, betas=(0.9, 0.999), beta3=None, eps=1e-8,
                 weight_decay=0, decouple=True, use_bias_correction=False,
                 safeguard_warmup=False, d0=1e-6, d_coef=1.0, growth_rate=float("inf"),
                 slice_p=1, *, parallel=None, parallel_threshold=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        beta3=beta3, eps=eps, weight_decay=weight_decay, d=d0, d0=d0,
                        d_max=d0, d_numerator=0.0, d_coef=d_coef, k=0,
                        growth_rate=growth_rate, use_bias_correction=use_bias_correction,
                        decouple=decouple, safeguard_warmup=safeguard_warmup, slice_p=slice_p)
        super().__init__(params, defaults, parallel, parallel_threshold)

    def _validate(self, group):
        check_range("d0 value", group["d0"], lo_open=True)
        check_range("learning rate", group["lr"])
        check_range("epsilon value", group["eps"], lo_open=True)
        check_betas(group["betas"])
        if group["beta3"] is not None:
            check_range("beta3 value", group["beta3"], 0.0, 1.0)
        check_range("weight_decay value", group["weight_decay"])
        check_range("d_coef value", group["d_coef"], lo_open=True)
        check_range("growth_rate value", group["growth_rate"], 1.0, float("inf"),
                    hi_open=False)
        slice_p = group["slice_p"]
        check_real("slice_p", slice_p)
        if isinstance(slice_p, bool) or not float(slice_p).is_integer() or slice_p < 1:
            raise ValueError(f"Invalid slice_p: {slice_p} (must be a positive integer)")

    def _new_state(self, fb, k, group):
        start, stop = fb.span(k, k + 1)
        state = {"step": 0, "exp_avg_sq": self._state_view(fb, k, "exp_avg_sq")}
        if group["betas"][0] > 0:
            state["exp_avg"] = self._state_view(fb, k, "exp_avg")
        slice_p = int(group["slice_p"])
        if slice_p == 1:
            state["s"] = self._state_view(fb, k, "s").reshape(-1)
            state["p0"] = self._state_view(fb, k, "p0").reshape(-1)
            state["p0"][...] = fb.span_values(start, stop)
        else:
            state["p0"] = fb.span_values(start, stop)[::slice_p].copy()
            state["s"] = np.zeros_like(state["p0"])
        fb.end_span()
        return state

    _run_key = staticmethod(lambda state: 0)

    def _state_shape(self, name, shape, group):
        if name in ("s", "p0"):  # flat, every slice_p-th element, as prodigyopt
            slice_p = int(group["slice_p"])
            return (-(-int(np.prod(shape)) // slice_p),)
        return shape

    def step(self, closure=None):
        """One Prodigy step over all groups: the reduction pass, ``d``, the update pass."""
        self._opt_called = True
        loss = None
        if closure is not None:
            from ..grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        # Every group's hyperparameters and gradients, and the groups' lrs, are checked
        # before anything (state, d, the parameters) changes: a step that raises changes nothing.
        runs_per_buffer = self._check_step()
        kernels = _kernels().KERNELS
        first = self.param_groups[0]
        beta1, beta2 = first["betas"]
        beta3 = first["beta3"] if first["beta3"] is not None else math.sqrt(beta2)
        k, d, d_max = first["k"], first["d"], first["d_max"]
        lr = max(group["lr"] for group in self.param_groups)
        bias_correction = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1)) \
            if first["use_bias_correction"] else 1
        dlr = d * lr * bias_correction
        d_numerator = first["d_numerator"] * beta3
        for group in self.param_groups:
            if group["lr"] not in (lr, 0.0):
                raise RuntimeError("Setting different lr values in different parameter groups "
                                   f"is only supported for values of 0 (got {group['lr']} "
                                   f"beside {lr})")
        runs = []
        for group, flats, runs_of in zip(self.param_groups, self._flats, runs_per_buffer):
            for fb, fb_runs in zip(flats, runs_of):
                for k0, k1 in fb_runs:
                    for kk in range(k0, k1):
                        if not self.state.get(fb.params[kk]):
                            self.state[fb.params[kk]] = self._new_state(fb, kk, group)
                    runs.append((group, fb, k0, k1))
        delta_numerator, d_denom = 0.0, 0.0
        serial, parallel = kernels["prodigy_accumulate"]
        for group, fb, k0, k1 in runs:
            if group["lr"] <= 0.0:
                continue
            d0 = group["d0"]
            s_coef = (d / d0) * (d if first["safeguard_warmup"] else dlr)
            hp = self._scalars(fb.dtype, beta1, d * (1 - beta1), beta2, d * d * (1 - beta2),
                               beta3, s_coef, group["weight_decay"])
            l2 = group["weight_decay"] != 0 and not group["decouple"]
            start, stop = fb.span(k0, k1)
            sliced = int(group["slice_p"]) != 1
            kernel = self._pick_kernel(serial, parallel, stop - start)
            empty = empty_buffer(fb.dtype)
            values = fb.span_values(start, stop)
            num, den = kernel(
                values, fb.grad[start:stop],
                empty if sliced else fb.buffers["p0"][start:stop],
                fb.buffers["exp_avg"][start:stop] if beta1 > 0 else empty,
                fb.buffers["exp_avg_sq"][start:stop],
                empty if sliced else fb.buffers["s"][start:stop], hp, l2, beta1 > 0,
                not sliced)
            if sliced:
                num, den = self._sliced_sums(group, fb, k0, k1, beta3, s_coef, values, start)
            fb.end_span()
            delta_numerator += (d / d0) * dlr * num
            d_denom += den
        if d_denom == 0:
            return loss
        d_hat = d
        global_d_numerator = d_numerator + delta_numerator
        if lr > 0.0:
            d_hat = first["d_coef"] * global_d_numerator / d_denom
            if d == first["d0"]:
                d = max(d, d_hat)
            d_max = max(d_max, d_hat)
            d = min(d_max, d * first["growth_rate"])
        for group in self.param_groups:
            group.update(d_numerator=global_d_numerator, d_denom=d_denom, d=d, d_max=d_max,
                         d_hat=d_hat)
        serial, parallel = kernels["prodigy_apply"]
        for group, fb, k0, k1 in runs:
            decay = group["weight_decay"]
            decouple = decay != 0 and group["decouple"]
            step = -dlr if beta1 > 0 else -dlr * d
            hp = self._scalars(fb.dtype, d * group["eps"], -decay * dlr if decouple else 0.0,
                               step, decay)
            start, stop = fb.span(k0, k1)
            kernel = self._pick_kernel(serial, parallel, stop - start)
            kernel(fb.span_values(start, stop), fb.grad[start:stop],
                   fb.buffers["exp_avg"][start:stop] if beta1 > 0 else empty_buffer(fb.dtype),
                   fb.buffers["exp_avg_sq"][start:stop], hp,
                   decay != 0 and not group["decouple"], beta1 > 0)
            fb.end_span()
            for p in fb.params[k0:k1]:
                self.state[p]["step"] += 1
                bump(p)
        for group in self.param_groups:
            group["k"] += 1
        return loss

    def _sliced_sums(self, group, fb, k0, k1, beta3, s_coef, values, start):
        # slice_p > 1: s and p0 hold every slice_p-th element of each tensor (numpy).
        # ``values``: the run's parameter values, elements ``start:...``.
        slice_p = int(group["slice_p"])
        num = den = 0.0
        for kk in range(k0, k1):
            state = self.state[fb.params[kk]]
            a, b = fb.span(kk, kk + 1)
            g = fb.grad[a:b][::slice_p]
            p = values[a - start:b - start][::slice_p]
            if group["weight_decay"] != 0 and not group["decouple"]:
                g = g + group["weight_decay"] * p
            num += float(np.dot(g.astype(np.float64), (state["p0"] - p).astype(np.float64)))
            state["s"][...] = state["s"] * beta3 + s_coef * g
            den += float(np.abs(state["s"]).astype(np.float64).sum())
        return num, den
