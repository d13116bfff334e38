"""The variants of `best` that the ablation measures, and the candidates that the selection measured
(on seeds 1000 and up) before `best` was chosen."""
import dataclasses
from functools import partial

from .models import Comparator, Siamese
from .training import ARCHS, distorted

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

AFFINE = partial(distorted, shift=1.0, degrees=10.0, scale=0.1)

CANDIDATES = {  # the lighter tower without a second 14 x 14 convolution, `best`, changed one field at a time
    'baseline': ARCHS['baseline'],
    'deep': best_with(make=lambda: Comparator(deep=True)),  # the previous `best`, named so in results/selection_1.json
    'lite': best_with(test_shifts=1),
    'lite_affine': best_with(distort=AFFINE, test_shifts=1),
    'narrow': best_with(make=lambda: Comparator(channels=16, deep=True), distort=AFFINE, test_shifts=1),
    'single': BEST,
    'aux1': best_with(aux_weight=1.0),
    'aux10': best_with(aux_weight=10.0),
    'lr1e-3': best_with(lr=1e-3),
    'epochs15': best_with(epochs=15),
    'epochs35': best_with(epochs=35),
    'epochs50': best_with(epochs=50),
}
