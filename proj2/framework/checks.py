"""What the framework's arguments must be: predicates that its constructors and calls test before they
change anything (a bool is no number here, NaN and infinities are no finite number)."""
import math


def number(value):
    """Whether `value` is a finite real number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def non_negative(value):
    return number(value) and value >= 0


def fraction(value):
    return number(value) and 0 <= value <= 1


def integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def count(value):
    return integer(value) and value >= 0


def positive_count(value):
    return integer(value) and value >= 1
