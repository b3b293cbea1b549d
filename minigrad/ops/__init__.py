"""Differentiable operations, grouped by kind. Each op computes its output with numpy and
defines its backward right beside it, in terms of Tensor ops (so higher order flows)."""
