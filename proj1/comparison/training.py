"""Training and evaluation of the project 1 networks, one seeded round at a time."""
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import torch
from torch import nn
from torch.nn import functional as F

from .models import Baseline, Comparator, Siamese


class Diverged(ArithmeticError):
    """A training whose loss stopped being finite: 'diverged at epoch k: loss nan'."""


class DataUnavailable(RuntimeError):
    """The digit pairs cannot be drawn: MNIST is neither on disk nor downloadable."""


def import_prologue():
    """The course's dlc_practical_prologue, of which project 1 uses `generate_pair_sets` alone. It parses the
    command line when imported, and the course's own refuses the options it does not know (ours ignores
    them): it is imported with none of the script's options, so its flags keep their defaults (the data
    folder comes through $PYTORCH_DATA_DIR: --data_dir)."""
    argv, sys.argv = sys.argv, sys.argv[:1]
    try:
        try:  # beside test.py in the hand-in (Proj1/), else at this repository's root
            import dlc_practical_prologue
        except ModuleNotFoundError as missing:
            if missing.name != 'dlc_practical_prologue':
                raise
            sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
            import dlc_practical_prologue
    finally:
        sys.argv = argv
    return dlc_practical_prologue


prologue = import_prologue()  # now, as it seeds torch when imported


def pairs_of(digits, classes):
    """N x 2 x 14 x 14 pairs, their targets and N x 2 classes from 2N digits in pair order."""
    classes = classes.view(-1, 2)
    return digits.view(-1, 2, 14, 14), (classes[:, 0] <= classes[:, 1]).long(), classes


def affine_moved(images, theta):
    """`images` (N x C x 14 x 14) through the N x 2 x 3 affine maps `theta` of normalised
    coordinates, the uncovered pixels copied from the border (the background)."""
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    return F.grid_sample(images, grid, padding_mode='border', align_corners=False)


def translated(digits, max_shift=1):
    """Each 14 x 14 image of `digits` moved by a random whole number of pixels in both axes."""
    n = digits.size(0)
    theta = torch.eye(2, 3, device=digits.device).repeat(n, 1, 1)
    theta[:, :, 2] = torch.randint(-max_shift, max_shift + 1, (n, 2), device=digits.device) * (2 / 14)
    return affine_moved(digits, theta)


def distorted(digits, shift=1.0, degrees=10.0, scale=0.1):
    """Each 14 x 14 image of `digits` rotated by up to `degrees`, scaled by up to 1 +- `scale`
    and moved by up to `shift` pixels in both axes, all drawn uniformly (one affine map each)."""
    n, device = digits.size(0), digits.device
    angle = (2 * torch.rand(n, device=device) - 1) * math.radians(degrees)
    zoom = 1 + (2 * torch.rand(n, device=device) - 1) * scale
    cos, sin = angle.cos() / zoom, angle.sin() / zoom
    theta = torch.stack((torch.stack((cos, -sin), 1), torch.stack((sin, cos), 1)), 1)
    theta = torch.cat((theta, (2 * torch.rand(n, 2, 1, device=device) - 1) * shift * (2 / 14)), 2)
    return affine_moved(digits, theta)


def augmented(input, classes, repair=True, distort=None):
    """New training pairs: the 2N digits, each through `distort` when given, paired again at
    random when `repair` (which also swaps digits), the targets recomputed from the classes."""
    digits, classes = input.reshape(-1, 1, 14, 14), classes.reshape(-1)
    if repair:
        order = torch.randperm(digits.size(0), device=digits.device)
        digits, classes = digits[order], classes[order]
    if distort:
        digits = distort(digits)
    return pairs_of(digits, classes)


@dataclass
class Arch:
    """How to build, train and test one architecture."""
    make: Callable[[], nn.Module]
    epochs: int = 25
    aux_weight: float = 0.0
    lr: float = 1e-3
    repair: bool = False  # pair the training digits again at every epoch
    distort: Optional[Callable] = None  # random distortion of every training digit at every epoch
    test_shifts: int = 0  # predictions averaged over the test pair moved by up to this many pixels


AUX_WEIGHT = 3.0  # chosen by `python test.py --archs shared_aux best --aux-weight W`, see README.md

ARCHS = {
    'baseline': Arch(Baseline),
    'siamese': Arch(lambda: Siamese(shared=False), lr=3e-3),
    'shared': Arch(lambda: Siamese(shared=True), lr=3e-3),
    'siamese_aux': Arch(lambda: Siamese(shared=False), aux_weight=AUX_WEIGHT, lr=3e-3),
    'shared_aux': Arch(lambda: Siamese(shared=True), aux_weight=AUX_WEIGHT, lr=3e-3),
    'best': Arch(Comparator, aux_weight=AUX_WEIGHT, lr=3e-3, repair=True, distort=translated),
}


def loss_of(model, input, target, classes, aux_weight):
    """Cross-entropy of the comparison, plus `aux_weight` times that of the digit classes."""
    comparison, digits = model(input)
    loss = F.cross_entropy(comparison, target)
    if aux_weight:
        loss = loss + aux_weight * F.cross_entropy(digits.reshape(-1, 10), classes.reshape(-1))
    return loss


def make_adam_step(model, arch, nb_steps):
    """The training step of `model`, a function of a mini-batch (pairs, targets, classes) that takes one step
    of Adam on `loss_of` and returns the loss, the learning rate annealed to 0 by a cosine over `nb_steps`."""
    optimizer = torch.optim.Adam(model.parameters(), lr=arch.lr, foreach=True)  # one call per step for all tensors
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, nb_steps)

    def step(input, target, classes):
        loss = loss_of(model, input, target, classes, arch.aux_weight)
        optimizer.zero_grad()
        loss.backward()
        try:
            optimizer.step()
        except RuntimeError as error:  # a step that float32 cannot hold (lr 1e38 over Adam's bias correction)
            if 'overflow' not in str(error):
                raise
            return math.inf
        scheduler.step()
        return loss.item()
    return step


def train(model, input, target, classes, arch, make_step=make_adam_step, batch_size=100):
    """`arch.epochs` passes over the training pairs in mini-batches of a new random order, augmented afresh
    at every epoch when `arch.repair` or `arch.distort`, each batch through `make_step(model, arch, number of
    steps)`; returns the mean loss of each epoch, or raises Diverged at the first step whose loss is not finite
    (or whose update overflows)."""
    step = make_step(model, arch, arch.epochs * -(-input.size(0) // batch_size))
    losses = []
    for epoch in range(1, arch.epochs + 1):
        model.train()
        augment = arch.repair or arch.distort
        x, t, c = augmented(input, classes, arch.repair, arch.distort) if augment else (input, target, classes)
        order = torch.randperm(x.size(0), device=x.device)
        total = 0.0
        for batch in order.split(batch_size):
            total += step(x[batch], t[batch], c[batch]) * batch.size(0)
            if not math.isfinite(total):
                raise Diverged(f'diverged at epoch {epoch}: loss {total}')
        losses.append(total / x.size(0))
    return losses


def shifted_copies(input, max_shift):
    """`input` (N x C x 14 x 14) and its copies moved by every whole number of pixels up to
    `max_shift` along each axis (border pixels repeated): (2 max_shift + 1)^2 tensors."""
    m = max_shift
    padded = F.pad(input, (m, m, m, m), mode='replicate')
    return [padded[:, :, m + dy:m + dy + 14, m + dx:m + dx + 14] for dy in range(-m, m + 1) for dx in range(-m, m + 1)]


@torch.no_grad()
def predict(model, input, test_shifts=0):
    """The comparison that `model` predicts for each pair, from its probabilities averaged
    over the pair moved by up to `test_shifts` pixels (test-time averaging; 0: the pair alone)."""
    model.eval()
    probabilities = sum(model(x)[0].softmax(1) for x in shifted_copies(input, test_shifts))
    if not probabilities.isfinite().all():
        raise Diverged('diverged: the trained network\'s outputs are not finite')
    return probabilities.argmax(1)


def error_rate(model, input, target, test_shifts=0):
    """Fraction of the pairs whose comparison `model` gets wrong."""
    return (predict(model, input, test_shifts) != target).float().mean().item()


def standardized_pair_sets(nb=1000, device='cpu'):
    """`generate_pair_sets(nb)` on `device`, both inputs scaled by the training mean and std."""
    try:
        pair_sets = prologue.generate_pair_sets(nb)
    except (OSError, RuntimeError) as error:  # torchvision's failed download; this repository's prologue's error
        raise DataUnavailable(f'cannot draw the digit pairs: {" ".join(str(error).split())}') from error
    train_input, train_target, train_classes, test_input, test_target, test_classes = (
        tensor.to(device) for tensor in pair_sets)
    mu, std = train_input.mean(), train_input.std()
    return ((train_input - mu) / std, train_target, train_classes,
            (test_input - mu) / std, test_target, test_classes)


class Draw(NamedTuple):
    """The pair sets of a round and the state of torch's generator after drawing them."""
    pair_sets: tuple
    rng_state: torch.Tensor


def draw(seed, device='cpu'):
    """The pair sets of the round seeded by `seed` (the same for every architecture)."""
    torch.manual_seed(seed)
    pair_sets = standardized_pair_sets(device=device)
    return Draw(pair_sets, torch.get_rng_state())


class Round(NamedTuple):
    train_error: float
    test_error: float
    seconds: float  # training and predicting the test pairs
    single_test_error: float  # without test-time averaging
    losses: list  # the mean training loss of each epoch


def run_round(arch, seed, device='cpu', drawn=None, convert=None, make_step=make_adam_step):
    """Train `arch` on the pairs drawn from `seed` (`drawn`, or drawn here) with a fresh
    initialisation from the same seed, then predict the test pairs: a `Round`. The network that
    trains is `arch.make()`, or what `convert` makes of it, with `make_step`'s steps."""
    drawn = drawn or draw(seed, device)
    train_input, train_target, train_classes, test_input, test_target, _ = drawn.pair_sets
    torch.manual_seed(seed)
    torch.set_rng_state(drawn.rng_state)  # as if the pairs had just been drawn
    model = arch.make().to(device, memory_format=torch.channels_last)  # faster convolutions and pooling on CPU
    if convert:
        model = convert(model)
    start = time.perf_counter()
    losses = train(model, train_input, train_target, train_classes, arch, make_step)
    test_error = error_rate(model, test_input, test_target, arch.test_shifts)
    if device != 'cpu':
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    single = error_rate(model, test_input, test_target) if arch.test_shifts else test_error
    return Round(error_rate(model, train_input, train_target), test_error, seconds, single, losses)
