"""Line searches for the second-order optimizers, on flat numpy vectors.

* :func:`strong_wolfe`: the bracketing/zoom search of ``torch.optim.LBFGS``
  (``line_search_fn='strong_wolfe'``), itself a port of minFunc's / torch7's ``lswolfe``.
  Kept line for line with PyTorch so that minigrad's L-BFGS takes the same steps.
* :func:`backtracking_armijo`: the plain sufficient-decrease search used by ``Newton`` and
  ``NewtonCG``: try ``t = t0, t0*shrink, t0*shrink^2, ...`` until
  ``f(x + t d) <= f(x) + c1 * t * <g, d>``.

The objective is passed as a callable; the searches never touch parameters themselves.
"""
import math

import numpy as np


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through ``(x1, f1, g1)`` and ``(x2, f2, g2)``, clipped to
    ``bounds`` (default: the interval between the points); the midpoint if the cubic has no
    minimiser (negative discriminant).

    With ``d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2)`` and ``d2 = sqrt(d1^2 - g1 g2)``::

        t = x2 - (x2 - x1) * (g2 + d2 - d1) / (g2 - g1 + 2 d2)      (x1 <= x2)
    """
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                 max_ls=25):
    """Find a step ``t`` along ``d`` satisfying the strong Wolfe conditions::

        f(x + t d) <= f + c1 t <g, d>          (sufficient decrease)
        |<g(x + t d), d>| <= -c2 <g, d>         (curvature)

    Phase 1 extrapolates (cubic interpolation, ``t`` grows by at most 10x per trial) until the
    conditions hold or an interval containing such a point is bracketed; phase 2 (zoom)
    shrinks the bracket by safeguarded cubic interpolation. At most ``max_ls`` evaluations.

    ``obj_func(x, t, d)`` returns ``(f(x + t d), grad f(x + t d))`` (a new array) and leaves
    the parameters at ``x``. Returns ``(f_new, g_new, t, ls_func_evals)``.
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = np.dot(g_new, d)

    # Bracket an interval containing a point satisfying the Wolfe criteria.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, g_new.copy()]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        # Extrapolate: cubic step, kept between 1.01x the last increment and 10x.
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1

    if ls_iter >= max_ls:
        # Out of evaluations while extrapolating: fall back to [0, t]. (PyTorch tests
        # ``==``; ``>=`` also covers a non-positive budget, where PyTorch fails.)
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom: refine the bracket until a point satisfies the conditions.
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break  # the bracket is too small to matter
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # A trial too close to an end of the bracket makes little progress: if that
        # happened twice, or t fell outside, move it to 10% of the bracket from the end.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # No sufficient decrease, or not below the low end: t becomes the high end.
            bracket[high_pos] = t
            bracket_f[high_pos] = f_new
            bracket_g[high_pos] = g_new.copy()
            bracket_gtd[high_pos] = gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # The old high end becomes the low end.
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos] = t
            bracket_f[low_pos] = f_new
            bracket_g[low_pos] = g_new.copy()
            bracket_gtd[low_pos] = gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def backtracking_armijo(phi, f0, gtd, t0=1.0, c1=1e-4, shrink=0.5, max_ls=30):
    """Largest ``t`` in ``t0, t0*shrink, t0*shrink^2, ...`` with sufficient decrease::

        phi(t) <= f0 + c1 * t * gtd          (phi(t) = f(x + t d), gtd = <g, d> < 0)

    A non-finite ``phi(t)`` counts as a failure (the step left the function's domain).
    Returns ``(t, phi(t), evaluations, accepted)``; when no trial is accepted within
    ``max_ls`` evaluations, ``accepted`` is False and the caller should not move.
    """
    t = t0
    f_new = math.inf
    for evals in range(1, max_ls + 1):
        f_new = phi(t)
        if math.isfinite(f_new) and f_new <= f0 + c1 * t * gtd:
            return t, f_new, evals, True
        t *= shrink
    return t, f_new, max_ls, False
