"""Run every assignment in its handout configuration, one after the other.

    python3 run_all.py                 # homework 3 with the quick setting (--epochs 2)
    python3 run_all.py --hw3-epochs 50 # homework 3 as the handout runs it

Homework 3's logs and figures go to runs/hw3/ (git-ignored), never over hw3_report/.

MNIST and CIFAR-10 are provided first (found, downloaded, or laid out from the offline copy
beside the repository: course_data.py); each assignment then prints its own error rates, and
this script adds a header and the time.
"""
import argparse
import os
import subprocess
import sys
import time

from torchvision import datasets

import course_data
from dlc_practical_prologue import positive_int

ROOT = os.path.dirname(os.path.abspath(__file__))


def assignments(hw3_epochs):
    """(title, folder, command) of each assignment."""
    return [
        ('Practical 3: MLP from scratch on MNIST', ROOT, ['practical3_mlp.py', '--print-every', '100']),
        ('Project 1: digit-pair comparison', os.path.join(ROOT, 'proj1'), ['test.py']),
        ('Project 2: mini deep-learning framework', os.path.join(ROOT, 'proj2'), ['test.py']),
        ('Homework 3: CIFAR-10 regression experiments', ROOT,
         ['hw3_trainer.py', '--epochs', str(hw3_epochs), '--out', os.path.join('runs', 'hw3')]),
    ]


def provide_data():
    """Make sure that MNIST and CIFAR-10 are in the data folder before any assignment starts."""
    for dataset_class, name in ((datasets.MNIST, 'mnist'), (datasets.CIFAR10, 'cifar10')):
        course_data.load(dataset_class, os.path.join(course_data.data_dir(), name), train=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hw3-epochs', type=positive_int, default=2, help='epochs of each homework 3 experiment (default 2; handout: 50)')
    options = parser.parse_args()
    provide_data()
    failed = []
    for title, folder, command in assignments(options.hw3_epochs):
        print(f'\n{"=" * 78}\n{title}\n$ (cd {os.path.relpath(folder, ROOT)} && python3 {" ".join(command)})\n{"=" * 78}',
              flush=True)
        start = time.time()
        code = subprocess.call([sys.executable] + command, cwd=folder)
        print(f'--- {title}: exit {code}, {time.time() - start:.0f} s', flush=True)
        if code:
            failed.append(title)
    if failed:
        sys.exit('failed: ' + '; '.join(failed))


if __name__ == '__main__':
    try:
        main()
    except course_data.DataUnavailableError as error:
        sys.exit(f'error: {error}')
