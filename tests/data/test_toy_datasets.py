"""make_moons, make_circles, make_spirals, make_blobs, make_regression."""

import socket

import numpy as np
import pytest

import minigrad
from minigrad import datasets

CLASSIFIERS = [datasets.make_moons, datasets.make_circles, datasets.make_spirals, datasets.make_blobs]
ALL = CLASSIFIERS + [datasets.make_regression]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing in minigrad.datasets may touch the network."""

    def refuse(*args, **kwargs):
        raise AssertionError("minigrad.datasets tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_shapes_and_dtypes(make):
    X, y = make(101, random_state=0)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)


@pytest.mark.parametrize("make", ALL)
def test_deterministic_with_seed_and_different_across_seeds(make):
    kwargs = {} if make in (datasets.make_blobs, datasets.make_regression) else {"noise": 0.1}
    a, b, c = (make(60, random_state=s, **kwargs) for s in (7, 7, 8))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("make", ALL)
def test_seed_is_an_alias_of_random_state(make):
    np.testing.assert_array_equal(make(30, seed=4)[0], make(30, random_state=4)[0])
    with pytest.raises(TypeError, match="either random_state or seed"):
        make(30, seed=1, random_state=1)


@pytest.mark.parametrize("make", ALL)
def test_none_uses_the_global_generator(make):
    minigrad.manual_seed(0)
    a = make(30)[0]
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(a, make(30)[0])


@pytest.mark.parametrize("bad, error", [("0", TypeError), (-1, ValueError), (2.5, TypeError)])
def test_bad_random_state(bad, error):
    with pytest.raises(error, match="random_state"):
        datasets.make_moons(10, random_state=bad)


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_bad_n_samples(make):
    with pytest.raises(ValueError, match="n_samples must be an int >= 1"):
        make(0)
    with pytest.raises(TypeError, match="n_samples"):
        make(10.0)


def test_moons_geometry_and_balance():
    X, y = datasets.make_moons(201, shuffle=False)
    assert np.bincount(y).tolist() == [100, 101]
    upper, lower = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (upper[:, 1] >= 0).all() and (lower[:, 1] <= 0.5 + 1e-6).all()


def test_moons_noise_moves_points_but_keeps_labels():
    X0, y0 = datasets.make_moons(100, random_state=3)
    X1, y1 = datasets.make_moons(100, noise=0.2, random_state=3)
    np.testing.assert_array_equal(y0, y1)  # shuffle is drawn before the noise
    assert 0.15 < np.std(X1 - X0) < 0.25


def test_moons_pair_of_counts():
    _, y = datasets.make_moons((30, 70), random_state=0)
    assert np.bincount(y).tolist() == [30, 70]


def test_moons_and_circles_match_scikit_learn_without_noise():
    sk = pytest.importorskip("sklearn.datasets")
    for ours, theirs in [(datasets.make_moons, sk.make_moons), (datasets.make_circles, sk.make_circles)]:
        X, y = ours(77, shuffle=False)
        X_sk, y_sk = theirs(77, shuffle=False)
        np.testing.assert_allclose(X, X_sk, atol=1e-6)
        np.testing.assert_array_equal(y, y_sk)


def test_circles_radii():
    X, y = datasets.make_circles(100, factor=0.3, random_state=0)
    r = np.hypot(*X.astype(np.float64).T)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\)"):
        datasets.make_circles(factor=1.0)


def test_spirals():
    X, y = datasets.make_spirals(301, n_classes=3, random_state=0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    r = np.hypot(*X.T)
    assert r.min() >= 0 and r.max() <= 1 + 1e-6
    # Arms are rotated copies of each other: same radii, angle offset 2*pi/3.
    Xs, ys = datasets.make_spirals(300, n_classes=3, shuffle=False)
    a0, a1 = Xs[ys == 0].astype(np.float64), Xs[ys == 1].astype(np.float64)
    rot = np.array([[np.cos(2 * np.pi / 3), -np.sin(2 * np.pi / 3)], [np.sin(2 * np.pi / 3), np.cos(2 * np.pi / 3)]])
    np.testing.assert_allclose(a0 @ rot.T, a1, atol=1e-6)
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        datasets.make_spirals(10, n_classes=1)
    with pytest.raises(ValueError, match="n_turns"):
        datasets.make_spirals(10, n_turns=0)


def test_spirals_are_not_linearly_separable():
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = datasets.make_spirals(400, random_state=0)
    assert lm.LogisticRegression().fit(X, y).score(X, y) < 0.75


def test_blobs_counts_centres_and_spread():
    X, y, centres = datasets.make_blobs(1000, 3, centers=4, cluster_std=0.5, random_state=0, return_centers=True)
    assert X.shape == (1000, 3) and centres.shape == (4, 3) and centres.dtype == np.float32
    assert np.bincount(y).tolist() == [250, 250, 250, 250]
    assert (np.abs(centres) <= 10).all()
    for k in range(4):
        np.testing.assert_allclose(X[y == k].mean(0), centres[k], atol=0.15)
        np.testing.assert_allclose(X[y == k].std(0), 0.5, atol=0.08)


def test_blobs_explicit_centres_counts_and_stds():
    centres = [[0.0, 0.0], [10.0, 10.0]]
    X, y = datasets.make_blobs([5, 15], centers=centres, cluster_std=[0.0, 1.0], random_state=0)
    assert np.bincount(y).tolist() == [5, 15]
    np.testing.assert_array_equal(X[y == 0], 0.0)  # std 0: exactly at the centre
    with pytest.raises(ValueError, match="2 entries but there are 3 centers"):
        datasets.make_blobs([5, 15], centers=3)
    with pytest.raises(ValueError, match="one entry per center"):
        datasets.make_blobs(10, centers=2, cluster_std=[1.0, 2.0, 3.0])


def test_regression_is_linear_in_the_true_weights():
    X, y, w = datasets.make_regression(200, 8, n_informative=3, bias=2.5, coef=True, random_state=0)
    assert X.shape == (200, 8) and y.shape == (200,) and w.shape == (8,)
    assert X.dtype == y.dtype == w.dtype == np.float32
    assert np.count_nonzero(w) == 3 and (w >= 0).all() and (w < 100).all()
    np.testing.assert_allclose(X.astype(np.float64) @ w + 2.5, y, rtol=1e-5, atol=1e-3)


def test_regression_noise_and_targets():
    X, y, w = datasets.make_regression(5000, 4, n_targets=2, noise=3.0, coef=True, random_state=1)
    assert y.shape == (5000, 2) and w.shape == (4, 2)
    assert abs(np.std(y - X @ w) - 3.0) < 0.1
