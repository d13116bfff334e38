"""Test set-up: the repository root on the path, and the offline CIFAR-10 sums applied."""
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)

from offline_cifar import use_offline_checksums  # noqa: E402

DATA_DIR = os.environ.get('PYTORCH_DATA_DIR') or os.path.join(ROOT, 'data')
os.environ.setdefault('PYTORCH_DATA_DIR', DATA_DIR)
use_offline_checksums(DATA_DIR)
