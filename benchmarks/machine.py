"""The machine line that each benchmark prints first (an absolute time means nothing without it): the
prologue's, which project 1's table prints too."""
from dlc_practical_prologue import machine_line  # noqa: F401 (re-exported)
