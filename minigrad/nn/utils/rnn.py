"""Batches of variable-length sequences, as ``torch.nn.utils.rnn``: ``pad_sequence``,
``pack_padded_sequence``, ``pad_packed_sequence``, ``pack_sequence``,
``unpack_sequence``, ``unpad_sequence`` and the ``PackedSequence`` they exchange with the
recurrent layers.

A ``PackedSequence`` stores the steps of a batch sorted longest-first, time-major, without
the padding: ``data`` holds, for each time step ``t``, the ``batch_sizes[t]`` sequences
that are still running. Recurrent layers given one skip the padding entirely (finished
sequences keep their final state), so ``h_n`` is each sequence's state at its own last
step. Every function here is differentiable in its Tensor inputs.
"""
from collections import namedtuple

import numpy as np

from ...tensor import SAVES_NOTHING, Tensor, make

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpack_sequence", "unpad_sequence", "invert_permutation"]


def _long(values):
    return Tensor._wrap(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation):
    """The inverse of an index permutation (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data if isinstance(permutation, Tensor) else permutation)
    inverse = np.empty_like(p)
    inverse[p] = np.arange(p.size, dtype=p.dtype)
    return _long(inverse)


class PackedSequence(namedtuple("PackedSequence", "data batch_sizes sorted_indices unsorted_indices")):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``: ``data`` (sum of lengths,
    *) the packed steps, ``batch_sizes`` (int64, one per time step) the number of sequences
    running at each step, ``sorted_indices`` the order in which the original batch was
    sorted longest-first (None when it already was) and ``unsorted_indices`` its inverse.
    Build one with :func:`pack_padded_sequence` or :func:`pack_sequence`, not directly."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:
            raise TypeError("PackedSequence needs batch_sizes; build it with "
                            "pack_padded_sequence or pack_sequence")
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _long(batch_sizes)
        if sorted_indices is not None and not isinstance(sorted_indices, Tensor):
            sorted_indices = _long(sorted_indices)
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        elif not isinstance(unsorted_indices, Tensor):
            unsorted_indices = _long(unsorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """``data.to(...)``; the index tensors stay int64."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self):
        return self

    def double(self):
        return self._with_data(self.data.double())

    def float(self):
        return self._with_data(self.data.float())

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


# ----- differentiable moves between the padded and the packed layout -----------------------
def _positions(batch_sizes, batch):
    """(t, b) of every packed row, in packed order (time-major, running sequences first)."""
    running = np.arange(batch)[None, :] < np.asarray(batch_sizes)[:, None]
    return np.nonzero(running)


def _pack_rows(padded, batch_sizes):
    """The rows of ``padded`` (T, B, *) that ``batch_sizes`` marks as running, packed."""
    t, b = _positions(batch_sizes, padded.shape[1])
    return padded[t, b]


def _unpack_rows(data, batch_sizes, padding_value=0.0):
    """``data`` (N, *) of a packed batch laid out as (T, B, *), padding elsewhere."""
    sizes = np.asarray(batch_sizes)
    T, B = len(sizes), int(sizes[0]) if len(sizes) else 0
    t, b = _positions(sizes, B)
    padded = np.full((T, B) + data.shape[1:], padding_value, dtype=data.dtype)
    padded[t, b] = data._data
    return make(padded, (data,), lambda g, out: (g[t, b],), "PadPacked", SAVES_NOTHING)


# ----- the public functions ------------------------------------------------------------------
def _lengths_array(lengths, fn):
    arr = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise TypeError(f"{fn}: lengths must be a 1-d list or tensor of ints, got {lengths!r}")
    return arr.astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``input`` (T, B, *) (or (B, T, *) with ``batch_first``) whose
    sequence ``b`` has ``lengths[b]`` valid steps. With ``enforce_sorted`` the lengths
    must be non-increasing; otherwise the batch is sorted (the order is recorded and undone
    by :func:`pad_packed_sequence` and the recurrent layers' ``h_n``)."""
    fn = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"{fn}: input must have at least 2 dims (time and batch), got shape "
                         f"{tuple(input.shape)}")
    lengths = _lengths_array(lengths, fn)
    batch_dim = 0 if batch_first else 1
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    if lengths.size != batch:
        raise ValueError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{lengths.size} (batch_size={batch})")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if lengths.size and lengths.max() > steps:
        raise ValueError(f"{fn}: a length of {int(lengths.max())} exceeds the padded sequence "
                         f"length {steps}")
    sorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _long(order)
        input = input[order] if batch_first else input[:, order]
    if batch_first:
        input = input.transpose(0, 1)
    longest = int(lengths[0]) if lengths.size else 0
    batch_sizes = (lengths[None, :] > np.arange(longest)[:, None]).sum(axis=1)
    return PackedSequence(_pack_rows(input, batch_sizes), _long(batch_sizes), sorted_indices,
                          None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: returns ``(padded, lengths)`` with ``padded``
    (T, B, *) (or (B, T, *)), padded with ``padding_value`` to the longest sequence or to
    ``total_length``, in the original batch order; ``lengths`` is int64."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    sizes = np.asarray(sequence.batch_sizes._data)
    padded = _unpack_rows(sequence.data, sizes, padding_value)
    if total_length is not None:
        if total_length < len(sizes):
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {len(sizes)}")
        if total_length > len(sizes):
            extra = np.full((total_length - len(sizes),) + padded.shape[1:], padding_value,
                            dtype=padded.dtype)
            from ...ops.shape import cat
            padded = cat([padded, Tensor._wrap(extra)])
    batch = int(sizes[0]) if len(sizes) else 0
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices._data
        padded = padded[order] if batch_first else padded[:, order]
        lengths = lengths[order]
    return padded, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack Tensors of shapes (L_i, *) into one (T, B, *) Tensor (or (B, T, *) with
    ``batch_first``), ``T = max L_i``, filling with ``padding_value`` on the right (or the
    left with ``padding_side='left'``)."""
    fn = "pad_sequence"
    if isinstance(sequences, Tensor):
        sequences = [sequences[i] for i in range(sequences.shape[0])]
    try:
        sequences = list(sequences)
    except TypeError:
        raise RuntimeError(f"{fn}: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}") from None
    if padding_side not in ("left", "right"):
        raise ValueError(f"{fn}: padding_side must be 'left' or 'right', got {padding_side!r}")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"{fn}: sequences[{i}] must be a Tensor, got {type(s).__name__}")
        if s.ndim == 0:
            raise ValueError(f"{fn}: sequences[{i}] is a scalar; each sequence needs a first "
                             "(time) dimension")
    trailing = sequences[0].shape[1:]
    for i, s in enumerate(sequences):
        if s.shape[1:] != trailing:
            raise ValueError(f"{fn}: every sequence must have the trailing shape {tuple(trailing)} "
                             f"of sequences[0], sequences[{i}] has shape {tuple(s.shape)}")
    dtype = np.result_type(*[s.dtype for s in sequences])
    steps = max(s.shape[0] for s in sequences)
    padded = np.full((len(sequences), steps) + tuple(trailing), padding_value, dtype=dtype)
    spans = []
    for i, s in enumerate(sequences):
        n = s.shape[0]
        span = slice(0, n) if padding_side == "right" else slice(steps - n, steps)
        padded[i, span] = s._data
        spans.append(span)

    def backward(g, out):
        return tuple(g[i, span] if s.requires_grad else None
                     for i, (s, span) in enumerate(zip(sequences, spans)))

    out = make(padded, tuple(sequences), backward, "PadSequence", SAVES_NOTHING)
    return out if batch_first else out.transpose(0, 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of Tensors (L_i, *): ``pack_padded_sequence(pad_sequence(sequences),
    lengths, enforce_sorted=enforce_sorted)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of Tensors (L_i, *) that :func:`pack_sequence` packed."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return [padded[i, :int(n)] for i, n in enumerate(lengths._data)]


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of Tensors ``padded[:lengths[b], b]`` (or ``padded[b, :lengths[b]]``)."""
    lengths = _lengths_array(lengths, "unpad_sequence")
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(lengths)]
