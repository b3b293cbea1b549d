"""A two-minute tour of minigrad's autograd: build an expression, backprop, check it.

    python examples/backprop_tour.py
"""
import numpy as np

import minigrad as mg

import _args  # examples/_args.py: argument types with one-line errors

_args.parser(__doc__).parse_args()  # no options; answers --help instead of running

# A tiny neuron: y = tanh(w . x + b), loss = (y - target)^2
x = mg.tensor([0.5, -1.5, 2.0])
w = mg.tensor([0.1, 0.2, -0.3], requires_grad=True)
b = mg.tensor(0.05, requires_grad=True)
y = (w @ x + b).tanh()
loss = (y - 1.0) ** 2
loss.backward()
print(f"y = {y.item():.4f}, loss = {loss.item():.4f}")
print("dloss/dw =", w.grad)
print("dloss/db =", b.grad)

# The same gradient by hand: dloss/dw = 2 (y - 1) (1 - y^2) x
by_hand = 2 * (y.item() - 1) * (1 - y.item() ** 2) * x.numpy()
print("by hand  =", np.round(by_hand, 4))

# gradcheck compares backprop with finite differences (float64)
w64 = w.detach().double().requires_grad_()
print("gradcheck:", mg.gradcheck(lambda w: ((w @ x.double() + 0.05).tanh() - 1) ** 2, (w64,)))

# Gradients of gradients: d2/dz2 sin(z) = -sin(z)
z = mg.tensor(0.7, dtype=mg.float64, requires_grad=True)
(dz,) = mg.autograd.grad(z.sin(), z, create_graph=True)
(d2z,) = mg.autograd.grad(dz, z)
print(f"d/dz sin = {dz.item():.4f} (cos 0.7 = {np.cos(0.7):.4f}); "
      f"d2/dz2 sin = {d2z.item():.4f} (-sin 0.7 = {-np.sin(0.7):.4f})")
