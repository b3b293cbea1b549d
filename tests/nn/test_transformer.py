"""nn.MultiheadAttention, nn.TransformerEncoderLayer and nn.TransformerEncoder against
PyTorch with the weights copied across (values, input and parameter gradients, state_dict
keys), plus gradchecks and argument errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

RNG = np.random.default_rng(23)


def load_from_torch(mine, theirs):
    """Copy a torch module's state_dict into ``mine``; the keys must be the same, in order."""
    sd = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert list(mine.state_dict()) == list(sd)
    mine.load_state_dict(sd)


def run_both(mine, theirs, args, kwargs, torch):
    """Call both with the same float64 inputs (arrays become leaves that require grad)
    and masks, then backpropagate the same random projection of the first output."""
    m_args = [mg.tensor(a, requires_grad=True) for a in args]
    t_args = [torch.tensor(a, requires_grad=True) for a in args]
    m_kw = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    t_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    out, tout = mine(*m_args, **m_kw), theirs(*t_args, **t_kw)
    first, tfirst = (out[0], tout[0]) if isinstance(out, tuple) else (out, tout)
    np.testing.assert_allclose(first.detach().numpy(), tfirst.detach().numpy(), rtol=1e-9,
                               atol=1e-12)
    w = RNG.standard_normal(first.shape)
    (first * mg.tensor(w)).sum().backward()
    (tfirst * torch.tensor(w)).sum().backward()
    for a, b in zip(m_args, t_args):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-11)
    tparams = dict(theirs.named_parameters())
    for name, p in mine.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tparams[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-11, err_msg=name)
    return out, tout


MHA_OPTIONS = {
    "default": dict(),
    "batch_first": dict(batch_first=True),
    "kdim/vdim": dict(kdim=5, vdim=7),
    "add_bias_kv": dict(add_bias_kv=True),
    "add_zero_attn": dict(add_zero_attn=True),
    "no bias": dict(bias=False),
}
MASKS = ("none", "key_padding_mask", "attn_mask", "both", "float masks", "3-d attn_mask")


def mha_masks(which, n, n_q, n_k, heads):
    kpm = RNG.random((n, n_k)) > 0.7
    kpm[:, 0] = False
    am = RNG.random((n_q, n_k)) > 0.8
    if which == "none":
        return {}
    if which == "key_padding_mask":
        return {"key_padding_mask": kpm}
    if which == "attn_mask":
        return {"attn_mask": am}
    if which == "both":
        return {"key_padding_mask": kpm, "attn_mask": am}
    if which == "float masks":
        return {"key_padding_mask": np.where(kpm, -np.inf, 0.0),
                "attn_mask": RNG.standard_normal((n_q, n_k))}
    return {"attn_mask": RNG.random((n * heads, n_q, n_k)) > 0.8}


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("masks", MASKS)
@pytest.mark.parametrize("option", MHA_OPTIONS)
def test_multihead_attention_matches_torch(option, masks, need_weights):
    torch = pytest.importorskip("torch")
    kw = MHA_OPTIONS[option]
    theirs = torch.nn.MultiheadAttention(8, 2, **kw).double().eval()
    mine = nn.MultiheadAttention(8, 2, dtype=np.float64, **kw).eval()
    load_from_torch(mine, theirs)
    n, n_q, n_k = 3, 4, 5

    def shape(length, dim):
        return (n, length, dim) if kw.get("batch_first") else (length, n, dim)

    args = [RNG.standard_normal(shape(n_q, 8)), RNG.standard_normal(shape(n_k, kw.get("kdim", 8))),
            RNG.standard_normal(shape(n_k, kw.get("vdim", 8)))]
    extra = dict(mha_masks(masks, n, n_q, n_k, 2), need_weights=need_weights)
    (out, weights), (tout, tweights) = run_both(mine, theirs, args, extra, torch)
    if need_weights:
        np.testing.assert_allclose(weights.detach().numpy(), tweights.detach().numpy(),
                                   rtol=1e-9, atol=1e-12)
    else:
        assert weights is None and tweights is None


def test_multihead_self_attention_unbatched_per_head_weights_and_causal_hint():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(6, 3).double()
    mine = nn.MultiheadAttention(6, 3, dtype=np.float64)
    load_from_torch(mine, theirs)
    x = RNG.standard_normal((5, 6))
    causal = np.triu(np.ones((5, 5), bool), 1)
    for kwargs in (dict(average_attn_weights=False),
                   dict(attn_mask=causal, is_causal=True, need_weights=False)):
        xm, xt = mg.tensor(x), torch.tensor(x)
        kw_m = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        kw_t = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        (out, w), (tout, tw) = mine(xm, xm, xm, **kw_m), theirs(xt, xt, xt, **kw_t)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10)
        if tw is not None:
            assert w.shape == tuple(tw.shape) == (3, 5, 5)
            np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-10)


def test_multihead_attention_fully_masked_query_nan_with_weights_zero_without():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(4, 2, batch_first=True).double()
    mine = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    load_from_torch(mine, theirs)
    x = RNG.standard_normal((1, 3, 4))
    am = np.zeros((3, 3), bool)
    am[1] = True  # query 1 may attend nowhere
    for need_weights in (True, False):
        out = mine(mg.tensor(x), mg.tensor(x), mg.tensor(x), attn_mask=mg.tensor(am),
                   need_weights=need_weights)[0].detach().numpy()
        tout = theirs(torch.tensor(x), torch.tensor(x), torch.tensor(x), attn_mask=torch.tensor(am),
                      need_weights=need_weights)[0].detach().numpy()
        np.testing.assert_array_equal(np.isnan(out), np.isnan(tout))
        np.testing.assert_allclose(out[~np.isnan(out)], tout[~np.isnan(tout)], rtol=1e-10)
        assert np.isnan(out[0, 1]).all() == need_weights


def test_multihead_attention_init_and_layout():
    mha = nn.MultiheadAttention(16, 4)
    assert mha.in_proj_weight.shape == (48, 16) and mha.in_proj_bias.shape == (48,)
    assert np.all(mha.in_proj_bias.detach().numpy() == 0)
    assert np.all(mha.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform_ on the packed (3E, E) weight
    w = mha.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    sep = nn.MultiheadAttention(16, 4, kdim=3, vdim=5, bias=False)
    assert list(sep.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                      "out_proj.weight"]


def test_multihead_attention_gradcheck():
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    x = mg.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    kpm = mg.tensor(np.array([[False, False, True], [False, False, False]]))
    for need_weights in (True, False):
        assert mg.gradcheck(lambda a: mha(a, a, a, key_padding_mask=kpm,
                                          need_weights=need_weights)[0], (x,))


@pytest.mark.parametrize("make, error, words", [
    (lambda: nn.MultiheadAttention(10, 3), ValueError, "divisible"),
    (lambda: nn.MultiheadAttention(8, 0), ValueError, "num_heads"),
    (lambda: nn.MultiheadAttention(8, 2, dropout=2.0), ValueError, "dropout"),
])
def test_multihead_attention_construction_errors(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_multihead_attention_mask_errors():
    mha = nn.MultiheadAttention(4, 2)
    x = mg.tensor(RNG.standard_normal((3, 2, 4)))
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        mha(x, x, x, attn_mask=mg.tensor(np.zeros((3, 4), bool)))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        mha(x, x, x, key_padding_mask=mg.tensor(np.zeros((3, 2), bool)))
    with pytest.raises(ValueError, match="is_causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(ValueError, match="features"):
        mha(mg.tensor(RNG.standard_normal((3, 2, 5))), x, x)


# ----- encoder layers ---------------------------------------------------------------------
LAYER_OPTIONS = {
    "post-norm relu": dict(),
    "pre-norm relu": dict(norm_first=True),
    "post-norm gelu batch_first": dict(activation="gelu", batch_first=True),
    "pre-norm gelu batch_first": dict(norm_first=True, activation="gelu", batch_first=True),
    "no bias": dict(bias=False),
}
LAYER_MASKS = ("none", "src_key_padding_mask", "causal src_mask", "is_causal")


def layer_masks(which, n, s, torch):
    if which == "none":
        return {}
    if which == "src_key_padding_mask":
        kpm = RNG.random((n, s)) > 0.6
        kpm[:, 0] = False
        return {"src_key_padding_mask": kpm}
    causal = torch.nn.Transformer.generate_square_subsequent_mask(s).double().numpy()
    if which == "causal src_mask":
        return {"src_mask": causal}
    return {"src_mask": causal, "is_causal": True}


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("masks", LAYER_MASKS)
@pytest.mark.parametrize("option", LAYER_OPTIONS)
def test_encoder_layer_matches_torch(option, masks, mode):
    torch = pytest.importorskip("torch")
    kw = LAYER_OPTIONS[option]
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw).double()
    mine = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=np.float64, **kw)
    load_from_torch(mine, theirs)
    getattr(theirs, mode)()
    getattr(mine, mode)()
    n, s = 3, 5
    x = RNG.standard_normal((n, s, 8) if kw.get("batch_first") else (s, n, 8))
    run_both(mine, theirs, [x], layer_masks(masks, n, s, torch), torch)


def test_encoder_layer_callable_activation_and_unbatched():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0,
                                              activation=torch.nn.functional.tanh).double()
    mine = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation=mg.tanh, dtype=np.float64)
    load_from_torch(mine, theirs)
    run_both(mine, theirs, [RNG.standard_normal((5, 4))], {}, torch)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerEncoderLayer(4, 2, activation="swish")


@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("masks", ["none", "causal src_mask", "is_causal", "src_key_padding_mask"])
def test_encoder_stack_matches_torch(masks, norm):
    torch = pytest.importorskip("torch")
    layer_t = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True,
                                               norm_first=True)
    theirs = torch.nn.TransformerEncoder(layer_t, 3, norm=torch.nn.LayerNorm(8) if norm else None,
                                         enable_nested_tensor=False).double().eval()
    mine = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                            batch_first=True, norm_first=True),
                                 3, norm=nn.LayerNorm(8) if norm else None).double().eval()
    assert len(mine.layers) == 3 and mine.layers[0] is not mine.layers[1]
    load_from_torch(mine, theirs)
    n, s = 2, 6
    kw = layer_masks(masks, n, s, torch)
    if "src_mask" in kw:
        kw["mask"] = kw.pop("src_mask")
    run_both(mine, theirs, [RNG.standard_normal((n, s, 8))], kw, torch)


def test_causal_mask_detection_and_generation():
    torch = pytest.importorskip("torch")
    from minigrad.nn.transformer import _is_causal_mask
    np.testing.assert_array_equal(nn.generate_square_subsequent_mask(4).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    assert nn.generate_square_subsequent_mask(3).dtype == np.float32
    assert _is_causal_mask(nn.generate_square_subsequent_mask(4), 4)
    assert _is_causal_mask(mg.tensor(np.triu(np.ones((4, 4), bool), 1)), 4)
    assert not _is_causal_mask(mg.tensor(np.triu(np.ones((4, 4), bool), 2)), 4)
    assert not _is_causal_mask(nn.generate_square_subsequent_mask(4), 5)


def test_encoder_dropout_trains_differently_and_eval_is_deterministic():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5,
                                                           batch_first=True), 2)
    x = mg.tensor(RNG.standard_normal((2, 4, 8)).astype(np.float32))
    mg.manual_seed(0)
    a = enc(x).detach().numpy()
    b = enc(x).detach().numpy()
    assert not np.allclose(a, b)
    enc.eval()
    np.testing.assert_array_equal(enc(x).detach().numpy(), enc(x).detach().numpy())


# ----- decoder and the encoder-decoder Transformer ----------------------------------------
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("option", LAYER_OPTIONS)
def test_decoder_layer_matches_torch(option, mode):
    torch = pytest.importorskip("torch")
    kw = LAYER_OPTIONS[option]
    theirs = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw).double()
    mine = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, dtype=np.float64, **kw)
    load_from_torch(mine, theirs)
    getattr(theirs, mode)()
    getattr(mine, mode)()
    n, t, s = 3, 4, 6
    bf = kw.get("batch_first")
    tgt = RNG.standard_normal((n, t, 8) if bf else (t, n, 8))
    memory = RNG.standard_normal((n, s, 8) if bf else (s, n, 8))
    mkpm = RNG.random((n, s)) > 0.6
    mkpm[:, 0] = False
    causal = torch.nn.Transformer.generate_square_subsequent_mask(t).double().numpy()
    run_both(mine, theirs, [tgt, memory],
             {"tgt_mask": causal, "tgt_is_causal": True, "memory_key_padding_mask": mkpm}, torch)


def test_transformer_matches_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=True).double()
    mine = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=True, dtype=np.float64)
    for name, p in mine.named_parameters():  # PyTorch's init: Xavier-uniform matrices
        if p.ndim > 1:
            fan_out, fan_in = p.shape
            assert np.abs(p.detach().numpy()).max() <= np.sqrt(6 / (fan_in + fan_out)), name
    load_from_torch(mine, theirs)
    theirs.encoder.enable_nested_tensor = False
    src, tgt = RNG.standard_normal((2, 6, 8)), RNG.standard_normal((2, 5, 8))
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64).numpy()
    run_both(mine, theirs, [src, tgt], {"tgt_mask": tgt_mask}, torch)
    with pytest.raises(ValueError, match="batch size"):
        mine(mg.tensor(src), mg.tensor(tgt[:1]))
    with pytest.raises(ValueError, match="d_model"):
        mine(mg.tensor(src[..., :4]), mg.tensor(tgt))


def test_attention_layers_take_device_and_the_default_dtype():
    mg.set_default_dtype(mg.float64)
    try:
        layers = [nn.MultiheadAttention(4, 2, device="cpu"),
                  nn.TransformerEncoderLayer(4, 2, 8, device="cpu"),
                  nn.TransformerDecoderLayer(4, 2, 8),
                  nn.Transformer(4, 2, 1, 1, 8, device="cpu")]
        for layer in layers:
            assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float64)}
        assert nn.generate_square_subsequent_mask(3).dtype == np.float64
    finally:
        mg.set_default_dtype(mg.float32)
    for build in (lambda: nn.MultiheadAttention(4, 2, device="cuda"),
                  lambda: nn.TransformerEncoderLayer(4, 2, 8, device="cuda"),
                  lambda: nn.Transformer(4, 2, 1, 1, 8, device="cuda"),
                  lambda: nn.generate_square_subsequent_mask(3, device="cuda")):
        with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
            build()
