"""Method forms of :mod:`minigrad.ops.math_more`: a mixin of :class:`minigrad.Tensor`."""

from ._lazy import LazyModule

_ops = LazyModule("minigrad.ops.math_more", globals(), "_ops")
_inp = LazyModule("minigrad.ops.math_inplace", globals(), "_inp")


class TensorMathMethods:
    """Mixin: PyTorch method forms of :mod:`minigrad.ops.math_more`. In-place forms go
    through :mod:`minigrad._inplace` (``needs_old``: the backward reads the old values)."""

    __slots__ = ()

    def tan(self):
        return _ops.tan(self)

    def tan_(self):
        return _inp.inplace_unary(self, "tan_", _ops.tan, False)

    def asin(self):
        return _ops.asin(self)

    def asin_(self):
        return _inp.inplace_unary(self, "asin_", _ops.asin, True)

    arcsin = asin
    arcsin_ = asin_

    def acos(self):
        return _ops.acos(self)

    def acos_(self):
        return _inp.inplace_unary(self, "acos_", _ops.acos, True)

    arccos = acos
    arccos_ = acos_

    def atan(self):
        return _ops.atan(self)

    def atan_(self):
        return _inp.inplace_unary(self, "atan_", _ops.atan, True)

    arctan = atan
    arctan_ = atan_

    def sinh(self):
        return _ops.sinh(self)

    def sinh_(self):
        return _inp.inplace_unary(self, "sinh_", _ops.sinh, True)

    def cosh(self):
        return _ops.cosh(self)

    def cosh_(self):
        return _inp.inplace_unary(self, "cosh_", _ops.cosh, True)

    def asinh(self):
        return _ops.asinh(self)

    def asinh_(self):
        return _inp.inplace_unary(self, "asinh_", _ops.asinh, True)

    arcsinh = asinh
    arcsinh_ = asinh_

    def acosh(self):
        return _ops.acosh(self)

    def acosh_(self):
        return _inp.inplace_unary(self, "acosh_", _ops.acosh, True)

    arccosh = acosh
    arccosh_ = acosh_

    def atanh(self):
        return _ops.atanh(self)

    def atanh_(self):
        return _inp.inplace_unary(self, "atanh_", _ops.atanh, True)

    arctanh = atanh
    arctanh_ = atanh_

    def sinc(self):
        return _ops.sinc(self)

    def sinc_(self):
        return _inp.inplace_unary(self, "sinc_", _ops.sinc, True)

    def deg2rad(self):
        return _ops.deg2rad(self)

    def deg2rad_(self):
        return _inp.inplace_unary(self, "deg2rad_", _ops.deg2rad, False)

    def rad2deg(self):
        return _ops.rad2deg(self)

    def rad2deg_(self):
        return _inp.inplace_unary(self, "rad2deg_", _ops.rad2deg, False)

    def erfc(self):
        return _ops.erfc(self)

    def erfc_(self):
        return _inp.inplace_unary(self, "erfc_", _ops.erfc, True)

    def erfinv(self):
        return _ops.erfinv(self)

    def erfinv_(self):
        return _inp.inplace_unary(self, "erfinv_", _ops.erfinv, False)

    def lgamma(self):
        return _ops.lgamma(self)

    def lgamma_(self):
        return _inp.inplace_unary(self, "lgamma_", _ops.lgamma, True)

    def digamma(self):
        return _ops.digamma(self)

    def digamma_(self):
        return _inp.inplace_unary(self, "digamma_", _ops.digamma, True)

    def atan2(self, other):
        return _ops.atan2(self, other)

    def atan2_(self, other):
        return _inp.inplace_binary(self, "atan2_", _ops.atan2, other, True)

    arctan2 = atan2
    arctan2_ = atan2_

    def hypot(self, other):
        return _ops.hypot(self, other)

    def hypot_(self, other):
        return _inp.inplace_binary(self, "hypot_", _ops.hypot, other, True)

    def xlogy(self, other):
        return _ops.xlogy(self, other)

    def xlogy_(self, other):
        return _inp.inplace_binary(self, "xlogy_", _ops.xlogy, other, True)

    def copysign(self, other):
        return _ops.copysign(self, other)

    def copysign_(self, other):
        return _inp.inplace_binary(self, "copysign_", _ops.copysign, other, True)

    def logaddexp(self, other):
        return _ops.logaddexp(self, other)

    def logaddexp2(self, other):
        return _ops.logaddexp2(self, other)

    def fmax(self, other):
        return _ops.fmax(self, other)

    def fmin(self, other):
        return _ops.fmin(self, other)

    def heaviside(self, values):
        return _ops.heaviside(self, values)

    def signbit(self):
        return _ops.signbit(self)

    def sgn(self):
        return _ops.sgn(self)

    def sgn_(self):
        return _inp.inplace_unary(self, "sgn_", _ops.sgn, False, float_result=False)

    def logit(self, eps=None):
        return _ops.logit(self, eps)

    def logit_(self, eps=None):
        return _inp.inplace_unary(self, "logit_", lambda x: _ops.logit(x, eps), True)

    def polygamma(self, n):
        return _ops.polygamma(n, self)

    def polygamma_(self, n):
        return _inp.inplace_unary(self, "polygamma_", lambda x: _ops.polygamma(n, x), True)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _ops.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        _ops.nan_to_num(self, nan, posinf, neginf)  # checks the arguments before any write
        return _inp.inplace_unary(self, "nan_to_num_",
                                  lambda x: _ops.nan_to_num(x, nan, posinf, neginf), True,
                                  float_result=False)

    def clamp_min(self, min):  # noqa: A002  (PyTorch's name)
        return _ops.clamp_min(self, min)

    def clamp_min_(self, min):  # noqa: A002
        _ops.clamp_min(self, min)  # checks the bound before any write
        return _inp.inplace_binary(self, "clamp_min_", lambda x, m: _ops.clamp_min(x, m), min,
                                   True, float_result=False)

    def clamp_max(self, max):  # noqa: A002  (PyTorch's name)
        return _ops.clamp_max(self, max)

    def clamp_max_(self, max):  # noqa: A002
        _ops.clamp_max(self, max)  # checks the bound before any write
        return _inp.inplace_binary(self, "clamp_max_", lambda x, m: _ops.clamp_max(x, m), max,
                                   True, float_result=False)

    def lerp(self, end, weight):
        return _ops.lerp(self, end, weight)

    def lerp_(self, end, weight):
        return _inp.lerp_inplace(self, end, weight)

    def float_power(self, exponent):
        return _ops.float_power(self, exponent)

    def float_power_(self, exponent):
        """In place; as PyTorch, only a float64 tensor can hold the float64 result."""
        import numpy as np
        if self.dtype != np.float64:
            raise RuntimeError(f"float_power_: the base has dtype {self.dtype} but the "
                               "operation's result requires dtype float64")
        return _inp.inplace_binary(self, "float_power_", _ops.float_power, exponent, True)

    # ----- bitwise, with the operators ----------------------------------------------------
    def bitwise_not(self):
        return _ops.bitwise_not(self)

    def bitwise_not_(self):
        _ops.bitwise_not(self)  # checks the dtype before any write
        return _inp.inplace_unary(self, "bitwise_not_", _ops.bitwise_not, False,
                                  float_result=False)

    def bitwise_and(self, other):
        return _ops.bitwise_and(self, other)

    def bitwise_and_(self, other):
        _ops.bitwise_and(self, other)  # checks the operands before any write
        return _inp.inplace_binary(self, "bitwise_and_", _ops.bitwise_and, other, False,
                                   float_result=False)

    def __rand__(self, other):
        return _ops.bitwise_and(other, self)

    def __iand__(self, other):
        return self.bitwise_and_(other)

    def bitwise_or(self, other):
        return _ops.bitwise_or(self, other)

    def bitwise_or_(self, other):
        _ops.bitwise_or(self, other)  # checks the operands before any write
        return _inp.inplace_binary(self, "bitwise_or_", _ops.bitwise_or, other, False,
                                   float_result=False)

    def __ror__(self, other):
        return _ops.bitwise_or(other, self)

    def __ior__(self, other):
        return self.bitwise_or_(other)

    def bitwise_xor(self, other):
        return _ops.bitwise_xor(self, other)

    def bitwise_xor_(self, other):
        _ops.bitwise_xor(self, other)  # checks the operands before any write
        return _inp.inplace_binary(self, "bitwise_xor_", _ops.bitwise_xor, other, False,
                                   float_result=False)

    def __xor__(self, other):
        return _ops.bitwise_xor(self, other)

    def __rxor__(self, other):
        return _ops.bitwise_xor(other, self)

    def __ixor__(self, other):
        return self.bitwise_xor_(other)

    def bitwise_left_shift(self, other):
        return _ops.bitwise_left_shift(self, other)

    def bitwise_left_shift_(self, other):
        _ops.bitwise_left_shift(self, other)  # checks the operands before any write
        return _inp.inplace_binary(self, "bitwise_left_shift_", _ops.bitwise_left_shift, other,
                                   False, float_result=False)

    def __lshift__(self, other):
        return _ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return _ops.bitwise_left_shift(other, self)

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def bitwise_right_shift(self, other):
        return _ops.bitwise_right_shift(self, other)

    def bitwise_right_shift_(self, other):
        _ops.bitwise_right_shift(self, other)  # checks the operands before any write
        return _inp.inplace_binary(self, "bitwise_right_shift_", _ops.bitwise_right_shift, other,
                                   False, float_result=False)

    def __rshift__(self, other):
        return _ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return _ops.bitwise_right_shift(other, self)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)
