"""Project 1: what each ingredient of `best` is worth, 10 rounds each.

    python ablation.py                      # every variant, 10 rounds each
    python ablation.py --rounds 1 --epochs 1

Rows: the baseline (for the cost ratio); the path from `shared_aux` to `best`, adding one
ingredient at a time (`+name`; `best` is the last step, `+shifts`); `best` with each
ingredient removed in turn (`-name`; `best` without the shifts is the path's `+repairing`,
not trained twice); `best` with two unshared towers of about the same number of parameters
(`unshared`) and without the auxiliary digit losses (`no_aux`); and the previous best, whose
tower has a second convolution at 14 x 14 (`deep`).
"""
import dataclasses

from models import Comparator, Siamese
from test import option_parser, parsed, run_experiment
from train import ARCHS

import course_data  # noqa: E402  (train puts the repository root on sys.path)

BEST = ARCHS['best']


def best_with(**changes):
    """`best` with some of its fields changed."""
    return dataclasses.replace(BEST, **changes)


VARIANTS = {
    'baseline': ARCHS['baseline'],
    'shared_aux': ARCHS['shared_aux'],
    '+bn_tower': best_with(make=lambda: Comparator(head=60), repair=False, distort=None),
    '+probability': best_with(repair=False, distort=None),
    '+repairing': best_with(distort=None),
    'best': BEST,
    '-bn_tower': best_with(make=lambda: Siamese(shared=True, head=0)),
    '-probability': best_with(make=lambda: Comparator(head=60)),
    '-repairing': best_with(repair=False),
    'unshared': best_with(make=lambda: Comparator(shared=False, channels=22, hidden=92)),  # 93,492 parameters
    'no_aux': best_with(aux_weight=0.0),
    'deep': best_with(make=lambda: Comparator(deep=True)),
}


def main():
    run_experiment(VARIANTS, parsed(option_parser(__doc__)))


if __name__ == '__main__':
    course_data.main_or_exit(main)
