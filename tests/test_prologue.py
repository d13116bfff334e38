"""The course prologue on the real MNIST and CIFAR-10 copies of ../shared/data."""
import argparse
import importlib
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import torch

import course_data
import dlc_practical_prologue as prologue

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def flags(monkeypatch):
    """Set prologue flags for one test; they are restored afterwards."""
    def set_flags(**values):
        for name, value in values.items():
            monkeypatch.setattr(prologue.args, name, value)
    return set_flags


def sizes(data):
    return [tuple(t.shape) for t in data]


@pytest.mark.parametrize('tiny, full, expected', [
    (False, False, [(1000, 784), (1000,), (1000, 784), (1000,)]),
    (True, False, [(500, 784), (500,), (100, 784), (100,)]),
    (False, True, [(60000, 784), (60000,), (10000, 784), (10000,)]),
])
def test_mnist_sizes(flags, tiny, full, expected):
    flags(tiny=tiny, full=full)
    assert sizes(prologue.load_data()) == expected


def test_full_and_tiny_together_is_an_error(flags):
    flags(tiny=True, full=True)
    with pytest.raises(ValueError, match='--full and --tiny'):
        prologue.load_data()


def test_mnist_types_and_ranges():
    train_input, train_target, test_input, test_target = prologue.load_data()
    assert train_input.dtype == test_input.dtype == torch.float32
    assert train_target.dtype == test_target.dtype == torch.int64
    assert train_input.min() == 0 and train_input.max() == 255
    assert set(train_target.tolist()) == set(range(10))
    assert train_target[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # MNIST's first training labels
    assert test_target[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_one_hot_labels():
    _, train_target, _, test_target = prologue.load_data(one_hot_labels=True)
    _, labels, _, _ = prologue.load_data()
    assert train_target.shape == test_target.shape == (1000, 10)
    assert ((train_target == 0) | (train_target == 1)).all()
    assert (train_target.sum(1) == 1).all() and (test_target.sum(1) == 1).all()
    assert (train_target.argmax(1) == labels).all()


def test_convert_to_one_hot_labels_by_hand():
    target = torch.tensor([2, 0, 1])
    expected = torch.tensor([[0., 0., 1.], [1., 0., 0.], [0., 1., 0.]])
    assert torch.equal(prologue.convert_to_one_hot_labels(torch.empty(3, 5), target), expected)


def test_normalize_uses_train_statistics():
    raw_train, _, raw_test, _ = prologue.load_data()
    train_input, _, test_input, _ = prologue.load_data(normalize=True)
    assert abs(train_input.mean().item()) < 1e-4
    assert abs(train_input.std().item() - 1) < 1e-4
    mu, std = raw_train.mean(), raw_train.std()
    assert torch.allclose(test_input, (raw_test - mu) / std, atol=1e-5)


def test_flatten_off_keeps_images():
    train_input, _, test_input, _ = prologue.load_data(flatten=False)
    assert train_input.shape == test_input.shape == (1000, 1, 28, 28)
    flat, _, _, _ = prologue.load_data()
    assert torch.equal(train_input.view(1000, -1), flat)


def test_cifar(flags):
    train_input, train_target, test_input, test_target = prologue.load_data(cifar=True, flatten=False)
    assert sizes((train_input, train_target, test_input, test_target)) == [
        (1000, 3, 32, 32), (1000,), (1000, 3, 32, 32), (1000,)]
    assert train_input.dtype == torch.float32 and train_target.dtype == torch.int64
    assert train_input.min() >= 0 and train_input.max() <= 255
    assert train_target[:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]  # CIFAR-10's first training labels
    flags(cifar=True)
    flat, _, _, _ = prologue.load_data()
    assert flat.shape == (1000, 3072) and torch.equal(flat, train_input.view(1000, -1))


def test_pair_sets_shapes_types_and_targets():
    train_input, train_target, train_classes, test_input, test_target, test_classes = prologue.generate_pair_sets(1000)
    for input, target, classes in ((train_input, train_target, train_classes), (test_input, test_target, test_classes)):
        assert input.shape == (1000, 2, 14, 14) and input.dtype == torch.float32
        assert target.shape == (1000,) and target.dtype == torch.int64
        assert classes.shape == (1000, 2) and classes.dtype == torch.int64
        assert classes.min() >= 0 and classes.max() <= 9
        assert torch.equal(target, (classes[:, 0] <= classes[:, 1]).long())
        assert input.min() >= 0 and input.max() <= 255 and input.max() > 200  # raw scale, not normalised
        assert 0.3 < target.float().mean() < 0.7


def pooled_digits(train):
    """{image bytes: label} of the 2x2 average-pooled MNIST split."""
    images, labels = prologue._images(cifar=False, train=train)
    pooled = torch.nn.functional.avg_pool2d(images, kernel_size=2)
    return {image.numpy().tobytes(): int(label) for image, label in zip(pooled, labels)}


def test_pairs_come_from_the_right_split():
    train_input, _, train_classes, test_input, _, test_classes = prologue.generate_pair_sets(1000)
    train_digits, test_digits = pooled_digits(train=True), pooled_digits(train=False)
    for input, classes, digits in ((train_input, train_classes, train_digits), (test_input, test_classes, test_digits)):
        for pair, pair_classes in zip(input, classes):
            for image, label in zip(pair, pair_classes):
                assert digits.get(image.contiguous().numpy().tobytes()) == int(label)


def test_pairs_reproducible_under_a_seed():
    torch.manual_seed(3)
    first = prologue.generate_pair_sets(1000)
    torch.manual_seed(3)
    again = prologue.generate_pair_sets(1000)
    torch.manual_seed(4)
    other = prologue.generate_pair_sets(1000)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], other[0]) and not torch.equal(first[3], other[3])


@pytest.mark.parametrize('cifar', [False, True])
def test_missing_data_is_a_clear_error(tmp_path, monkeypatch, flags, cifar):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError('no network in this test')
    monkeypatch.setattr(urllib.request, 'urlopen', no_network)
    monkeypatch.setattr(course_data, 'OFFLINE_COPY', str(tmp_path / 'no-such-copy' / 'prepare.py'))
    empty = tmp_path / 'empty'
    empty.mkdir()
    cwd = tmp_path / 'cwd'
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    root_before = sorted(os.listdir(ROOT))
    flags(data_dir=str(empty))
    with pytest.raises(prologue.DataUnavailableError) as error:
        prologue.load_data(cifar=cifar)
    message = str(error.value)
    assert str(empty) in message and '--data_dir' in message and 'PYTORCH_DATA_DIR' in message
    assert '../shared/data' in message and 'prepare.py' in message
    assert sorted(os.listdir(ROOT)) == root_before
    assert os.listdir(cwd) == []


def test_import_with_foreign_flags_seeds_at_import():
    code = 'import torch, dlc_practical_prologue as p; print(p.args.seed, p.args.tiny, torch.initial_seed())'
    argv = ['-k', 'foo', '--tb=short', '--unknown', '3', '--full-trace', '--seed', '7', '--tiny']
    result = subprocess.run([sys.executable, '-c', code, *argv], capture_output=True, text=True,
                            env={**os.environ, 'PYTHONPATH': ROOT}, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['7', 'True', '7']


@pytest.fixture
def reimport(monkeypatch):
    """Import the prologue again under a given command line; the original is restored afterwards."""
    def with_argv(*argv):
        monkeypatch.setattr(sys, 'argv', ['script.py', *argv])
        return importlib.reload(prologue)
    yield with_argv
    monkeypatch.undo()
    importlib.reload(prologue)


def test_abbreviations_are_not_flags(reimport):
    args = reimport('--ful', '--ti', '--se', '5').args
    assert not args.full and not args.tiny and args.seed == 0


def test_negative_seed_means_no_seeding(reimport):
    torch.manual_seed(0)
    reimport('--seed', '-1')
    assert torch.initial_seed() == 0
    reimport('--seed', '12')
    assert torch.initial_seed() == 12


def test_a_seed_beyond_what_torch_and_numpy_take_is_refused_at_import():
    """2^32 - 1 is the last seed; beyond it, one argparse error (exit 2) before any work, not a traceback."""
    result = subprocess.run([sys.executable, 'practical3_mlp.py', '--seed', '99999999999999999999', '--steps', '1'],
                            capture_output=True, text=True, cwd=ROOT)
    assert (result.returncode, result.stdout) == (2, ''), result.stderr
    assert 'Traceback' not in result.stderr
    assert result.stderr.splitlines()[-1].endswith('argument --seed: 99999999999999999999 is not a seed: at most '
                                                   '4294967295')
    with pytest.raises(argparse.ArgumentTypeError, match='4294967296 is not a seed'):
        prologue.seed('4294967296')
    with pytest.raises(ValueError):
        prologue.seed('seven')


def test_the_last_seed_seeds(reimport):
    reimport('--seed', '4294967295')
    assert torch.initial_seed() == 4294967295


@pytest.mark.parametrize('nb', [-1, 0, 5001, 2.5])
def test_pair_sets_refuse_a_number_of_pairs_they_cannot_draw(nb):
    with pytest.raises(ValueError, match=rf'nb must be an integer from 1 to 5000 .*got {nb}'):
        prologue.generate_pair_sets(nb)
