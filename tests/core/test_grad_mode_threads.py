"""Grad mode and the optimizer closure policy are per thread, as in PyTorch."""
import threading

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.autograd import engine


_init_lock = threading.Lock()  # minigrad's random generator is global, like torch's


def _train(seed, steps, barrier=None):
    """A small regression trained with Adam; returns the final weights."""
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((64, 4)))
    y = mg.tensor(rng.standard_normal((64, 1)))
    with _init_lock:
        mg.manual_seed(seed)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for i in range(steps):
        if barrier is not None and i == 1:
            barrier.wait()
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_no_grad_in_one_thread_does_not_reach_another():
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def evaluator():
        with mg.no_grad():
            seen["eval"] = mg.is_grad_enabled()
            inside.set()
            release.wait(5)
            seen["eval_op"] = (mg.ones(2, requires_grad=True) * 2).requires_grad

    t = threading.Thread(target=evaluator)
    t.start()
    assert inside.wait(5)
    recorded = sum((mg.ones(2, requires_grad=True) * 2).requires_grad for _ in range(1000))
    assert mg.is_grad_enabled()
    release.set()
    t.join()
    assert recorded == 1000
    assert seen == {"eval": False, "eval_op": False}
    assert mg.is_grad_enabled()


def test_a_new_thread_starts_with_recording_on():
    out = []
    with mg.no_grad():
        t = threading.Thread(target=lambda: out.append(mg.is_grad_enabled()))
        t.start()
        t.join()
    assert out == [True]


def test_training_beside_an_evaluation_thread_gives_the_serial_weights():
    mg.manual_seed(0)
    serial = _train(1, 40)
    stop = threading.Event()

    model = nn.Linear(4, 1)  # made here: the random generator is shared by the threads

    def evaluate_forever():
        while not stop.is_set():
            with mg.no_grad():
                model(mg.ones(8, 4))

    ev = threading.Thread(target=evaluate_forever)
    ev.start()
    try:
        concurrent = _train(1, 40)
    finally:
        stop.set()
        ev.join()
    for a, b in zip(serial, concurrent):
        np.testing.assert_array_equal(a, b)
    assert mg.is_grad_enabled()


def test_two_models_trained_in_two_threads_match_their_serial_runs():
    serial = [_train(2, 25), _train(3, 25)]
    results = {}
    barrier = threading.Barrier(2)

    def worker(seed):
        results[seed] = _train(seed, 25, barrier)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for ref, seed in zip(serial, (2, 3)):
        for a, b in zip(ref, results[seed]):
            np.testing.assert_allclose(a, b, rtol=0, atol=0)


def test_closure_policy_of_another_thread_does_not_skip_this_threads_backward():
    inside = threading.Event()
    release = threading.Event()

    def second_order_step():
        with engine.closure_backward("skip"):
            inside.set()
            release.wait(5)

    t = threading.Thread(target=second_order_step)
    t.start()
    assert inside.wait(5)
    try:
        missing = 0
        for _ in range(200):
            w = mg.ones(3, requires_grad=True)
            (w * w).sum().backward()
            missing += w.grad is None
    finally:
        release.set()
        t.join()
    assert missing == 0


def test_inference_mode_is_no_grad():
    with mg.inference_mode():
        assert not mg.is_grad_enabled()
        assert not (mg.ones(2, requires_grad=True) * 2).requires_grad

    @mg.inference_mode()
    def predict():
        return mg.is_grad_enabled()

    assert predict() is False and mg.is_grad_enabled()
    with mg.no_grad(), mg.inference_mode(False):
        assert mg.is_grad_enabled()


def test_mode_switches_decorate_without_parentheses():
    @mg.no_grad
    def off():
        return mg.is_grad_enabled()

    @mg.inference_mode
    def inferred():
        return mg.is_grad_enabled()

    @mg.enable_grad
    def on():
        return mg.is_grad_enabled()

    assert off.__name__ == "off"
    assert (off(), inferred(), mg.is_grad_enabled()) == (False, False, True)
    with mg.no_grad():
        assert on() is True and not mg.is_grad_enabled()


def test_no_grad_on_a_generator_function_applies_inside_its_body_only():
    import minigrad as mg

    x = mg.tensor([1.0, 2.0], requires_grad=True)

    @mg.no_grad()
    def batches():
        for k in range(2):
            sent = yield (x * k).requires_grad, mg.is_grad_enabled()
            assert sent is None or sent == "ping"
        return "done"

    seen = []
    gen = batches()
    for item in gen:
        seen.append(item)
        assert mg.is_grad_enabled()  # the caller's mode between items
        assert (x * 2).requires_grad
    assert seen == [(False, False), (False, False)]

    gen = batches()
    assert next(gen) == (False, False)
    assert gen.send("ping") == (False, False)
    try:
        next(gen)
    except StopIteration as stop:
        assert stop.value == "done"

    @mg.enable_grad
    def under_enable():
        yield mg.is_grad_enabled()

    with mg.no_grad():
        assert list(under_enable()) == [True]
        assert not mg.is_grad_enabled()
