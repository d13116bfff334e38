"""Each hand-in built as the README says and run as its grader runs it, alone (tests/handins.py), and the
rule behind it: the deliverables import nothing of the repository's tooling."""
import ast
import glob
import json
import os
import shutil
import textwrap

import pytest
from torchvision import datasets

import course_data
import handins

ROOT = handins.ROOT
DELIVERABLES = ['dlc_practical_prologue.py', 'practical3_mlp.py', 'hw3_trainer.py', 'proj1/**/*.py', 'proj2/**/*.py']
TOOLING = {'benchmarks', 'tests', 'run_all', 'conftest', 'handins', 'references'}


def files(patterns):
    return sorted(path for pattern in patterns for path in glob.glob(os.path.join(ROOT, pattern), recursive=True))


def imported_modules(path):
    """The top-level names of the absolute imports of the file at `path`."""
    with open(path) as f:
        tree = ast.parse(f.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split('.')[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


def test_the_deliverables_import_nothing_of_the_tooling():
    assert imported_modules(os.path.join(ROOT, 'benchmarks', 'proj1_rounds.py')) & TOOLING == set()  # checker sees
    assert 'benchmarks' in imported_modules(os.path.join(ROOT, 'benchmarks', 'hw3_epoch.py'))  # `from x.y import`
    for path in files(DELIVERABLES):
        assert imported_modules(path) & TOOLING == set(), path


def test_sys_path_is_edited_in_one_place_only():
    """Project 1's mechanism that finds the course's prologue; no `noqa: E402` (an import after code) anywhere."""
    editing = {os.path.relpath(path, ROOT) for path in files(['*.py', '*/**/*.py'])
               if 'sys.path' in open(path).read() and not path.endswith('test_handins.py')}
    assert editing == {os.path.join('proj1', 'comparison', 'training.py')}
    assert [path for path in files(['*.py', '*/**/*.py']) if 'noqa: E402' in open(path).read()
            and not path.endswith('test_handins.py')] == []


def test_no_file_imports_an_entry_point_named_test():
    """`test` is the handout's entry point in both projects (and Python's own test package): never a library."""
    for path in files(['*.py', '*/**/*.py']):
        assert 'test' not in imported_modules(path), path


def test_the_proj2_hand_in_imports_nothing_outside_proj2():
    for path in files(['proj2/**/*.py']):
        assert imported_modules(path) & {'proj1', 'experiments', 'dlc_practical_prologue', 'course_data'} == set(), path


def test_the_repository_sees_one_copy_of_the_framework():
    """From the root, proj2's task imports the framework as proj2.framework (its `__package__` switch), never as
    a second module `framework` whose classes would differ from proj2.framework's."""
    code = ('import sys, proj2.disc, experiments.digit_pairs, benchmarks.references, benchmarks.proj2_vs_autograd\n'
            'assert proj2.disc.Sequential is sys.modules["proj2.framework"].Sequential\n'
            'print(sorted(name for name in sys.modules if name.split(".")[0] in ("framework", "disc", "test")))')
    result = handins.run(['-c', code], cwd=ROOT)
    assert result.returncode == 0 and result.stdout == '[]\n', result.stderr


def test_importing_proj2_leaves_autograd_on(tmp_path):
    """Each run turns autograd off where it starts (the handout's rule); importing a module does not."""
    folder = handins.build('Proj2', tmp_path / 'Proj2')
    code = ('import runpy, torch\n'
            'for name in ("disc", "framework", "plot", "published", "test"):\n'
            '    runpy.run_path(name + ".py", run_name="imported") if name != "framework" else __import__(name)\n'
            '    assert torch.is_grad_enabled(), name\n'
            'print("on")')
    result = handins.run(['-c', code], cwd=folder)
    assert result.stdout == 'on\n', result.stderr


@pytest.mark.parametrize('handin, scripts', [('Proj1', ['test.py', 'ablation.py', 'selection.py', 'plot.py']),
                                             ('Proj2', ['test.py', 'plot.py', 'published.py'])])
def test_every_script_of_a_hand_in_runs_there_alone(tmp_path, handin, scripts):
    """Each with -h, run as __main__ in one process in the hand-in folder (torch starts once)."""
    folder = handins.build(handin, tmp_path / handin)
    entry_points = [path.name for path in folder.rglob('*.py') if "if __name__ == '__main__':" in path.read_text()]
    assert sorted(entry_points) == sorted(scripts)
    code = textwrap.dedent('''
        import contextlib, io, runpy, sys
        for script in sys.argv[1:]:
            sys.argv, out = [script, '-h'], io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
                runpy.run_path(script, run_name='__main__')
            print(script, out.getvalue().startswith(f'usage: {script}'))
        ''')
    result = handins.run(['-c', code, *scripts], cwd=folder)
    assert result.returncode == 0 and result.stdout.split() == [word for script in scripts for word in (script, 'True')], \
        result.stderr


######################################################################
# Homework 3: solution.py, imported by a grader from its own folder


def grader(tmp_path):
    """(the submission folder holding solution.py, the grader's empty working folder)."""
    submission = handins.build('solution.py', tmp_path / 'submission')
    work = tmp_path / 'grader'
    work.mkdir()
    return submission, work


def run_grader(code, tmp_path):
    submission, work = grader(tmp_path)
    return handins.run(['-c', textwrap.dedent(code)], cwd=work, importable=submission), work


def test_solution_alone_imports_in_silence_and_writes_nothing(tmp_path):
    result, work = run_grader('''
        import solution
        assert solution.course_data is None
        print([name for name in ('Trainer', 'NetworkConfiguration', 'torchvision', 'transforms', 'tqdm')
               if hasattr(solution, name)])
        ''', tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['Trainer', 'NetworkConfiguration', 'torchvision', 'transforms', 'tqdm']\n"
    assert result.stderr == '' and os.listdir(work) == []


def test_solution_alone_without_data_says_what_is_missing(tmp_path):
    result, work = run_grader('''
        import solution
        try:
            solution.Trainer('mlp')
        except solution.DataUnavailableError as error:
            print(error)
        ''', tmp_path)
    assert result.returncode == 0, result.stderr
    assert f'CIFAR-10 is not in {work / "data"} and could not be downloaded' in result.stdout
    assert 'cifar-10-batches-py' in result.stdout


def test_solution_alone_with_a_damaged_cifar10_says_it_fails_the_check_in_a_short_traceback(tmp_path):
    """A ./data/cifar-10-batches-py that torchvision's md5 check refuses: the message says so and what to do, and
    the uncaught error's traceback holds no frame of torchvision."""
    submission, work = grader(tmp_path)
    folder = work / 'data' / 'cifar-10-batches-py'
    folder.mkdir(parents=True)
    (folder / 'data_batch_1').write_bytes(b'not a batch')
    result = handins.run(['-c', 'import solution\nsolution.Trainer("mlp")'], cwd=work, importable=submission)
    assert result.returncode == 1 and f'{os.sep}torchvision{os.sep}' not in result.stderr, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f'solution.DataUnavailableError: CIFAR-10 in {folder} fails '
                           "torchvision's integrity check"), last
    assert 'replace that folder with the official one' in last
    assert len(result.stderr.splitlines()) < 15


def test_solution_alone_reads_cifar10_from_the_templates_data_folder(tmp_path):
    """A grader's ./data holds the official files; here the offline copy, whose sums the grader vouches for."""
    folder = os.path.join(course_data.data_dir(), 'cifar10')
    course_data.load(datasets.CIFAR10, folder, train=False)
    submission, work = grader(tmp_path)
    (work / 'data').mkdir()
    os.symlink(os.path.join(folder, 'cifar-10-batches-py'), work / 'data' / 'cifar-10-batches-py')
    sums = json.load(open(os.path.join(folder, 'checksums.json')))
    result = handins.run(['-c', textwrap.dedent(f'''
        from torchvision.datasets import CIFAR10
        sums = {sums!r}
        CIFAR10.train_list = [[name, sums[name]] for name, _ in CIFAR10.train_list]
        CIFAR10.test_list = [[name, sums[name]] for name, _ in CIFAR10.test_list]
        CIFAR10.meta = {{**CIFAR10.meta, 'md5': sums[CIFAR10.meta['filename']]}}
        import solution
        trainer = solution.Trainer('mlp')
        images, labels = next(iter(trainer.test))
        print(len(trainer.train.dataset), len(trainer.test.dataset), tuple(images.shape), labels[:4].tolist())
        ''')], cwd=work, importable=submission)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[-2] == '50000 10000 (128, 3, 32, 32) [3, 8, 8, 0]'


def test_solution_alone_trains_on_a_patched_cifar10_with_no_data_on_disk(tmp_path):
    submission, work = grader(tmp_path)
    shutil.copy(os.path.join(ROOT, 'tests', 'fake_cifar10.py'), work)
    result = handins.run(['-c', textwrap.dedent('''
        from unittest import mock
        from fake_cifar10 import FakeCIFAR10Anywhere
        import solution
        with mock.patch('solution.torchvision.datasets.CIFAR10', FakeCIFAR10Anywhere):
            trainer = solution.Trainer('cnn', solution.NetworkConfiguration(n_channels=(8, 8)))
        logs = trainer.train_loop(2)
        print(len(trainer.train.dataset), len(trainer.test.dataset), [len(values) for values in logs.values()])
        ''')], cwd=work, importable=submission)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == '300 100 [2, 2, 2, 2]'
    assert '2/2' in result.stderr and os.listdir(work) == ['fake_cifar10.py']  # tqdm's one bar over the epochs


######################################################################
# Project 1: Proj1/ with its copy of the prologue, test.py run there


def test_proj1_alone_runs_test_py_on_mnist_in_its_data_folder(tmp_path):
    mnist = os.path.join(course_data.data_dir(), 'mnist')
    course_data.load(datasets.MNIST, mnist, train=True)
    folder = handins.build('Proj1', tmp_path / 'Proj1')
    (folder / 'data').mkdir()
    os.symlink(mnist, folder / 'data' / 'mnist')  # the original prologue's default: ./data/mnist
    before = sorted(os.listdir(folder))
    result = handins.run(['test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline', 'shared_aux'], cwd=folder)
    assert result.returncode == 0, result.stderr
    table = result.stdout.split('\narchitecture ')[1].splitlines()
    assert [line.split()[0] for line in table[1:3]] == ['baseline', 'shared_aux']
    assert sorted(os.listdir(folder)) == before and os.listdir(tmp_path) == ['Proj1']


def test_proj1_alone_without_data_says_so_in_one_line(tmp_path):
    folder = handins.build('Proj1', tmp_path / 'Proj1')
    result = handins.run(['test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline'], cwd=folder)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: cannot draw the digit pairs: MNIST is not in ')
    assert 'downloaded' in lines[0], lines


COURSE_PROLOGUE = '''
"""A stand-in for the course's dlc_practical_prologue.py, written for the test: the course's API alone."""
import argparse
import os

import torch
from torchvision import datasets

parser = argparse.ArgumentParser(description='DLC prologue file for practical sessions.')
parser.add_argument('--full', action='store_true', default=False)
parser.add_argument('--tiny', action='store_true', default=False)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--cifar', action='store_true', default=False)
parser.add_argument('--data_dir', type=str, default=None)
args = parser.parse_args()  # as the course's: an option it does not know ends the program

if args.seed >= 0:
    torch.manual_seed(args.seed)


def mnist(train):
    folder = (args.data_dir or os.environ.get('PYTORCH_DATA_DIR') or './data') + '/mnist/'
    dataset = datasets.MNIST(folder, train=train, download=True)
    return dataset.data.view(-1, 1, 28, 28).float(), dataset.targets


def load_data(cifar=None, one_hot_labels=False, normalize=False, flatten=True):
    assert not (cifar or args.cifar or one_hot_labels), 'MNIST alone in this stand-in'
    (train_input, train_target), (test_input, test_target) = mnist(True), mnist(False)
    if flatten:
        train_input, test_input = train_input.flatten(1), test_input.flatten(1)
    if not args.full:
        train_input, train_target, test_input, test_target = (
            train_input[:1000], train_target[:1000], test_input[:1000], test_target[:1000])
    if normalize:
        mu, std = train_input.mean(), train_input.std()
        train_input, test_input = (train_input - mu) / std, (test_input - mu) / std
    return train_input, train_target, test_input, test_target


def mnist_to_pairs(nb, input, target):
    input = torch.nn.functional.avg_pool2d(input, kernel_size=2)
    a = torch.randperm(input.size(0))[:2 * nb].view(nb, 2)
    input = torch.cat((input[a[:, 0]], input[a[:, 1]]), 1)
    classes = target[a]
    return input, (classes[:, 0] <= classes[:, 1]).long(), classes


def generate_pair_sets(nb):
    return mnist_to_pairs(nb, *mnist(True)) + mnist_to_pairs(nb, *mnist(False))
'''


def proj1_beside_the_course_prologue(tmp_path):
    """Proj1/ built as the README says, the stand-in of the course's prologue in place of ours."""
    folder = handins.build('Proj1', tmp_path / 'Proj1')
    (folder / 'dlc_practical_prologue.py').write_text(COURSE_PROLOGUE)
    return folder


def test_proj1_runs_beside_the_course_s_own_prologue(tmp_path):
    mnist = os.path.join(course_data.data_dir(), 'mnist')
    course_data.load(datasets.MNIST, mnist, train=True)
    folder = proj1_beside_the_course_prologue(tmp_path)
    (tmp_path / 'data').mkdir()
    os.symlink(mnist, tmp_path / 'data' / 'mnist')
    result = handins.run(['test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline', '--seed', '3',
                          '--data_dir', str(tmp_path / 'data')], cwd=folder)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.split('\narchitecture ')[1].splitlines()[1:2]]
    assert rows[0][:2] == ['baseline', '70906'] and 0 < float(rows[0][4].rstrip('%')) < 50
    assert result.stdout.splitlines()[-1].startswith('1 round, seed 3, device cpu')
    result = handins.run(['test.py', '-h'], cwd=folder)
    assert result.returncode == 0 and result.stdout.startswith('usage: test.py') and '--archs' in result.stdout


def test_proj1_beside_the_course_s_own_prologue_without_data_says_so_in_one_line(tmp_path):
    folder = proj1_beside_the_course_prologue(tmp_path)
    result = handins.run(['test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline'], cwd=folder)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('error: cannot draw the digit pairs: '), lines


def test_the_prologue_alone_reads_its_data_from_dot_data_as_the_original(tmp_path):
    folder = handins.build('Proj1', tmp_path / 'Proj1')
    result = handins.run(['-c', 'import dlc_practical_prologue as p; print(p.course_data, p.data_dir())'], cwd=folder)
    assert result.stdout.split() == ['None', './data'], result.stderr


@pytest.mark.parametrize('handin, report', [('Proj1', 'proj1/report.pdf'), ('Proj2', 'proj2/report.pdf')])
def test_each_report_travels_with_its_hand_in(tmp_path, handin, report):
    folder = handins.build(handin, tmp_path / handin)
    with open(os.path.join(ROOT, report), 'rb') as committed:
        assert (folder / 'report.pdf').read_bytes() == committed.read()


def test_the_readme_hands_in_homework_3_s_report_beside_solution_py():
    with open(os.path.join(ROOT, 'README.md')) as f:
        handing_in = f.read().split('## Handing in')[1].split('\n## ')[0]
    row = next(line for line in handing_in.splitlines() if line.startswith('| homework 3 (Gradescope)'))
    assert '`solution.py`' in row and '`hw3_report/report.pdf`' in row
    assert os.path.exists(os.path.join(ROOT, 'hw3_report', 'report.pdf'))
