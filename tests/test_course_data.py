"""The data sets provide themselves: found, else downloaded, else laid out from the offline copy beside
the repository, else one clear error; the offline CIFAR-10 sums apply to its own folder only; scripts
stop on missing data or a bad option with one message and no traceback."""
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import torch
from torchvision import datasets

import course_data
import handins

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def official_sums():
    """A copy of torchvision's CIFAR-10 sums as they stand."""
    return [list(map(tuple, datasets.CIFAR10.train_list)), list(map(tuple, datasets.CIFAR10.test_list)),
            dict(datasets.CIFAR10.meta)]


OFFICIAL = official_sums()


@pytest.fixture
def offline(monkeypatch):
    """No network, whatever machine runs the test."""
    def no_network(*args, **kwargs):
        raise urllib.error.URLError('no network in this test')
    monkeypatch.setattr(urllib.request, 'urlopen', no_network)


def test_data_folder_defaults_to_the_repository_whatever_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('PYTORCH_DATA_DIR', raising=False)
    assert course_data.data_dir() == os.path.join(ROOT, 'data')
    monkeypatch.setenv('PYTORCH_DATA_DIR', str(tmp_path))
    assert course_data.data_dir() == str(tmp_path)
    assert course_data.data_dir('elsewhere') == 'elsewhere'


@pytest.mark.skipif(not os.path.exists(course_data.OFFLINE_COPY), reason='no offline copy beside the repository')
def test_the_offline_copy_is_laid_out_in_an_empty_data_folder_and_checked(tmp_path, offline, capfd):
    mnist = course_data.load(datasets.MNIST, str(tmp_path / 'data' / 'mnist'), train=False)  # MNIST first, as
    assert len(mnist) == 10000 and mnist.targets[:4].tolist() == [7, 2, 1, 0]  # run_all does: MNIST's first test labels
    lines = capfd.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith('laid out the offline data of ') and str(tmp_path) in lines[0]

    folder = str(tmp_path / 'data' / 'cifar10')
    test_set = course_data.load(datasets.CIFAR10, folder, train=False)
    assert len(test_set) == 10000 and test_set.targets[:4] == [3, 8, 8, 0]  # CIFAR-10's first test labels
    assert capfd.readouterr().err == '', 'laid out once for both data sets'
    assert official_sums() == OFFICIAL, 'the offline sums apply within the call only'

    batch = os.path.join(folder, 'cifar-10-batches-py', 'test_batch')
    with open(batch, 'r+b') as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(RuntimeError, match='corrupted'):
        course_data.open_dataset(datasets.CIFAR10, folder, train=False, download=False)


def test_the_offline_sums_do_not_vouch_for_another_folder(tmp_path):
    source = os.path.join(course_data.data_dir(), 'cifar10')
    course_data.load(datasets.CIFAR10, source, train=False)  # provided, and passes with its sums
    copy = tmp_path / 'cifar10'
    copy.mkdir()
    os.symlink(os.path.join(source, 'cifar-10-batches-py'), copy / 'cifar-10-batches-py')
    with pytest.raises(RuntimeError, match='corrupted'):  # official md5 sums: the JPEG-rebuilt files fail
        course_data.open_dataset(datasets.CIFAR10, str(copy), train=False, download=False)


# What a user sees when a script stops

SCRIPTS = {
    'practical3': ['practical3_mlp.py', '--steps', '1'],
    'homework3': ['hw3_trainer.py', '--epochs', '1', '--experiments', '2', '--out', '{tmp}/out'],
    'project1': ['proj1/test.py', '--rounds', '1', '--epochs', '1'],
    'run_all': ['run_all.py'],
}


@pytest.fixture(scope='module')
def clone_without_data(tmp_path_factory):
    """A copy of the repository with no data, no offline copy beside it and no network."""
    return handins.repository_copy(tmp_path_factory.mktemp('clone') / 'repository')


@pytest.mark.parametrize('script', SCRIPTS)
def test_a_script_without_its_data_prints_one_message_and_exits_1(clone_without_data, tmp_path, script):
    script, *options = SCRIPTS[script]
    path = clone_without_data / script
    run = handins.run([str(path)] + [option.format(tmp=tmp_path) for option in options], cwd=path.parent)
    assert run.returncode == 1 and 'Traceback' not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: ') and 'PYTORCH_DATA_DIR' in lines[0], run.stderr
    assert not (clone_without_data / 'data').exists() or not os.listdir(clone_without_data / 'data')


@pytest.mark.skipif(torch.cuda.is_available(), reason='CUDA is present')
@pytest.mark.parametrize('script', [['practical3_mlp.py'], ['hw3_trainer.py'], ['proj1/test.py'], ['proj2/test.py']],
                         ids=lambda argv: argv[0])
def test_asking_for_cuda_without_it_is_a_usage_error(script):
    run = subprocess.run([sys.executable, os.path.join(ROOT, *script[0].split('/')), '--device', 'cuda'],
                         cwd=os.path.dirname(os.path.join(ROOT, script[0])), capture_output=True, text=True)
    assert run.returncode == 2 and 'Traceback' not in run.stderr, run.stderr
    assert 'CUDA is not available' in run.stderr


@pytest.mark.skipif(not os.path.exists(course_data.OFFLINE_COPY), reason='no offline copy beside the repository')
def test_a_damaged_sums_file_fails_the_check_and_the_copy_is_laid_out_again(tmp_path, offline, capfd):
    folder = str(tmp_path / 'cifar10')
    course_data.load(datasets.CIFAR10, folder, train=False)
    for damage in ('{', '[]'):  # not JSON; JSON but no sums
        with open(os.path.join(folder, 'checksums.json'), 'w') as f:
            f.write(damage)
        with pytest.raises(RuntimeError, match='checksums.json is (unreadable|not a dictionary)'):
            course_data.open_dataset(datasets.CIFAR10, folder, train=False, download=False)
        assert len(course_data.load(datasets.CIFAR10, folder, train=False)) == 10000
    moved = [name for name in os.listdir(folder) if name.startswith('checksums.json.moved-')]
    assert len(moved) == 2 and sorted(open(os.path.join(folder, name)).read() for name in moved) == ['[]', '{']


def damage_magic(labels, images):
    labels[:4] = b'\xff\xff\xff\xff'


def damage_label(labels, images):
    labels[8 + 17] = 12


def damage_header(labels, images):
    images[12:16] = (29).to_bytes(4, 'big')  # 28 x 29 images: the sizes no longer fit the file


@pytest.mark.skipif(not os.path.exists(course_data.OFFLINE_COPY), reason='needs the offline copy beside the repository')
@pytest.mark.parametrize('damage, slash', [(damage_magic, '/'), (damage_label, ''), (damage_header, '')],
                         ids=['magic number', 'label 12', 'header sizes'])
def test_a_data_file_that_fails_to_parse_is_moved_aside_and_the_copy_laid_out_again(tmp_path, offline, capfd,
                                                                                    damage, slash):
    """An MNIST of the right sizes whose test files are damaged (torchvision asserts on a bad magic number, a
    header's sizes do not fit, a label is no digit): moved aside with a line on stderr, and the offline copy
    laid out in its place (the folder named with a trailing slash, as the prologue names it, too)."""
    raw = tmp_path / 'mnist' / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    source = os.path.join(os.path.dirname(course_data.OFFLINE_COPY), 'mnist', 'MNIST', 'raw')
    for name in os.listdir(source):
        (raw / name).write_bytes(open(os.path.join(source, name), 'rb').read())
    labels = bytearray((raw / 't10k-labels-idx1-ubyte').read_bytes())
    images = bytearray((raw / 't10k-images-idx3-ubyte').read_bytes())
    damage(labels, images)
    (raw / 't10k-labels-idx1-ubyte').write_bytes(bytes(labels))
    (raw / 't10k-images-idx3-ubyte').write_bytes(bytes(images))
    dataset = course_data.load(datasets.MNIST, str(tmp_path / 'mnist') + slash, train=False)
    assert len(dataset) == 10000 and int(dataset.targets.max()) == 9
    moved = [name for name in os.listdir(tmp_path) if name.startswith('mnist.damaged-')]
    assert len(moved) == 1 and (tmp_path / moved[0] / 'MNIST' / 'raw' / 't10k-labels-idx1-ubyte').read_bytes() == labels
    err = capfd.readouterr().err
    assert f'{tmp_path / "mnist"}: a file fails to parse' in err and 'laid out the offline data' in err


def test_a_failing_lay_out_is_one_line_naming_the_last_error(tmp_path, monkeypatch):
    script = tmp_path / 'prepare.py'
    script.write_text('import sys\nprint("a long traceback\\nline 2", file=sys.stderr)\n'
                      'sys.exit("PermissionError: the data folder is read-only")\n')
    monkeypatch.setattr(course_data, 'OFFLINE_COPY', str(script))
    with pytest.raises(course_data.DataUnavailableError) as error:
        course_data.lay_out_offline_copy(str(tmp_path / 'data'))
    assert str(error.value) == (f'{script} failed to lay the offline data out in {tmp_path / "data"} '
                                '(PermissionError: the data folder is read-only): point --data_dir or '
                                '$PYTORCH_DATA_DIR at a folder that you can write to')


@pytest.mark.skipif(not os.path.exists(course_data.OFFLINE_COPY), reason='needs the offline copy beside the repository')
def test_a_data_folder_that_is_a_file_or_cannot_be_made_is_one_line(tmp_path, offline):
    """A file where the data folder (or a folder above it) would be, and a folder that cannot be made (one
    under /sys, refused even to root): one line naming the path and what to do, exit 1, nothing made."""
    data = tmp_path / 'data'
    data.write_text('not a folder')
    run = subprocess.run([sys.executable, 'practical3_mlp.py', '--steps', '1', '--data_dir', str(data / 'below')],
                         cwd=ROOT, capture_output=True, text=True)
    assert (run.returncode, run.stdout.splitlines()) == (1, ['* Using MNIST']), run.stderr
    assert run.stderr.splitlines() == [f'error: {data} is a file, not a folder: point --data_dir or '
                                       '$PYTORCH_DATA_DIR at a folder (the data sets go in its mnist/ and cifar10/)']
    assert data.read_text() == 'not a folder'
    if os.path.isdir('/sys/kernel') and not os.path.exists('/sys/kernel/dlc-data'):
        with pytest.raises(course_data.DataUnavailableError, match=r'^.*prepare.py failed to lay the offline data '
                           r'out in /sys/kernel/dlc-data \(.*\): point --data_dir or \$PYTORCH_DATA_DIR at a folder '
                           'that you can write to$'):
            course_data.load(datasets.MNIST, '/sys/kernel/dlc-data/mnist', train=False)
        assert not os.path.exists('/sys/kernel/dlc-data')
