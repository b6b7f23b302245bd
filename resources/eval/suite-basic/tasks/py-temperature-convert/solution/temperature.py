_TO_C = {"C": lambda v: v, "F": lambda v: (v - 32) * 5 / 9, "K": lambda v: v - 273.15}
_FROM_C = {"C": lambda c: c, "F": lambda c: c * 9 / 5 + 32, "K": lambda c: c + 273.15}


def convert(value, from_unit, to_unit):
    """value in from_unit expressed in to_unit; units are "C", "F" and "K"."""
    if from_unit not in _TO_C or to_unit not in _FROM_C:
        raise ValueError(f"unknown unit: {from_unit} or {to_unit}")
    return _FROM_C[to_unit](_TO_C[from_unit](value))


def c_to_f(c):
    return convert(c, "C", "F")


def f_to_c(f):
    return convert(f, "F", "C")


def c_to_k(c):
    return convert(c, "C", "K")


def k_to_c(k):
    return convert(k, "K", "C")
