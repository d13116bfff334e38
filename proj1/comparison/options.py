"""The command line of project 1's scripts: their options, the machine line of their tables, their exit."""
import argparse
import math
import os
import platform
import sys

import torch

from .files import check_writable
from .training import DataUnavailable, Diverged


def positive_int(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive integer')
    return value


def positive_float(text):
    """argparse type: a finite number above 0."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f'{text} is not a finite number above 0')
    return value


SEEDS = 2 ** 32  # numpy, torch and random all take a seed below this


def seed_option(text):
    """argparse type of --seed: an integer from 0 to 2^32 - 1, which numpy, torch and random all take."""
    value = int(text)
    if not 0 <= value < SEEDS:
        raise argparse.ArgumentTypeError(f'{text} is not a seed from 0 to {SEEDS - 1}')
    return value


def device_option(text):
    """argparse type of --device: cpu, cuda or cuda:N, CUDA only where it is available."""
    try:
        device = torch.device(text)
    except RuntimeError:
        device = None
    if device is None or device.type not in ('cpu', 'cuda'):
        raise argparse.ArgumentTypeError(f'{text!r} is not a device (cpu, cuda or cuda:N)')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f'{text}: CUDA is not available here')
    return text


class DataDir(argparse.Action):
    """--data_dir, passed to the prologue as $PYTORCH_DATA_DIR, which the course's and ours both read."""

    def __call__(self, parser, namespace, value, option_string=None):
        os.environ['PYTORCH_DATA_DIR'] = value
        setattr(namespace, self.dest, value)


def option_parser(description, rounds=10, seed=0):
    """The options that every experiment script takes: --rounds, --epochs, --seed, --device, --data_dir."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=positive_int, default=rounds,
                        help='rounds per architecture (default: %(default)s)')
    parser.add_argument('--epochs', type=positive_int, default=None,
                        help="epochs of every architecture (default: each architecture's own)")
    parser.add_argument('--seed', type=seed_option, default=seed, help='round r uses seed + r (default: %(default)s)')
    parser.add_argument('--device', type=device_option, default='cpu',
                        help='cpu, cuda or cuda:N (default: %(default)s)')
    parser.add_argument('--data_dir', action=DataDir, default=None,
                        help="the folder of MNIST's mnist/ (default: $PYTORCH_DATA_DIR, else the prologue's)")
    return parser


def add_out_options(parser):
    """--out and --overwrite, of the scripts that write their results; `parse_options` checks them."""
    parser.add_argument('--out', metavar='FILE.json', default=None,
                        help='also write the table and every round to this JSON file (default: none)')
    parser.add_argument('--overwrite', action='store_true', help='let --out replace an existing file (default: refuse it)')
    return parser


def parse_options(parser):
    """The options of `parser`, once every round's seed is one that numpy and torch take and --out is known
    to be a new file (or --overwrite) in a writable folder: refused in one line, status 2, before any
    training."""
    options = parser.parse_args()
    if options.seed + options.rounds > SEEDS:
        parser.error(f'argument --seed: the last round\'s seed, {options.seed} + {options.rounds - 1}, is not below {SEEDS}')
    if getattr(options, 'out', None):
        if options.out.endswith(('/', os.sep)) or os.path.isdir(options.out):
            parser.error(f'argument --out: {options.out} names a folder, not a file')
        if os.path.lexists(options.out) and not options.overwrite:
            parser.error(f'argument --out: {options.out} exists (--overwrite replaces it)')
        try:
            check_writable(options.out)
        except OSError as error:
            parser.error(f'argument --out: cannot write {options.out} ({error.strerror})')
    return options


def machine_line():
    """CPU model (as lscpu names it, read from /proc/cpuinfo), torch's threads and version, and the GPU if any:
    an absolute time means nothing without it."""
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
    except OSError:
        names = []
    gpu = f', GPU {torch.cuda.get_device_name()}' if torch.cuda.is_available() else ''
    cpu = names[0] if names else platform.processor() or 'unknown CPU'
    return f'{cpu}, {torch.get_num_threads()} threads, torch {torch.__version__}{gpu}'


def main_or_exit(main):
    """Call `main()`; missing data, a diverged training or a file that cannot be read or written ends the
    script with one line on stderr, status 1."""
    try:
        return main()
    except (DataUnavailable, Diverged, OSError) as error:
        sys.exit(f'error: {error}')
