"""Matrix functions and decompositions: float64 gradient checks (first and second order),
values and gradients against PyTorch, and error cases. Decompositions defined up to sign
(qr, svd, eigh) are compared through sign-invariant quantities."""
import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape)


def spd(n, batch=()):
    x = rand(*batch, n, n)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def leaf(x):
    return mg.tensor(np.array(x, dtype=np.float64), requires_grad=True)


def sym(x):
    """A symmetric function of a free matrix, so that checks perturb both triangles."""
    return x + x.mT


# ----- gradient checks: one entry per op, (function, input arrays) -------------------------
CASES = {
    "inv": (lambda a: mg.linalg.inv(a), [rand(2, 3, 3) + 3 * np.eye(3)]),
    "inverse": (lambda a: mg.inverse(a), [rand(3, 3) + 3 * np.eye(3)]),
    "det": (lambda a: mg.det(a), [rand(2, 3, 3)]),
    "slogdet": (lambda a: mg.linalg.slogdet(a).logabsdet, [rand(2, 3, 3)]),
    "logdet": (lambda a: mg.logdet(a), [spd(3)]),
    "solve": (lambda a, b: mg.linalg.solve(a, b), [rand(2, 3, 3) + 3 * np.eye(3), rand(3, 2)]),
    "solve_vec": (lambda a, b: mg.linalg.solve(a, b), [rand(3, 3) + 3 * np.eye(3), rand(3)]),
    "solve_right": (lambda a, b: mg.linalg.solve(a, b, left=False),
                    [rand(3, 3) + 3 * np.eye(3), rand(2, 3)]),
    "tri_lower": (lambda a, b: mg.linalg.solve_triangular(a, b, upper=False),
                  [rand(3, 3) + 3 * np.eye(3), rand(3, 2)]),
    "tri_upper_right_unit": (lambda a, b: mg.linalg.solve_triangular(
        a, b, upper=True, left=False, unitriangular=True), [rand(3, 3), rand(2, 3)]),
    "cholesky": (lambda a: mg.linalg.cholesky(sym(a) + 6 * mg.eye(3, dtype=mg.float64)),
                 [rand(3, 3)]),
    "cholesky_upper": (lambda a: mg.cholesky(sym(a) + 6 * mg.eye(3, dtype=mg.float64),
                                             upper=True), [rand(2, 3, 3)]),
    "cholesky_solve": (lambda b, l: mg.cholesky_solve(b, l.tril()),
                       [rand(3, 2), rand(3, 3) + 3 * np.eye(3)]),
    "cholesky_inverse": (lambda l: mg.cholesky_inverse(l.triu(), upper=True),
                         [rand(3, 3) + 3 * np.eye(3)]),
    "qr_tall": (lambda a: tuple(mg.linalg.qr(a)), [rand(4, 3)]),
    "qr_wide": (lambda a: tuple(mg.linalg.qr(a)), [rand(2, 4)]),
    "qr_square_complete": (lambda a: tuple(mg.linalg.qr(a, "complete")), [rand(2, 3, 3)]),
    "svd_tall": (lambda a: _svd_invariants(mg.linalg.svd(a, full_matrices=False)), [rand(4, 3)]),
    "svd_wide": (lambda a: _svd_invariants(mg.linalg.svd(a, full_matrices=False)), [rand(3, 4)]),
    "svd_full": (lambda a: _svd_invariants(_first_columns(mg.linalg.svd(a))), [rand(4, 3)]),
    "svdvals": (lambda a: mg.linalg.svdvals(a), [rand(2, 3, 4)]),
    "legacy_svd": (lambda a: _svd_invariants(mg.svd(a)[:2] + (mg.svd(a).V.mT,)), [rand(3, 3)]),
    "eigh": (lambda a: _eigh_invariants(mg.linalg.eigh(sym(a))), [rand(3, 3)]),
    "eigvalsh": (lambda a: mg.linalg.eigvalsh(sym(a), UPLO="U"), [rand(2, 3, 3)]),
    "pinv_tall": (lambda a: mg.linalg.pinv(a), [rand(4, 3)]),
    "pinv_wide": (lambda a: mg.pinverse(a), [rand(2, 4)]),
    "lstsq": (lambda a, b: mg.linalg.lstsq(a, b).solution, [rand(4, 2), rand(4, 2)]),
    "matrix_power": (lambda a: mg.linalg.matrix_power(a, 3), [rand(3, 3)]),
    "matrix_power_neg": (lambda a: mg.matrix_power(a, -2), [rand(3, 3) + 3 * np.eye(3)]),
    "multi_dot": (lambda a, b, c: mg.linalg.multi_dot([a, b, c]), [rand(3), rand(3, 4), rand(4, 2)]),
}


def _svd_invariants(usv):
    # |U| and |V| entries squared do not depend on the singular vectors' signs
    U, S, Vh = usv
    return U * U, S, Vh * Vh


def _first_columns(usv):
    # full_matrices' extra columns of U are arbitrary: only the first k are a function of A
    U, S, Vh = usv
    return U[:, :S.shape[-1]], S, Vh


def _eigh_invariants(lv):
    return lv.eigenvalues, lv.eigenvectors * lv.eigenvectors


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, arrays = CASES[name]
    assert mg.gradcheck(fn, tuple(leaf(a) for a in arrays))


SECOND_ORDER = ["inv", "det", "slogdet", "solve", "solve_right", "tri_lower",
                "tri_upper_right_unit", "cholesky", "qr_tall", "qr_wide", "svd_tall",
                "svd_wide", "eigh", "pinv_tall", "pinv_wide", "matrix_power_neg",
                "cholesky_inverse"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck(name):
    fn, arrays = CASES[name]
    assert mg.gradgradcheck(fn, tuple(leaf(a) for a in arrays), atol=1e-4)


# ----- PyTorch parity: values and gradients ----------------------------------------------
TORCH_CASES = {
    "inv": ("linalg.inv", "linalg.inv", [rand(2, 3, 3) + 3 * np.eye(3)], {}),
    "inverse": ("inverse", "inverse", [rand(3, 3) + 3 * np.eye(3)], {}),
    "det": ("linalg.det", "linalg.det", [rand(2, 3, 3)], {}),
    "det_top": ("det", "det", [rand(4, 4)], {}),
    "logdet": ("logdet", "logdet", [spd(3, (2,))], {}),
    "solve": ("linalg.solve", "linalg.solve", [rand(2, 3, 3) + 3 * np.eye(3), rand(1, 3, 2)], {}),
    "solve_vec": ("linalg.solve", "linalg.solve", [rand(2, 3, 3) + 3 * np.eye(3), rand(2, 3)], {}),
    "solve_left_false": ("linalg.solve", "linalg.solve", [rand(3, 3) + 3 * np.eye(3), rand(2, 3)],
                         {"left": False}),
    "tri": ("linalg.solve_triangular", "linalg.solve_triangular",
            [rand(3, 3) + 3 * np.eye(3), rand(2, 3, 2)], {"upper": True}),
    "tri_unit_right": ("linalg.solve_triangular", "linalg.solve_triangular",
                       [rand(3, 3), rand(2, 3)], {"upper": False, "left": False,
                                                  "unitriangular": True}),
    "cholesky": ("linalg.cholesky", "linalg.cholesky", [spd(3, (2,))], {}),
    "cholesky_upper": ("cholesky", "cholesky", [spd(4)], {"upper": True}),
    "cholesky_solve": ("cholesky_solve", "cholesky_solve",
                       [rand(3, 2), np.tril(rand(3, 3)) + 3 * np.eye(3)], {}),
    "cholesky_inverse": ("cholesky_inverse", "cholesky_inverse",
                         [np.tril(rand(3, 3)) + 3 * np.eye(3)], {}),
    "pinv": ("linalg.pinv", "linalg.pinv", [rand(2, 4, 3)], {}),
    "pinv_hermitian": ("linalg.pinv", "linalg.pinv", [spd(3)], {"hermitian": True}),
    "pinverse": ("pinverse", "pinverse", [rand(3, 5)], {}),
    "matrix_power": ("linalg.matrix_power", "linalg.matrix_power", [rand(2, 3, 3)], {"n": 5}),
    "matrix_power_neg": ("matrix_power", "matrix_power", [rand(3, 3) + 3 * np.eye(3)], {"n": -3}),
    "svdvals": ("linalg.svdvals", "linalg.svdvals", [rand(2, 4, 3)], {}),
    "eigvalsh": ("linalg.eigvalsh", "linalg.eigvalsh", [rand(3, 3)], {"UPLO": "U"}),
}


def _get(mod, path):
    for part in path.split("."):
        mod = getattr(mod, part)
    return mod


def _outputs(out):
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("name", sorted(TORCH_CASES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    mg_name, t_name, arrays, kw = TORCH_CASES[name]
    arrays = [a.astype(dtype) for a in arrays]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    o = _outputs(_get(mg, mg_name)(*ours, **kw))
    t = _outputs(_get(torch, t_name)(*theirs, **kw))
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-10)
    weights = [rand(*x.shape) for x in t]
    for a, b in zip(o, t):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **tol)
    sum(((a * mg.tensor(w.astype(dtype))).sum() for a, w in zip(o, weights))).backward()
    sum(((b * torch.tensor(w.astype(dtype))).sum() for b, w in zip(t, weights))).backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)


@pytest.mark.parametrize("shape,mode", [((4, 3), "reduced"), ((3, 5), "reduced"),
                                        ((2, 3, 3), "complete"), ((3, 5), "complete")])
def test_qr_matches_torch(shape, mode):
    torch = pytest.importorskip("torch")
    x = rand(*shape)
    a, t = leaf(x), torch.tensor(x, requires_grad=True)
    Q, R = mg.linalg.qr(a, mode)
    tQ, tR = torch.linalg.qr(t, mode)
    np.testing.assert_allclose(Q.detach().numpy(), tQ.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(R.detach().numpy(), tR.detach().numpy(), atol=1e-12)
    w1, w2 = rand(*Q.shape), rand(*R.shape)
    ((Q * mg.tensor(w1)).sum() + (R * mg.tensor(w2)).sum()).backward()
    ((tQ * torch.tensor(w1)).sum() + (tR * torch.tensor(w2)).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("shape,full", [((4, 3), False), ((3, 4), False), ((4, 3), True),
                                        ((2, 3, 3), True)])
def test_svd_matches_torch(shape, full):
    torch = pytest.importorskip("torch")
    x = rand(*shape)
    a, t = leaf(x), torch.tensor(x, requires_grad=True)
    U, S, Vh = mg.linalg.svd(a, full_matrices=full)
    tU, tS, tVh = torch.linalg.svd(t, full_matrices=full)
    assert U.shape == tuple(tU.shape) and Vh.shape == tuple(tVh.shape)
    np.testing.assert_allclose(S.detach().numpy(), tS.detach().numpy(), rtol=1e-12)
    k = S.shape[-1]
    rebuilt = (U[..., :, :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
    np.testing.assert_allclose(rebuilt.detach().numpy(), x, atol=1e-12)
    w = [rand(*U.shape), rand(*S.shape), rand(*Vh.shape)]
    (((U * U) * mg.tensor(w[0])).sum() + (S * mg.tensor(w[1])).sum()
     + ((Vh * Vh) * mg.tensor(w[2])).sum()).backward()
    (((tU * tU) * torch.tensor(w[0])).sum() + (tS * torch.tensor(w[1])).sum()
     + ((tVh * tVh) * torch.tensor(w[2])).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-9)


def test_legacy_svd_and_qr_match_torch():
    torch = pytest.importorskip("torch")
    x = rand(4, 3)
    U, S, V = mg.svd(mg.tensor(x), some=False)
    tU, tS, tV = torch.svd(torch.tensor(x), some=False)
    assert (U.shape, V.shape) == (tuple(tU.shape), tuple(tV.shape)) == ((4, 4), (3, 3))
    np.testing.assert_allclose((U[:, :3] * S) @ V.mT, x, atol=1e-12)
    z = mg.svd(mg.tensor(x), compute_uv=False)
    assert not z.U.numpy().any() and z.U.shape == (4, 4) and z.V.shape == (3, 3)
    np.testing.assert_allclose(z.S.numpy(), tS.numpy(), rtol=1e-12)
    Q, R = mg.tensor(x).qr(some=False)
    assert Q.shape == (4, 4) and R.shape == (4, 3)
    np.testing.assert_allclose((Q @ R).numpy(), x, atol=1e-12)


def test_eigh_matches_torch():
    torch = pytest.importorskip("torch")
    x = rand(2, 4, 4)
    a, t = leaf(x), torch.tensor(x, requires_grad=True)
    L, V = mg.linalg.eigh(a, UPLO="U")
    tL, tV = torch.linalg.eigh(t, UPLO="U")
    np.testing.assert_allclose(L.detach().numpy(), tL.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.abs(V.detach().numpy()), np.abs(tV.detach().numpy()),
                               atol=1e-12)
    w1, w2 = rand(2, 4), rand(2, 4, 4)
    ((L * mg.tensor(w1)).sum() + (V * V * mg.tensor(w2)).sum()).backward()
    ((tL * torch.tensor(w1)).sum() + (tV * tV * torch.tensor(w2)).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_slogdet_and_logdet_signs_match_torch():
    torch = pytest.importorskip("torch")
    x = np.stack([rand(3, 3), -np.eye(3), np.diag([1.0, 1.0, 0.0])])
    s, la = mg.linalg.slogdet(mg.tensor(x))
    ts, tla = torch.linalg.slogdet(torch.tensor(x))
    np.testing.assert_array_equal(s.numpy(), ts.numpy())
    np.testing.assert_allclose(la.numpy(), tla.numpy(), rtol=1e-12)
    np.testing.assert_allclose(mg.logdet(mg.tensor(x)).numpy(),
                               torch.logdet(torch.tensor(x)).numpy(), rtol=1e-12)


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    # independent reference: the cofactors of a rank-2 3x3 matrix, by 2x2 minors
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    a = leaf(x)
    mg.det(a).backward()
    cof = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(x, i, 0), j, 1))
                     for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(a.grad.numpy(), cof, atol=1e-9)
    # (PyTorch 2.13 returns zeros here: a documented departure)


# ----- non-differentiable results, against numpy and PyTorch --------------------------------
def test_matrix_rank_against_numpy_and_torch():
    x = np.stack([rand(4, 3), rand(4, 1) @ rand(1, 3), np.zeros((4, 3))])
    r = mg.linalg.matrix_rank(mg.tensor(x))
    assert r.dtype == np.int64 and r.numpy().tolist() == [3, 1, 0]
    h = spd(3)
    h[:, 2] = h[2, :] = 0
    assert mg.linalg.matrix_rank(mg.tensor(h), hermitian=True).item() == 2
    assert mg.linalg.matrix_rank(mg.tensor(x), atol=1e9).numpy().tolist() == [0, 0, 0]
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(r.numpy(), torch.linalg.matrix_rank(torch.tensor(x)).numpy())


@pytest.mark.parametrize("driver", [None, "gelsd", "gels"])
def test_lstsq_fields_match_torch(driver):
    a, b = rand(2, 5, 3), rand(2, 5, 2)
    res = mg.linalg.lstsq(mg.tensor(a), mg.tensor(b), driver=driver)
    np.testing.assert_allclose(res.solution.numpy()[0], np.linalg.lstsq(a[0], b[0], rcond=None)[0],
                               rtol=1e-10)
    torch = pytest.importorskip("torch")
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for name in ("solution", "residuals", "rank", "singular_values"):
        ours, theirs = getattr(res, name).numpy(), getattr(t, name).numpy()
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, name
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_solve_vector_rule_and_multi_dot_against_numpy():
    a, b = rand(2, 3, 3) + 3 * np.eye(3), rand(2, 3)
    x = mg.linalg.solve(mg.tensor(a), mg.tensor(b))
    assert x.shape == (2, 3)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, b[..., None])[..., 0], rtol=1e-10)
    ms = [rand(3), rand(3, 5), rand(5, 2), rand(2)]
    out = mg.linalg.multi_dot([mg.tensor(m) for m in ms])
    assert out.shape == ()
    np.testing.assert_allclose(out.item(), np.linalg.multi_dot(ms), rtol=1e-10)
    p0 = mg.linalg.matrix_power(mg.tensor(rand(2, 3, 3)), 0)
    np.testing.assert_array_equal(p0.numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)))


def test_method_forms_and_result_types():
    a = mg.tensor(spd(3))
    assert type(mg.linalg.slogdet(a)).__name__ == "linalg_slogdet"
    assert mg.linalg.slogdet(a).sign.item() == 1.0
    assert type(mg.linalg.qr(a)).__name__ == "linalg_qr"
    assert mg.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert mg.svd(a)._fields == ("U", "S", "V") and mg.linalg.svd(a)._fields == ("U", "S", "Vh")
    np.testing.assert_allclose(a.inverse().numpy(), np.linalg.inv(a.numpy()), rtol=1e-10)
    np.testing.assert_allclose(a.det().item(), np.linalg.det(a.numpy()), rtol=1e-10)
    np.testing.assert_allclose(a.logdet().item(), np.log(np.linalg.det(a.numpy())), rtol=1e-10)
    L = a.cholesky()
    np.testing.assert_allclose((L @ L.mT).numpy(), a.numpy(), rtol=1e-10)
    np.testing.assert_allclose(L.cholesky_inverse().numpy(), np.linalg.inv(a.numpy()), rtol=1e-9)
    b = mg.tensor(rand(3, 2))
    np.testing.assert_allclose(b.cholesky_solve(L).numpy(), np.linalg.solve(a.numpy(), b.numpy()),
                               rtol=1e-9)
    np.testing.assert_allclose(a.matrix_power(2).numpy(), a.numpy() @ a.numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.pinverse().numpy(), np.linalg.inv(a.numpy()), rtol=1e-9)
    assert a.qr().R.shape == (3, 3) and a.svd().S.shape == (3,) and a.slogdet().sign.item() == 1


# ----- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [mg.linalg.inv, mg.det, mg.linalg.cholesky, mg.linalg.eigh,
                                mg.linalg.svd, mg.linalg.qr, mg.linalg.pinv, mg.logdet])
def test_integer_input_is_refused(fn):
    with pytest.raises(TypeError, match="expected a float32 or float64 tensor"):
        fn(mg.tensor([[1, 2], [3, 4]]))


@pytest.mark.parametrize("fn", [mg.linalg.inv, mg.det, mg.linalg.slogdet, mg.linalg.cholesky,
                                mg.linalg.eigh])
def test_non_square_input_is_refused(fn):
    with pytest.raises(ValueError, match="square"):
        fn(mg.tensor(rand(2, 3)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        fn(mg.tensor(rand(3)))


def test_singular_and_not_positive_definite_errors():
    with pytest.raises(mg.linalg.LinAlgError, match="singular"):
        mg.linalg.inv(mg.zeros(2, 2))
    with pytest.raises(RuntimeError, match="singular"):
        mg.linalg.solve(mg.zeros(2, 2), mg.ones(2))
    with pytest.raises(mg.linalg.LinAlgError, match="not positive-definite"):
        mg.linalg.cholesky(-mg.eye(2))
    a = leaf(np.diag([1.0, 0.0]))
    with pytest.raises(mg.linalg.LinAlgError, match="singular"):
        mg.linalg.slogdet(a).logabsdet.backward()


def test_argument_errors():
    a = mg.tensor(rand(3, 3))
    with pytest.raises(ValueError, match="mode"):
        mg.linalg.qr(a, "full")
    with pytest.raises(ValueError, match="UPLO"):
        mg.linalg.eigh(a, "X")
    with pytest.raises(TypeError, match="n must be an int"):
        mg.linalg.matrix_power(a, 1.5)
    with pytest.raises(ValueError, match="cannot be multiplied"):
        mg.linalg.multi_dot([a, mg.tensor(rand(2, 2))])
    with pytest.raises(ValueError, match="rows"):
        mg.linalg.solve(a, mg.tensor(rand(2, 2)))
    with pytest.raises(TypeError, match="same dtype"):
        mg.linalg.solve(a, mg.tensor(rand(3, 2).astype(np.float32)))
    with pytest.raises(ValueError, match="broadcast"):
        mg.linalg.solve(mg.tensor(rand(2, 3, 3)), mg.tensor(rand(4, 3, 1)))


def test_qr_modes_without_gradient_raise_at_backward():
    a = leaf(rand(4, 3))
    Q, R = mg.linalg.qr(a, "r")
    assert Q.shape == (0,) and R.shape == (3, 3)
    with pytest.raises(RuntimeError, match="mode='r'"):
        R.sum().backward()
    Q, R = mg.linalg.qr(leaf(rand(4, 3)), "complete")
    with pytest.raises(RuntimeError, match="complete"):
        Q.sum().backward()


def test_writing_an_output_in_place_before_backward_is_refused():
    a = leaf(rand(3, 3))
    Q, R = mg.linalg.qr(a)
    loss = (Q * Q).sum() + R.sum()
    with mg.no_grad():
        Q.mul_(2)
    with pytest.raises(RuntimeError):
        loss.backward()


def test_linalg_cross_defaults_to_the_last_dim():
    if not hasattr(mg, "cross"):
        pytest.skip("minigrad.cross is not available")
    x, y = rand(3, 3), rand(3, 3)
    np.testing.assert_allclose(mg.linalg.cross(mg.tensor(x), mg.tensor(y)).numpy(),
                               np.cross(x, y, axis=-1), rtol=1e-12)
