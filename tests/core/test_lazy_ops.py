"""The later op groups load on first use: `import minigrad` leaves them out, and every name they
export still resolves as `minigrad.<name>` and as a Tensor method."""
import importlib
import subprocess
import sys

import minigrad

LAZY = ("math_more", "products_more", "scatter", "statistics", "introspection", "decompositions")


def test_import_leaves_the_later_op_groups_unloaded():
    code = ("import sys, minigrad\n"
            f"print([m for m in {LAZY!r} if 'minigrad.ops.' + m in sys.modules])\n"
            "t = minigrad.tensor([0.5])\n"
            "t.asin(); minigrad.kron(t, t)\n"
            "print('minigrad.ops.math_more' in sys.modules, 'minigrad.ops.products_more' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True True"]


def test_every_exported_name_resolves_and_is_the_module_s_own():
    for name in LAZY:
        module = importlib.import_module(f"minigrad.ops.{name}")
        assert module.__all__
        for public in module.__all__:
            value = getattr(minigrad, public)
            if not hasattr(module, public):
                raise AssertionError(f"{name}.__all__ names {public}, which it lacks")
            # an older name minigrad already had wins (the groups never redefine one)
            assert value is getattr(module, public) or public in vars(minigrad), public
        assert set(module.__all__) <= set(dir(minigrad))


def test_unknown_names_still_raise_attribute_error():
    try:
        minigrad.no_such_function
    except AttributeError as e:
        assert "no_such_function" in str(e)
    else:
        raise AssertionError("expected AttributeError")
