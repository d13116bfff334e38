"""The networks of project 1: each reads N x 2 x 14 x 14 digit pairs and returns
`(comparison, digits)`, N x 2 logits of "first digit > second" / "first digit <= second",
and N x 2 x 10 digit-class logits (None for the networks without digit outputs)."""
import torch
from torch import nn
from torch.nn import functional as F


def nb_parameters(model):
    """Number of trainable scalars of `model`."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class ConvNet(nn.Module):
    """The handout's convnet on 14 x 14 images: two convolutions with max-pooling, two linear layers."""

    def __init__(self, in_channels, outputs, channels=32, hidden=200):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, kernel_size=3)
        self.conv2 = nn.Conv2d(channels, 2 * channels, kernel_size=3)
        self.fc1 = nn.Linear(8 * channels, hidden)
        self.fc2 = nn.Linear(hidden, outputs)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), kernel_size=2))
        x = F.relu(F.max_pool2d(self.conv2(x), kernel_size=2))
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


class Baseline(nn.Module):
    """The handout's baseline: the convnet on the 2-channel image, 2 outputs (70,906 parameters)."""

    def __init__(self):
        super().__init__()
        self.net = ConvNet(in_channels=2, outputs=2)

    def forward(self, x):
        return self.net(x), None


def batch_norm_tower(channels=32, hidden=128, dropout=0.3, deep=False):
    """A digit tower with batch norm and dropout: 1 x 14 x 14 digits to 10 logits. Convolutions
    of `channels` at 14 x 14 (two when `deep`, one otherwise), max-pool, of 2 `channels` at
    7 x 7, max-pool, then a linear layer of `hidden` units."""
    c = channels
    return nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
        *((nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU()) if deep else ()), nn.MaxPool2d(2),
        nn.Conv2d(c, 2 * c, 3, padding=1), nn.BatchNorm2d(2 * c), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(2 * c * 9, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, 10))


def lesser_or_equal_log_probabilities(digits):
    """N x 2 log-probabilities of (d1 > d2, d1 <= d2) from N x 2 x 10 digit logits.

    With the two digits independent, P(d1 <= d2) = sum_{i <= j} p1(i) p2(j)
    = sum_j p2(j) cumsum(p1)(j).
    """
    p = digits.softmax(dim=2)
    lesser_or_equal = (p[:, 0].cumsum(dim=1) * p[:, 1]).sum(dim=1)
    return torch.stack((1 - lesser_or_equal, lesser_or_equal), dim=1).clamp(min=1e-12).log()


class DigitTowers(nn.Module):
    """Two digit towers built by `make_tower` (one tower for both digits when `shared`), each
    giving 10 digit logits, and the comparison read from the two 10-vectors: by a learned head
    of `head` hidden units, or, when `head` is 0, as the probability that the first digit's
    class is at most the second's (`lesser_or_equal_log_probabilities`, no parameter)."""

    def __init__(self, make_tower, shared, head=60):
        super().__init__()
        self.tower1 = make_tower()
        self.tower2 = self.tower1 if shared else make_tower()
        self.head = nn.Sequential(nn.Linear(20, head), nn.ReLU(), nn.Linear(head, 2)) if head else None

    def forward(self, x):
        if self.tower1 is self.tower2:  # one pass over all the digits: same result, faster
            digits = self.tower1(x.reshape(-1, 1, 14, 14)).view(-1, 2, 10)
        else:
            digits = torch.stack((self.tower1(x[:, :1]), self.tower2(x[:, 1:])), dim=1)
        comparison = self.head(digits.flatten(1)) if self.head else lesser_or_equal_log_probabilities(digits)
        return comparison, digits


class Siamese(DigitTowers):
    """Two of the handout's convnets (shared or not), on one digit each with 10 outputs, and a
    head 20-60-2. The unshared towers are narrower by default (22/44 channels, fc 140) so that
    both variants hold about 72,000 parameters."""

    def __init__(self, shared, channels=None, hidden=None, head=60):
        channels = channels or (32 if shared else 22)
        hidden = hidden or (200 if shared else 140)
        super().__init__(lambda: ConvNet(1, 10, channels, hidden), shared, head)


class Comparator(DigitTowers):
    """Our best network by default: one shared batch-norm tower (one convolution at 14 x 14)
    classifies each digit, and the comparison is the probability that the first class is at
    most the second (no head). The options give the variants of the ablation and of the
    selection: unshared towers, a learned head, the deeper tower of the previous best."""

    def __init__(self, channels=32, hidden=128, dropout=0.3, deep=False, shared=True, head=0):
        super().__init__(lambda: batch_norm_tower(channels, hidden, dropout, deep), shared, head)
