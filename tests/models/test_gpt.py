"""minigrad.models.GPT: overfitting a batch, seeded sampling, causality, weight tying, the
training helpers, and the whole model against the same module tree in PyTorch."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.data.text import TextBlocks
from minigrad.models import GPT, GPTConfig, WarmupCosine, estimate_loss

RNG = np.random.default_rng(5)


def small(**kw):
    mg.manual_seed(0)
    return GPT(GPTConfig(**dict(dict(vocab_size=12, block_size=16, n_layer=2, n_head=2, n_embd=32),
                                **kw)))


def test_two_layer_gpt_overfits_a_small_batch():
    model = small()
    x = RNG.integers(0, 12, (4, 16))
    y = RNG.integers(0, 12, (4, 16))  # arbitrary targets: only memorisation gets them right
    opt = mg.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    first = None
    for _ in range(120):
        _, loss = model(x, y)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert first > 2.0  # about ln(12) at the start
    assert model(x, y)[1].item() < 0.02


def test_logits_shape_and_loss_is_next_token_cross_entropy():
    model = small()
    x, y = RNG.integers(0, 12, (3, 10)), RNG.integers(0, 12, (3, 10))
    logits, loss = model(x, y)
    assert logits.shape == (3, 10, 12) and model(x)[1] is None
    ref = F.cross_entropy(logits.reshape(30, 12), mg.tensor(y.reshape(30)))
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-6)


def test_predictions_do_not_see_the_future():
    model = small()
    x = RNG.integers(0, 12, (1, 16))
    changed = x.copy()
    changed[0, 9:] = (changed[0, 9:] + 1) % 12
    a, b = model(x)[0].detach().numpy(), model(changed)[0].detach().numpy()
    np.testing.assert_allclose(a[0, :9], b[0, :9], rtol=1e-6, atol=1e-6)
    assert not np.allclose(a[0, 9:], b[0, 9:])


def test_weight_tying_shares_one_matrix_and_both_uses_add_gradient():
    model = small()
    assert model.lm_head.weight is model.wte.weight
    names = [n for n, _ in model.named_parameters()]
    assert "lm_head.weight" not in names  # listed once, as in PyTorch
    assert model.num_parameters() == sum(p.numel() for p in model.parameters())
    x = RNG.integers(0, 6, (2, 8))  # tokens 6..11 are never inputs, only outputs
    _, loss = model(x, RNG.integers(0, 12, (2, 8)))
    loss.backward()
    g = model.wte.weight.grad.numpy()
    assert np.all(np.abs(g[6:]).sum(1) > 0)  # the head's gradient reaches unused rows


def test_sampling_is_seeded_and_reproducible():
    model = small()
    prompt = np.array([[1, 2, 3]])
    a = model.generate(prompt, 20, generator=mg.Generator().manual_seed(7)).numpy()
    b = model.generate(prompt, 20, generator=mg.Generator().manual_seed(7)).numpy()
    c = model.generate(prompt, 20, generator=mg.Generator().manual_seed(8)).numpy()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (1, 23) and np.array_equal(a[:, :3], prompt)
    assert not np.array_equal(a, c)
    mg.manual_seed(3)
    d = model.generate(prompt, 20).numpy()
    mg.manual_seed(3)
    np.testing.assert_array_equal(d, model.generate(prompt, 20).numpy())


def test_greedy_and_top_k_sampling():
    model = small()
    prompt = RNG.integers(0, 12, (5, 4))
    greedy = model.generate(prompt, 6, temperature=0).numpy()
    # the greedy continuation is the argmax of the logits, step by step
    logits = model(greedy[:, :-1])[0].detach().numpy()
    np.testing.assert_array_equal(greedy[:, 4:], logits[:, 3:].argmax(-1))
    top1 = model.generate(prompt, 6, top_k=1, generator=mg.Generator().manual_seed(0)).numpy()
    np.testing.assert_array_equal(top1, greedy)
    k = 3
    out = model.generate(np.repeat(prompt[:1], 200, 0), 1, top_k=k, temperature=2.0,
                         generator=mg.Generator().manual_seed(1)).numpy()[:, -1]
    allowed = np.argsort(-model(prompt[:1])[0].detach().numpy()[0, -1])[:k]
    assert set(out) <= set(allowed) and len(set(out)) > 1


def test_generate_crops_to_block_size_and_restores_training_mode():
    model = small(block_size=8)
    model.train()
    out = model.generate(np.zeros((1, 6), np.int64), 10)
    assert out.shape == (1, 16) and model.training


@pytest.mark.parametrize("kwargs, words", [
    (dict(n_embd=30, n_head=4), "divisible"),
    (dict(dropout=1.0), "dropout"),
    (dict(n_layer=0), "n_layer"),
])
def test_config_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        small(**kwargs)


def test_input_errors():
    model = small()
    with pytest.raises(ValueError, match="block_size"):
        model(np.zeros((1, 17), np.int64))
    with pytest.raises(ValueError, match="batch, time"):
        model(np.zeros(5, np.int64))
    with pytest.raises(ValueError, match="temperature"):
        model.generate(np.zeros((1, 2), np.int64), 3, temperature=-1)


def test_configure_optimizer_decays_matrices_only():
    model = small()
    opt = model.configure_optimizer(lr=1e-3, weight_decay=0.1)
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.ndim == 2 for p in decay["params"]) and all(p.ndim == 1 for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))


def test_warmup_cosine_schedule():
    f = WarmupCosine(warmup=10, total=110, min_ratio=0.1)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(10) == pytest.approx(1.0)
    assert f(60) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert f(110) == pytest.approx(0.1) and f(500) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        WarmupCosine(10, 10)


def test_estimate_loss_is_repeatable_and_leaves_the_mode():
    model = small()
    blocks = TextBlocks(RNG.integers(0, 12, 500), 16)
    model.train()
    a = estimate_loss(model, blocks, 3, 8)
    assert a == estimate_loss(model, blocks, 3, 8) and model.training
    assert abs(a - math.log(12)) < 0.5


def test_matches_the_same_module_tree_in_torch():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    model = small().double()

    class TorchGPT(tnn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = tnn.Embedding(12, 32), tnn.Embedding(16, 32)
            self.drop = tnn.Dropout(0.0)
            layer = tnn.TransformerEncoderLayer(32, 2, 128, 0.0, activation="gelu",
                                                batch_first=True, norm_first=True)
            self.blocks = tnn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.ln_f = tnn.LayerNorm(32)
            self.lm_head = tnn.Linear(32, 12, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx):
            t = idx.shape[1]
            x = self.drop(self.wte(idx) + self.wpe(torch.arange(t)))
            mask = tnn.Transformer.generate_square_subsequent_mask(t, dtype=torch.float64)
            return self.lm_head(self.ln_f(self.blocks(x, mask=mask, is_causal=True)))

    theirs = TorchGPT().double()
    state = model.state_dict()
    assert list(state) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    x, y = RNG.integers(0, 12, (3, 16)), RNG.integers(0, 12, (3, 16))
    logits, loss = model(x, y)
    tlogits = theirs(torch.from_numpy(x))
    tloss = torch.nn.functional.cross_entropy(tlogits.reshape(-1, 12), torch.from_numpy(y).reshape(-1))
    np.testing.assert_allclose(logits.detach().numpy(), tlogits.detach().numpy(), rtol=1e-9,
                               atol=1e-12)
    loss.backward()
    tloss.backward()
    tparams = dict(theirs.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tparams[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-12, err_msg=name)


def test_gpt2_initialisation():
    model = GPT(GPTConfig(vocab_size=50, block_size=32, n_layer=4, n_head=4, n_embd=64))
    params = dict(model.named_parameters())
    for name, p in params.items():
        a = p.detach().numpy()
        if name.endswith("out_proj.weight") or name.endswith("linear2.weight"):
            assert abs(a.std() - 0.02 / math.sqrt(8)) < 0.002, name
        elif a.ndim == 2:
            assert abs(a.std() - 0.02) < 0.002, name
        elif "norm" in name.split(".")[-2] or name.startswith("ln_f"):
            assert np.all(a == (1 if name.endswith("weight") else 0)), name
        else:
            assert np.all(a == 0), name
