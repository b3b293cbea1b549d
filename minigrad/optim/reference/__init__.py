"""Plain-numpy reference implementations of every optimizer update rule.

Readable, one parameter at a time, no Numba and no flat buffers: this is the specification the
fused kernels in :mod:`minigrad.optim.kernels` are tested against, step for step. Modules:
:mod:`._classic` (SGD ... NAdam), :mod:`._pytorch_newer` (RAdam, Rprop, ASGD, Adafactor, Muon),
:mod:`._beyond_pytorch` (Lion, schedule-free SGD/AdamW, Prodigy). The formulas
follow PyTorch's documented algorithms, in the operation order of its single-tensor ("for-loop")
implementations, so they also agree with ``torch.optim`` to rounding (Lion, schedule-free and Prodigy follow their
authors' packages the same way). Elementwise rules reproduce the kernels bit for bit; the rules
with reductions (Adafactor, Muon, Prodigy: norms, row/column means, global sums) and Muon's
matrix products sum in another order and agree to rounding.

Each class takes a list of numpy arrays (updated in place) and the optimizer's hyperparameters;
``step(grads)`` takes one gradient array per parameter, or None to skip that parameter (no update
and no state change, as in PyTorch). Scalars are Python floats: with numpy's promotion rules
(NEP 50) they are rounded to the array's dtype, exactly as the kernels receive them.

Example::

    p = [np.zeros(3, np.float32)]
    opt = Adam(p, lr=1e-3)
    opt.step([np.ones(3, np.float32)])
"""
from ._beyond_pytorch import AdamWScheduleFree, Lion, Prodigy, SGDScheduleFree
from ._classic import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop
from ._pytorch_newer import ASGD, RAdam, Adafactor, Muon, Rprop

__all__ = ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam",
           "RAdam", "Rprop", "ASGD", "Adafactor", "Muon", "Lion", "SGDScheduleFree",
           "AdamWScheduleFree", "Prodigy"]
