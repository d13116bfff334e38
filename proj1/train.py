"""Training and evaluation of the project 1 networks, one seeded round at a time."""
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import dlc_practical_prologue as prologue  # noqa: E402
from models import Baseline, Comparator, Siamese  # noqa: E402


@dataclass
class Arch:
    """How to build and train one architecture."""
    make: Callable[[], nn.Module]
    epochs: int = 25
    aux_weight: float = 0.0
    augment: bool = False
    lr: float = 1e-3


AUX_WEIGHT = 3.0  # chosen by `python test.py --archs shared_aux best --aux-weight W`, see README.md

ARCHS = {
    'baseline': Arch(Baseline),
    'siamese': Arch(lambda: Siamese(shared=False), lr=3e-3),
    'shared': Arch(lambda: Siamese(shared=True), lr=3e-3),
    'siamese_aux': Arch(lambda: Siamese(shared=False), aux_weight=AUX_WEIGHT, lr=3e-3),
    'shared_aux': Arch(lambda: Siamese(shared=True), aux_weight=AUX_WEIGHT, lr=3e-3),
    'best': Arch(Comparator, aux_weight=AUX_WEIGHT, augment=True, lr=3e-3),
}


def pairs_of(digits, classes):
    """N x 2 x 14 x 14 pairs, their targets and N x 2 classes from 2N digits in pair order."""
    classes = classes.view(-1, 2)
    return digits.view(-1, 2, 14, 14), (classes[:, 0] <= classes[:, 1]).long(), classes


def translated(digits, max_shift=1):
    """Each 14 x 14 image of `digits` moved by a random whole number of pixels in both axes,
    the uncovered pixels copied from the border (the background)."""
    n = digits.size(0)
    shift = torch.randint(-max_shift, max_shift + 1, (n, 2), device=digits.device) * (2 / 14)
    theta = torch.zeros(n, 2, 3, device=digits.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, (n, 1, 14, 14), align_corners=False)
    return F.grid_sample(digits, grid, padding_mode='border', align_corners=False)


def augmented(input, classes):
    """New training pairs: the 2N digits, each moved by up to one pixel, paired again at
    random (which also swaps digits), with the targets recomputed from the classes."""
    order = torch.randperm(2 * input.size(0), device=input.device)
    digits = translated(input.reshape(-1, 1, 14, 14)[order])
    return pairs_of(digits, classes.reshape(-1)[order])


def loss_of(model, input, target, classes, aux_weight):
    """Cross-entropy of the comparison, plus `aux_weight` times that of the digit classes."""
    comparison, digits = model(input)
    loss = F.cross_entropy(comparison, target)
    if aux_weight:
        loss = loss + aux_weight * F.cross_entropy(digits.reshape(-1, 10), classes.reshape(-1))
    return loss


def train(model, input, target, classes, epochs, aux_weight=0.0, augment=False, lr=1e-3, batch_size=100):
    """Adam on mini-batches of the in-memory training pairs; returns the last epoch's mean loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * -(-input.size(0) // batch_size))
    for _ in range(epochs):
        model.train()
        x, t, c = augmented(input, classes) if augment else (input, target, classes)
        order = torch.randperm(x.size(0), device=x.device)
        total = 0.0
        for batch in order.split(batch_size):
            loss = loss_of(model, x[batch], t[batch], c[batch], aux_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item() * batch.size(0)
    return total / x.size(0)


@torch.no_grad()
def error_rate(model, input, target, batch_size=1000):
    """Fraction of the pairs whose comparison `model` gets wrong."""
    model.eval()
    wrong = sum((model(x)[0].argmax(1) != t).sum().item()
                for x, t in zip(input.split(batch_size), target.split(batch_size)))
    return wrong / input.size(0)


def standardized_pair_sets(nb=1000, device='cpu'):
    """`generate_pair_sets(nb)` on `device`, both inputs scaled by the training mean and std."""
    train_input, train_target, train_classes, test_input, test_target, test_classes = (
        tensor.to(device) for tensor in prologue.generate_pair_sets(nb))
    mu, std = train_input.mean(), train_input.std()
    return ((train_input - mu) / std, train_target, train_classes,
            (test_input - mu) / std, test_target, test_classes)


def run_round(arch, seed, device='cpu'):
    """Train `arch` on freshly drawn pairs with a fresh initialisation, both from `seed`.

    Returns (train error, test error, training seconds).
    """
    torch.manual_seed(seed)
    train_input, train_target, train_classes, test_input, test_target, test_classes = \
        standardized_pair_sets(device=device)
    model = arch.make().to(device, memory_format=torch.channels_last)  # faster convolutions and pooling on CPU
    start = time.perf_counter()
    train(model, train_input, train_target, train_classes, arch.epochs, arch.aux_weight, arch.augment, arch.lr)
    if device != 'cpu':
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return error_rate(model, train_input, train_target), error_rate(model, test_input, test_target), seconds
