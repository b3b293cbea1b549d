"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``, ``LSTMCell``,
``GRUCell``, with PyTorch's arguments, parameter names and layout, initialisation and
return values, so that ``state_dict``s load across in both directions.

A whole stack runs as one graph node (see ``_rnn_op``): the input projection of every
time step is one matmul per layer, and backpropagation through time is numpy.
"""
import math
import numbers
import warnings

import numpy as np

from .. import _device, grad_mode
from .._default_dtype import get_default_dtype
from ..tensor import Tensor
from . import _rnn_op, init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence, _pack_rows, _unpack_rows

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _check_device(device, name):
    _device.resolve(device, name)


def _dtype(dtype):
    return np.dtype(get_default_dtype() if dtype is None else getattr(dtype, "type", dtype))


def _permute(t, order):
    """``t`` with its batch dim (1, or 0 when 1-d per state) taken in ``order``."""
    return t if order is None else t[:, order._data if isinstance(order, Tensor) else order]


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU``: parameters per layer and
    direction named ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (and ``weight_hr_l{k}`` with ``proj_size``), with the suffix
    ``_reverse`` for the backward direction, all initialised from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as in PyTorch."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        _check_device(device, name)
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for arg, value in (("bias", bias), ("batch_first", batch_first),
                           ("bidirectional", bidirectional)):
            if not isinstance(value, bool):
                raise TypeError(f"{arg} should be of type bool, got: {type(value).__name__}")
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size),
                           ("num_layers", num_layers), ("proj_size", proj_size)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"{arg} should be of type int, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.proj_size = int(num_layers), int(proj_size)
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout = float(dropout)
        dt = _dtype(dtype)
        gates = _rnn_op.GATES[mode] * self.hidden_size
        real_hidden = self.proj_size or self.hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(self.num_layers):
            for direction in range(directions):
                layer_input = self.input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if self.proj_size:
                    shapes.append(("weight_hr", (self.proj_size, self.hidden_size)))
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for base, shape in shapes:
                    names.append(f"{base}_l{layer}{suffix}")
                    setattr(self, names[-1], Parameter(np.empty(shape, dtype=dt)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        with grad_mode.no_grad():
            for weight in self.parameters():
                init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """Accepted for compatibility: PyTorch packs the weights for cuDNN here; minigrad
        has nothing to do."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters per layer and direction, as PyTorch's ``all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self):
        """One :class:`_rnn_op.Weights` per layer and direction."""
        weights = []
        for names in self._all_weights:
            found = {n.split("_l")[0]: getattr(self, n) for n in names}
            weights.append(_rnn_op.Weights(found["weight_ih"], found["weight_hh"],
                                           found.get("bias_ih"), found.get("bias_hh"),
                                           found.get("weight_hr")))
        return weights

    # ----- argument checks, PyTorch's messages --------------------------------------------
    def _name(self):
        return type(self).__name__

    def _check_input(self, input, batch_sizes):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        if input.ndim != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.ndim}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        if batch_sizes is None and input.shape[0 if self.batch_first else 1] > 0 \
                and input.shape[1 if self.batch_first else 0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")

    def _hidden_shape(self, batch, size):
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    @staticmethod
    def _check_hidden(hx, expected, msg="Expected hidden size {}, got {}"):
        if not isinstance(hx, Tensor):
            raise TypeError(f"hidden state must be a Tensor, got {type(hx).__name__}")
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _prepare(self, input, hx, state_count):
        """Normalise ``input`` to a 3-d Tensor (unpacking a PackedSequence) and the states
        to (L*D, B, .) Tensors. Returns (input, states list, batch_sizes, packed info,
        unbatched flag)."""
        if isinstance(input, PackedSequence):
            data, batch_sizes = input.data, input.batch_sizes
            self._check_input(data, batch_sizes)
            sizes = np.asarray(batch_sizes._data if isinstance(batch_sizes, Tensor) else batch_sizes,
                               dtype=np.int64)
            padded = _unpack_rows(data, sizes)
            if hx is not None:
                states = [hx] if state_count == 1 else list(hx)
                states = [_permute(s, input.sorted_indices) for s in states]
            else:
                states = None
            if self.batch_first:
                padded = padded.transpose(0, 1)
            return padded, states, sizes, input, False
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._name()}: input must be a Tensor or a PackedSequence, got "
                            f"{type(input).__name__}")
        if input.ndim not in (2, 3):
            suffix = " tensor" if self.mode.startswith("RNN") else ""
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got "
                             f"{input.ndim}D{suffix} instead")
        batched = input.ndim == 3
        states = None
        if hx is not None:
            states = [hx] if state_count == 1 else list(hx)
            if state_count == 1 and not isinstance(hx, Tensor):
                raise TypeError(f"{self._name()}: hx must be a Tensor, got {type(hx).__name__}")
            if state_count == 2 and (len(states) != 2 or not all(isinstance(s, Tensor) for s in states)):
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0) of Tensors")
            want = 3 if batched else 2
            if any(s.ndim != want for s in states):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                if state_count == 1:
                    raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                                       f"{states[0].ndim}-D tensor")
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but "
                                   f"got ({states[0].ndim}-D, {states[1].ndim}-D) tensors")
            if not batched:
                states = [s.unsqueeze(1) for s in states]
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        self._check_input(input, None)
        return input, states, None, None, not batched

    def _run(self, input, hx, state_count):
        x, states, batch_sizes, packed, unbatched = self._prepare(input, hx, state_count)
        batch = x.shape[0 if self.batch_first else 1]
        sizes = [self.proj_size or self.hidden_size, self.hidden_size][:state_count]
        if states is not None:
            if state_count == 1:
                self._check_hidden(states[0], self._hidden_shape(batch, sizes[0]))
            else:
                for i, (s, size) in enumerate(zip(states, sizes)):
                    self._check_hidden(s, self._hidden_shape(batch, size),
                                       f"Expected hidden[{i}] size {{}}, got {{}}")
            for s in states:
                if s.dtype != x.dtype:
                    raise ValueError(f"{self._name()}: hidden state dtype {s.dtype} does not "
                                     f"match input dtype {x.dtype}")
        cfg = _rnn_op.Config(self.mode, self.num_layers, 2 if self.bidirectional else 1,
                             self.batch_first)
        h0 = states[0] if states else None
        c0 = states[1] if states and state_count == 2 else None
        out, h_n, c_n = _rnn_op.rnn(cfg, x, h0, c0, self._layer_weights(), self.dropout,
                                    self.training, batch_sizes)
        hidden = [h_n, c_n][:state_count]
        if packed is not None:
            if self.batch_first:
                out = out.transpose(0, 1)
            data = _pack_rows(out, batch_sizes)
            hidden = [_permute(h, packed.unsorted_indices) for h in hidden]
            out = PackedSequence(data, packed.batch_sizes, packed.sorted_indices,
                                 packed.unsorted_indices)
        elif unbatched:
            out = out.squeeze(0 if self.batch_first else 1)
            hidden = [h.squeeze(1) for h in hidden]
        return out, (hidden[0] if state_count == 1 else tuple(hidden))

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    r"""Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with
    ``act = tanh`` (``nonlinearity='tanh'``) or ``relu``.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``. ``forward(input, hx=None)``:
    ``input`` is (L, N, H_in), (N, L, H_in) with ``batch_first``, unbatched (L, H_in), or a
    :class:`~minigrad.nn.utils.rnn.PackedSequence`; ``hx`` is (D * num_layers, N, H_out)
    (zeros when None). Returns ``(output, h_n)``: ``output`` has the last layer's hidden
    state of every step (both directions concatenated), ``h_n`` the final state of every
    layer and direction. ``dropout`` applies to the outputs of every layer but the last,
    in training mode.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self_nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self_nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self_nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__("RNN_TANH" if self_nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = self_nonlinearity

    def forward(self, input, hx=None):
        return self._run(input, hx, 1)

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class LSTM(RNNBase):
    r"""Long short-term memory, PyTorch's gate order ``i, f, g, o``::

        i, f, o = sigmoid(...), g = tanh(...)   (each x_t W_i*^T + b_i* + h_{t-1} W_h*^T + b_h*)
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)          (then h_t W_hr^T with proj_size > 0)

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0)``. ``forward(input, (h_0, c_0)=None)``
    returns ``(output, (h_n, c_n))``; ``h`` has ``proj_size`` features when it is set,
    ``c`` has ``hidden_size``. Shapes and packed input as :class:`RNN`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx, 2)


class GRU(RNNBase):
    r"""Gated recurrent unit, PyTorch's gate order ``r, z, n``::

        r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; ``forward(input, hx=None)`` returns
    ``(output, h_n)``, shapes as :class:`RNN`.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx, 1)


# ----- cells ---------------------------------------------------------------------------
class RNNCellBase(Module):
    """One step of a recurrent layer; parameters ``weight_ih`` (G*H, input_size),
    ``weight_hh`` (G*H, hidden_size), ``bias_ih``, ``bias_hh`` (G*H,), initialised from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)). Each call is one graph node."""

    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        _check_device(device, type(self).__name__)
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{type(self).__name__}: {arg} must be a positive int, got "
                                 f"{value!r}")
        self.mode = mode
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        dt = _dtype(dtype)
        gates = _rnn_op.GATES[mode] * self.hidden_size
        self.weight_ih = Parameter(np.empty((gates, self.input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((gates, self.hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(np.empty((gates,), dtype=dt))
            self.bias_hh = Parameter(np.empty((gates,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def _step(self, input, states):
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        batched = input.ndim == 2
        if input.dtype != self.weight_ih.dtype:
            raise ValueError(f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                             f"({self.weight_ih.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        x = input if batched else input.unsqueeze(0)
        checked = []
        for i, s in enumerate(states):
            if s is None:
                checked.append(None)
                continue
            if not isinstance(s, Tensor):
                raise TypeError(f"{name}: hidden state must be a Tensor, got {type(s).__name__}")
            if s.ndim != input.ndim:
                raise ValueError(f"{name}: Expected hidden{'' if len(states) == 1 else f'[{i}]'} "
                                 f"to be {input.ndim}D like the input, got {s.ndim}D instead")
            s = s if batched else s.unsqueeze(0)
            if s.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{i} batch "
                                   f"size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, "
                                   f"expected {self.hidden_size}")
            if s.dtype != x.dtype:
                raise ValueError(f"{name}: hidden state dtype {s.dtype} does not match input "
                                 f"dtype {x.dtype}")
            checked.append(s)
        outs = _rnn_op.cell(self.mode, x, *checked, *([None] * (2 - len(checked))),
                            self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return outs if batched else tuple(o.squeeze(0) for o in outs)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        return s


class RNNCell(RNNCellBase):
    """``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``, ``act`` tanh or relu.
    ``forward(input, hx=None)``: input (N, H_in) or (H_in,), ``hx`` (N, H) or (H,), zeros
    when None; returns ``h'``."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity: {nonlinearity!r} (expected 'tanh' "
                             "or 'relu')")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._step(input, [hx])[0]

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + f", nonlinearity={self.nonlinearity!r}"


class LSTMCell(RNNCellBase):
    """One LSTM step (gate order ``i, f, g, o``, see :class:`LSTM`).
    ``forward(input, hx=None)`` with ``hx = (h, c)``; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        if hx is None:
            states = [None, None]
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a tuple (h, c) of Tensors")
            states = list(hx)
        return self._step(input, states)


class GRUCell(RNNCellBase):
    """One GRU step (gate order ``r, z, n``, see :class:`GRU`). ``forward(input, hx=None)``
    returns ``h'``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        return self._step(input, [hx])[0]
