"""More elementwise math with PyTorch's names: inverse trigonometric and hyperbolic functions, atan2, hypot, logit, xlogy, logaddexp, lerp, and friends."""

__all__ = []
