"""The EE-559 practicals' prologue: command-line flags and the MNIST / CIFAR-10 loaders.

Flags (read at import, unknown ones ignored so that pytest, notebooks and other scripts
can import this module with flags of their own):

    --full        use the full sets (default: 1,000 train and 1,000 test samples)
    --tiny        use 500 train and 100 test samples
    --seed N      seed torch at import (default 0; N < 0 means no seeding)
    --cifar       load CIFAR-10 instead of MNIST
    --data_dir D  where the data sets live (default $PYTORCH_DATA_DIR, else ./data; in this
                  repository, its data/)

Alone (copied into a hand-in), it behaves like Fleuret's original: the data sets are read from
D/mnist/ and D/cifar10/, downloaded there when missing. In this repository, the first use of a
data set provides it (found, downloaded, or laid out from the offline copy beside the
repository): see course_data.py. Either way a data set that cannot be had is a
DataUnavailableError, which the scripts turn into one line on stderr and exit status 1.
"""
import argparse
import functools
import os

import torch
from torchvision import datasets

try:  # this repository's data folder and offline copy; alone, the original's ./data and download
    import course_data
except ModuleNotFoundError as missing:
    if missing.name != 'course_data':
        raise
    course_data = None

def seed(text):
    """argparse type of --seed: an integer below 2^32, which torch, numpy and random all take (< 0: no seeding)."""
    value = int(text)
    if value >= 2 ** 32:
        raise argparse.ArgumentTypeError(f'{text} is not a seed: at most {2 ** 32 - 1}')
    return value


parser = argparse.ArgumentParser(description='DLC prologue file for practical sessions.', allow_abbrev=False,
                                 add_help=False)  # the scripts' own parsers take -h (practical 3's as a parent)
parser.add_argument('--full', action='store_true', default=False,
                    help='Use the full set, can take ages (default False)')
parser.add_argument('--tiny', action='store_true', default=False,
                    help='Use a very small set for quick checks (default False)')
parser.add_argument('--seed', type=seed, default=0,
                    help='Random seed (default 0, < 0 is no seeding)')
parser.add_argument('--cifar', action='store_true', default=False,
                    help='Use the CIFAR data-set and not MNIST (default False)')
parser.add_argument('--data_dir', type=str, default=None,
                    help="Where are the PyTorch data located (default $PYTORCH_DATA_DIR, else ./data; "
                         "in this repository, its data/)")

args, _ = parser.parse_known_args()

if args.seed >= 0:
    torch.manual_seed(args.seed)

######################################################################
# Where the data is


if course_data:
    DataUnavailableError = course_data.DataUnavailableError
else:
    class DataUnavailableError(RuntimeError):
        """A data set is neither in the data folder nor downloadable."""


def data_dir():
    """`--data_dir`, else `$PYTORCH_DATA_DIR`, else ./data (in this repository, its data/)."""
    if course_data:
        return course_data.data_dir(args.data_dir)
    return args.data_dir or os.environ.get('PYTORCH_DATA_DIR') or './data'


def _dataset(dataset_class, folder, train):
    """torchvision's `dataset_class` in `folder`: downloaded there when missing (alone), provided by course_data
    (in this repository)."""
    if course_data:
        return course_data.load(dataset_class, folder, train)
    try:
        return dataset_class(folder, train=train, download=True)
    except (OSError, RuntimeError) as error:  # no network: URLError is an OSError
        raise DataUnavailableError(
            f'{dataset_class.__name__} is not in {os.path.abspath(folder)} and could not be downloaded '
            f'({type(error).__name__}: {" ".join(str(error).split())}): point --data_dir or $PYTORCH_DATA_DIR at a folder that holds '
            'it') from error


@functools.lru_cache(maxsize=None)
def _mnist(folder, train):
    dataset = _dataset(datasets.MNIST, folder, train)
    return dataset.data.view(-1, 1, 28, 28), dataset.targets


@functools.lru_cache(maxsize=None)
def _cifar(folder, train):
    dataset = _dataset(datasets.CIFAR10, folder, train)
    images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous()
    return images, torch.tensor(dataset.targets, dtype=torch.int64)


def _images(cifar, train):
    """(N x C x H x W float images, N int64 labels) of one split; fresh tensors every call."""
    if cifar:
        images, labels = _cifar(os.path.join(data_dir(), 'cifar10/'), train)
    else:
        images, labels = _mnist(os.path.join(data_dir(), 'mnist/'), train)
    return images.float(), labels.clone()


######################################################################
# The data


def convert_to_one_hot_labels(input, target):
    """N x (max(target) + 1) rows of 0s with a 1 at each target, of `input`'s dtype."""
    tmp = input.new_zeros(target.size(0), int(target.max()) + 1)
    tmp.scatter_(1, target.view(-1, 1), 1.0)
    return tmp


def load_data(cifar=None, one_hot_labels=False, normalize=False, flatten=True):
    """Return `train_input, train_target, test_input, test_target` of MNIST or CIFAR-10.

    Sizes follow the flags: 1,000 / 1,000 by default, 500 / 100 with `--tiny`, all with
    `--full`. Images are floats in 0..255, N x 1 x 28 x 28 (MNIST) or N x 3 x 32 x 32
    (CIFAR-10), reshaped to N x D when `flatten`. `normalize` subtracts the training
    mean and divides by the training standard deviation (two scalars).
    """
    cifar = args.cifar or bool(cifar)
    print('* Using CIFAR' if cifar else '* Using MNIST')
    if args.full and args.tiny:
        raise ValueError('Cannot have both --full and --tiny')

    train_input, train_target = _images(cifar, train=True)
    test_input, test_target = _images(cifar, train=False)

    if flatten:
        train_input = train_input.reshape(train_input.size(0), -1)
        test_input = test_input.reshape(test_input.size(0), -1)

    if not args.full:
        nb_train, nb_test = (500, 100) if args.tiny else (1000, 1000)
        print('** Reduce the data-set to the tiny setup' if args.tiny
              else '** Reduce the data-set (use --full for the full thing)')
        train_input, train_target = train_input[:nb_train], train_target[:nb_train]
        test_input, test_target = test_input[:nb_test], test_target[:nb_test]

    print(f'** Use {train_input.size(0):d} train and {test_input.size(0):d} test samples')

    if one_hot_labels:
        train_target = convert_to_one_hot_labels(train_input, train_target)
        test_target = convert_to_one_hot_labels(test_input, test_target)

    if normalize:
        mu, std = train_input.mean(), train_input.std()
        train_input = (train_input - mu) / std
        test_input = (test_input - mu) / std

    return train_input, train_target, test_input, test_target

######################################################################
# Digit pairs (project 1)


def check_pairs(nb, nb_samples):
    """ValueError unless `nb` pairs of distinct samples can be drawn from `nb_samples`."""
    if not (isinstance(nb, int) and 1 <= nb <= nb_samples // 2):
        raise ValueError(f'nb must be an integer from 1 to {nb_samples // 2} (pairs of distinct samples), '
                         f'got {nb!r}')


def mnist_to_pairs(nb, input, target):
    """`nb` random pairs of distinct samples of `input`, 2x2 average-pooled to 14 x 14.

    Returns N x 2 x 14 x 14 images, N targets `classes[:, 0] <= classes[:, 1]` (int64)
    and the N x 2 digit classes.
    """
    check_pairs(nb, input.size(0))
    a = torch.randperm(input.size(0))[:2 * nb].view(nb, 2)
    pooled = torch.nn.functional.avg_pool2d(input[a.view(-1)], kernel_size=2)
    input = pooled.view(nb, 2 * pooled.size(1), pooled.size(2), pooled.size(3))
    classes = target[a]
    target = (classes[:, 0] <= classes[:, 1]).long()
    return input, target, classes


def generate_pair_sets(nb):
    """`train_input, train_target, train_classes, test_input, test_target, test_classes`.

    `nb` pairs drawn from the MNIST training set and `nb` from the MNIST test set, as
    `mnist_to_pairs` makes them (raw 0-255 pixel scale, not normalised).
    """
    train_input, train_target = _images(cifar=False, train=True)
    test_input, test_target = _images(cifar=False, train=False)
    check_pairs(nb, min(train_input.size(0), test_input.size(0)))
    return mnist_to_pairs(nb, train_input, train_target) + mnist_to_pairs(nb, test_input, test_target)
