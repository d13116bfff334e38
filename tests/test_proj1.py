"""Project 1: model shapes and sizes, the comparison probability, augmentation, seeded
rounds on real MNIST pairs, and the no-numpy import rule."""
import argparse
import ast
import dataclasses
import glob
import io
import json
import os
import re
import resource
import subprocess
import sys

import pytest
import torch

from proj1.comparison import experiment, files, models, variants
from proj1.comparison import training as train

PROJ1 = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'proj1')

BEST_PARAMETERS = 94410


@pytest.mark.parametrize('name', list(train.ARCHS))
def test_forward_shapes(name):
    comparison, digits = train.ARCHS[name].make()(torch.randn(7, 2, 14, 14))
    assert comparison.shape == (7, 2)
    assert digits is None if name == 'baseline' else digits.shape == (7, 2, 10)


def test_parameter_counts():
    counts = {name: models.nb_parameters(arch.make()) for name, arch in train.ARCHS.items()}
    assert counts['baseline'] == 70906  # the handout's "about 70,000"
    assert counts['siamese'] == counts['siamese_aux'] and counts['shared'] == counts['shared_aux']
    assert abs(counts['siamese'] - counts['shared']) < 0.05 * counts['shared']
    assert counts['best'] == BEST_PARAMETERS
    unshared = models.nb_parameters(variants.VARIANTS['unshared'].make())
    assert abs(unshared - counts['best']) < 0.05 * counts['best']
    for model in (models.Siamese(shared=True), models.Comparator()):
        assert model.tower1 is model.tower2
        assert models.nb_parameters(model) < 2 * models.nb_parameters(model.tower1)


def test_siamese_digit_outputs_are_the_towers_outputs():
    x = torch.randn(5, 2, 14, 14)
    for shared in (False, True):
        net = models.Siamese(shared)
        _, digits = net(x)
        torch.testing.assert_close(digits[:, 0], net.tower1(x[:, :1]))
        torch.testing.assert_close(digits[:, 1], net.tower2(x[:, 1:]))


def test_lesser_or_equal_probability_matches_the_double_sum():
    digits = torch.randn(6, 2, 10, dtype=torch.float64)
    p = digits.softmax(2)
    expected = torch.stack([sum(p[n, 0, i] * p[n, 1, j] for i in range(10) for j in range(i, 10))
                            for n in range(6)])
    log_p = models.lesser_or_equal_log_probabilities(digits)
    torch.testing.assert_close(log_p[:, 1].exp(), expected)
    torch.testing.assert_close(log_p.exp().sum(1), torch.ones(6, dtype=torch.float64))


def test_confident_digits_give_the_true_comparison():
    classes = torch.tensor([[3, 7], [7, 3], [5, 5], [0, 9], [9, 0]])
    digits = 50.0 * torch.nn.functional.one_hot(classes, 10).double()
    prediction = models.lesser_or_equal_log_probabilities(digits).argmax(1)
    assert prediction.tolist() == (classes[:, 0] <= classes[:, 1]).long().tolist()


def test_translation_moves_whole_pixels():
    torch.manual_seed(0)
    digits = torch.rand(50, 1, 14, 14)
    moved = train.translated(digits)
    padded = torch.nn.functional.pad(digits, (1, 1, 1, 1), mode='replicate')
    shifts = torch.stack([padded[:, :, 1 + dy:15 + dy, 1 + dx:15 + dx]
                          for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    matches = ((shifts - moved).abs().amax(dim=(2, 3, 4)) < 1e-5)
    assert matches.any(0).all()
    assert (~matches[4]).any()  # not every digit stays in place


def test_augmented_pairs_keep_the_digits_and_recompute_the_targets():
    torch.manual_seed(0)
    input = torch.rand(100, 2, 14, 14)
    classes = torch.randint(0, 10, (100, 2))
    x, target, new_classes = train.augmented(input, classes, repair=True)
    assert x.shape == input.shape and new_classes.shape == classes.shape
    assert torch.equal(target, (new_classes[:, 0] <= new_classes[:, 1]).long())
    assert torch.equal(new_classes.flatten().sort().values, classes.flatten().sort().values)
    assert not torch.equal(new_classes, classes)
    digit = input.flatten(0, 1)[classes.flatten() == new_classes[0, 0]]
    assert (digit - x[0, 0]).abs().amax(dim=(1, 2)).min() == 0  # the digits are moved, not changed
    x, target, same_classes = train.augmented(input, classes, repair=False, distort=lambda d: d + 1)
    assert torch.equal(same_classes, classes) and torch.equal(x, input + 1)


def test_distortions_are_small_and_random():
    torch.manual_seed(0)
    digits = torch.zeros(200, 1, 14, 14)
    digits[:, :, 4:10, 6:8] = 1  # a bar in the middle
    assert torch.allclose(train.distorted(digits, shift=0, degrees=0, scale=0), digits, atol=1e-5)
    moved = train.distorted(digits)
    assert moved.shape == digits.shape and not torch.allclose(moved[0], moved[1])
    assert (moved.sum(dim=(1, 2, 3)) / digits[0].sum() - 1).abs().max() < 0.35  # ink kept within the scaling
    assert moved[:, :, :2].abs().max() < 1e-6 and moved[:, :, :, :3].abs().max() < 1e-6  # stays in place


def test_shifted_copies_are_the_pair_moved_by_whole_pixels():
    x = torch.rand(3, 2, 14, 14)
    copies = train.shifted_copies(x, 1)
    assert len(copies) == 9 and torch.equal(copies[4], x)
    assert torch.equal(copies[5][..., :13], x[..., 1:])  # (dy, dx) = (0, 1): moved one pixel left
    assert torch.equal(copies[7][:, :, :13], x[:, :, 1:]) and torch.equal(copies[7][:, :, 13], x[:, :, 13])
    assert len(train.shifted_copies(x, 0)) == 1 and torch.equal(train.shifted_copies(x, 0)[0], x)


def test_test_time_averaging_averages_the_probabilities_of_the_copies():
    torch.manual_seed(0)
    model = models.Comparator()
    x = torch.randn(20, 2, 14, 14)
    model.eval()
    with torch.no_grad():
        mean = sum(model(c)[0].exp() for c in train.shifted_copies(x, 1)) / 9
        single = model(x)[0].argmax(1)
    assert torch.equal(train.predict(model, x, test_shifts=1), mean.argmax(1))
    assert torch.equal(train.predict(model, x), single)


def test_rounds_redraw_the_data_and_the_same_seed_repeats_them():
    def draw(seed):
        torch.manual_seed(seed)
        return train.standardized_pair_sets()
    first, again, other = draw(0), draw(0), draw(1)
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], other[0]) and not torch.equal(first[3], other[3])
    assert first[0].shape == (1000, 2, 14, 14) and abs(first[0].mean()) < 1e-4


def test_a_few_epochs_on_real_pairs_lower_the_loss_and_beat_chance():
    torch.manual_seed(0)
    train_input, train_target, train_classes, test_input, test_target, _ = train.standardized_pair_sets()
    arch = train.Arch(lambda: models.Siamese(shared=True), epochs=4, aux_weight=1.0, lr=3e-3)
    model = arch.make()
    before = train.loss_of(model, train_input, train_target, train_classes, 1.0).item()
    losses = train.train(model, train_input, train_target, train_classes, arch)
    after = losses[-1]
    assert len(losses) == 4 and losses[0] > after
    chance = min(test_target.float().mean(), 1 - test_target.float().mean()).item()
    assert after < 0.5 * before
    assert train.error_rate(model, test_input, test_target) < chance - 0.15


def test_best_model_reaches_a_low_error_in_few_epochs():
    test_error = train.run_round(dataclasses.replace(train.ARCHS['best'], epochs=4), seed=0).test_error
    assert test_error < 0.06


def test_the_same_seed_gives_the_same_round_with_or_without_shared_pairs():
    arch = dataclasses.replace(train.ARCHS['shared_aux'], epochs=1)
    first, again = train.run_round(arch, seed=3), train.run_round(arch, seed=3)
    drawn = train.draw(3)
    train.run_round(dataclasses.replace(train.ARCHS['baseline'], epochs=1), 3, drawn=drawn)  # uses the generator
    shared = train.run_round(arch, 3, drawn=drawn)
    assert first[:2] == again[:2] == shared[:2]


def test_script_prints_progress_and_the_table():
    out = subprocess.run([sys.executable, 'test.py', '--rounds', '2', '--epochs', '1', '--archs', 'baseline',
                          'shared_aux'], cwd=PROJ1, capture_output=True, text=True, check=True).stdout
    assert 'baseline     round  2/2' in out and 'shared_aux   round  2/2' in out
    assert out.index('shared_aux   round  1/2') < out.index('baseline     round  2/2')  # interleaved
    rows = [line.split() for line in out.splitlines() if line.startswith(('baseline ', 'shared_aux '))
            and 'round' not in line]
    assert [row[:4] for row in rows] == [['baseline', '70906', '1', '0'], ['shared_aux', '73608', '1', '3']]
    assert rows[0][-1] == '1.00'  # the baseline's cost in baseline rounds
    assert 'threads' in out.splitlines()[-1] and out.splitlines()[-1].endswith('baseline rounds')


def test_ablation_script_runs_every_variant():
    out = subprocess.run([sys.executable, 'ablation.py', '--rounds', '1', '--epochs', '1'],
                         cwd=PROJ1, capture_output=True, text=True, check=True).stdout
    table = out.split('\narchitecture ')[1].splitlines()[1:len(variants.VARIANTS) + 2]
    assert [line.split()[0] for line in table[:-1]] == list(variants.VARIANTS) and table[-1] == ''


@pytest.mark.skipif(not torch.cuda.is_available(), reason='no CUDA device')
def test_a_round_runs_on_cuda():
    for name in ('shared_aux', 'best'):
        test_error = train.run_round(dataclasses.replace(train.ARCHS[name], epochs=2), 0, 'cuda').test_error
        assert test_error < 0.45


@pytest.mark.skipif(torch.cuda.is_available(), reason='CUDA is present')
def test_script_refuses_cuda_when_absent():
    run = subprocess.run([sys.executable, 'test.py', '--device', 'cuda'], cwd=PROJ1, capture_output=True, text=True)
    assert run.returncode != 0 and 'CUDA is not available' in run.stderr


def test_pytorch_and_python_s_own_modules_alone_outside_the_plot_script():
    paths = glob.glob(os.path.join(PROJ1, '**', '*.py'), recursive=True)
    assert len(paths) >= 9
    for path in paths:
        if os.path.basename(path).startswith('plot'):
            continue
        tree = ast.parse(open(path).read())
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0]
        outside = {n.split('.')[0] for n in names} - sys.stdlib_module_names - {'torch', 'comparison'}
        assert outside <= {'dlc_practical_prologue'}, (path, outside)  # PyTorch and Python's own modules only


# Bad input and divergence: a clear error, never a result

@pytest.mark.parametrize('script, option', [
    ('test.py', ['--rounds', '0']), ('test.py', ['--epochs', '-1']), ('test.py', ['--lr', 'inf']),
    ('test.py', ['--lr', 'nan']), ('test.py', ['--device', 'nonsense']), ('ablation.py', ['--rounds', '0']),
    ('selection.py', ['--epochs', '0']), ('test.py', ['--seed', '99999999999999999999']),
    ('ablation.py', ['--seed', '-1']), ('selection.py', ['--seed', '4294967295'])])
def test_a_bad_option_is_one_usage_error(script, option):
    run = subprocess.run([sys.executable, script, *option], cwd=PROJ1, capture_output=True, text=True)
    assert run.returncode == 2 and 'Traceback' not in run.stderr, run.stderr
    assert run.stderr.splitlines()[-1].startswith(f'{script}: error: argument {option[0]}: ')


def test_a_diverged_training_is_reported_as_diverged_not_as_an_error_rate():
    arch = dataclasses.replace(train.ARCHS['shared_aux'], epochs=2, lr=1e6)
    with pytest.raises(train.Diverged, match=r'^diverged at epoch 1: loss (nan|inf)$'):
        train.run_round(arch, seed=0)
    run = subprocess.run([sys.executable, 'test.py', '--rounds', '2', '--epochs', '1', '--archs', 'shared_aux',
                          '--lr', '1e6'], cwd=PROJ1, capture_output=True, text=True)
    assert run.returncode == 1 and run.stderr.strip() == 'error: shared_aux diverged', run.stderr
    row = [line for line in run.stdout.splitlines() if line.startswith('shared_aux ') and '/2' not in line]
    assert len(row) == 1 and re.search(r'diverged in 2 of 2 rounds \(diverged at epoch 1: loss (nan|inf)\)$', row[0])
    assert '%' not in row[0]


def test_a_learning_rate_whose_step_overflows_or_whose_outputs_are_not_finite_is_a_divergence(monkeypatch):
    run = subprocess.run([sys.executable, 'test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline',
                          '--lr', '1e38'], cwd=PROJ1, capture_output=True, text=True)
    assert run.returncode == 1 and run.stderr == 'error: baseline diverged\n' and 'diverged in 1 of 1 round' in run.stdout
    model = train.ARCHS['baseline'].make()
    with torch.no_grad():
        model.net.fc2.bias.fill_(float('nan'))
    input, target, *_ = (torch.randn(10, 2, 14, 14), torch.zeros(10, dtype=torch.long))
    with pytest.raises(train.Diverged, match="outputs are not finite"):
        train.error_rate(model, input, target)


def test_one_round_prints_no_standard_deviation():
    out = subprocess.run([sys.executable, 'test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline'],
                         cwd=PROJ1, capture_output=True, text=True, check=True).stdout
    row = [line for line in out.splitlines() if line.startswith('baseline ') and 'round' not in line][0]
    assert row.split()[5] == '-'
    assert out.splitlines()[-1].startswith('1 round, seed 0, ')


@pytest.mark.parametrize('script', ['test.py', 'ablation.py', 'selection.py'])
def test_help_gives_each_default_once(script):
    out = subprocess.run([sys.executable, script, '-h'], cwd=PROJ1, capture_output=True, text=True, check=True).stdout
    options = [line.split()[0] for line in out.split('options:')[1].splitlines() if line.startswith('  -')]
    assert out.count('(default:') == len(options) - 1  # every option but -h
    assert '(default: None)' not in out


def test_plot_draws_the_results_and_refuses_what_it_cannot_draw(tmp_path):
    def plot(*argv):
        return subprocess.run([sys.executable, os.path.join(PROJ1, 'plot.py'), *map(str, argv)], cwd=tmp_path,
                              capture_output=True, text=True)
    run = plot(os.path.join(PROJ1, 'results', 'test.json'), tmp_path / 'figure.svg')
    assert run.returncode == 0 and os.listdir(tmp_path) == ['figure.svg'], run.stderr
    assert run.stdout == f'wrote {tmp_path / "figure.svg"}\n'
    assert (tmp_path / 'figure.svg').read_text().startswith('<?xml')
    (tmp_path / 'junk.json').write_text('{"no": "architectures"}')
    (tmp_path / 'truncated.json').write_text('{"architectures": {"best": {"parameters": 1')
    (tmp_path / 'nan.json').write_text('{"architectures": {"best": {"parameters": 1, '
                                       '"test_error": {"mean": NaN, "std": null}}}}')
    (tmp_path / 'text.json').write_text('{"architectures": {"best": {"parameters": 1, '
                                        '"test_error": {"mean": "1%", "std": null}}}}')
    (tmp_path / 'huge.json').write_text('{"architectures": {"best": {"parameters": 1, '
                                        '"test_error": {"mean": 1e306, "std": 1e306}}}}')
    (tmp_path / 'binary.json').write_bytes(b'\x80\x81\xfe')
    for results in ('missing.json', 'junk.json', 'truncated.json', 'nan.json', 'text.json', 'huge.json', 'binary.json'):
        run = plot(results, tmp_path / 'x.svg')
        assert run.returncode == 1 and len(run.stderr.splitlines()) == 1 and run.stderr.startswith('error: '), run.stderr
    assert not (tmp_path / 'x.svg').exists()
    (tmp_path / 'mine.svg').write_text('mine')
    for figure, message in (('junk.json', 'replace the results'), ('x.xyz', 'x.xyz is not a .svg, .pdf or .png file'),
                            ('mine.svg', 'mine.svg exists (--overwrite replaces it)')):
        run = plot('junk.json', figure)
        assert run.returncode == 2 and message in run.stderr.splitlines()[-1], run.stderr
    assert (tmp_path / 'junk.json').read_text() == '{"no": "architectures"}'
    assert (tmp_path / 'mine.svg').read_text() == 'mine' and not (tmp_path / 'x.xyz').exists()
    run = plot(os.path.join(PROJ1, 'results', 'test.json'), 'mine.svg', '--overwrite')
    assert run.returncode == 0 and (tmp_path / 'mine.svg').read_text().startswith('<?xml'), run.stderr


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_a_bar_on_stderr_gives_the_time_left_and_stdout_keeps_its_lines(monkeypatch, capsys):
    """run_rounds with trainings that take no time: the lines on stdout as without a terminal, the bar on
    stderr with the trainings done of the total and a time left."""
    fake = train.Round(0.25, 0.125, 0.5, 0.125, [1.0])
    monkeypatch.setattr(experiment, 'draw', lambda seed, device: None)
    monkeypatch.setattr(experiment, 'run_round', lambda arch, seed, device, drawn: fake)
    options = argparse.Namespace(rounds=2, seed=0, device='cpu')
    archs = {name: train.ARCHS[name] for name in ('baseline', 'best')}
    experiment.run_rounds(archs, options)
    plain = capsys.readouterr()
    terminal = Terminal()
    monkeypatch.setattr(sys, 'stderr', terminal)
    experiment.run_rounds(archs, options)
    assert capsys.readouterr().out == plain.out and plain.err == ''
    assert plain.out.splitlines() == [f'{name:12s} round  {r}/2  train error 25.00%  test error 12.50%   0.50 s'
                                      for r in (1, 2) for name in archs]
    bar = terminal.getvalue()
    assert '3/4 trainings, 0:00 so far, about 0:00 left' in bar and bar.endswith('\r\033[K')  # erased at the end


def test_clock():
    assert [experiment.clock(s) for s in (0, 59.6, 65, 3600 + 65)] == ['0:00', '1:00', '1:05', '1:01:05']


def test_out_writes_the_table_and_every_round_as_json(monkeypatch, capsys, tmp_path):
    """run_experiment with rounds that take no time: the JSON holds the table's numbers and each round's."""
    first, second = train.Round(0.25, 0.125, 0.5, 0.125, [1.0]), train.Round(0.5, 0.25, 2.0, 0.3, [2.0, 1.0])
    rounds = iter([first, first, second, second])  # round 1 of both architectures, then round 2
    monkeypatch.setattr(experiment, 'draw', lambda seed, device: None)
    monkeypatch.setattr(experiment, 'run_round', lambda arch, seed, device, drawn: next(rounds))
    out = tmp_path / 'results.json'
    options = argparse.Namespace(rounds=2, seed=7, device='cpu', epochs=None, lr=None, out=str(out))
    experiment.run_experiment({name: train.ARCHS[name] for name in ('baseline', 'best')}, options)
    assert capsys.readouterr().out.endswith(f'wrote {out}\n') and os.listdir(tmp_path) == ['results.json']
    results = json.loads(out.read_text())
    assert (results['rounds'], results['seed'], results['baseline_seconds']) == (2, 7, 1.25)  # median of 0.5, 2.0
    best = results['architectures']['best']
    assert best['parameters'] == models.nb_parameters(train.ARCHS['best'].make()) and best['epochs'] == 25
    assert best['test_error'] == {'mean': 0.1875, 'std': pytest.approx(0.0883883476)}
    assert best['cost'] == 1.0 and best['train_error']['mean'] == 0.375 and best['seconds'] == 1.25
    assert [r['seed'] for r in best['rounds']] == [7, 8] and best['rounds'][1]['losses'] == [2.0, 1.0]


def bad_outs(tmp_path):
    """(--out, the message expected): paths that --out must refuse before any training, in `tmp_path`
    which holds mine.json."""
    os.symlink(tmp_path / 'nowhere.json', tmp_path / 'dangling.json')
    return [(tmp_path / 'mine.json', '{} exists (--overwrite replaces it)'), (tmp_path / 'dangling.json', '{} exists'),
            (tmp_path, '{} names a folder, not a file'), (f'{tmp_path}/new/', '{} names a folder, not a file'),
            (tmp_path / 'no' / 'x.json', 'cannot write {} (No such file or directory)'),
            (tmp_path / 'mine.json' / 'x.json', 'cannot write {} (Not a directory)'),
            (tmp_path / ('a' * 300 + '.json'), 'cannot write {} (File name too long)')]


@pytest.mark.parametrize('project', ['proj1', 'proj2'])
def test_out_refuses_what_it_cannot_write_or_must_not_replace_before_any_training(tmp_path, monkeypatch, capsys,
                                                                                  project):
    """Project 1's and project 2's parse_options (twins: each hand-in carries its own)."""
    if project == 'proj1':
        from proj1.comparison.options import add_out_options, option_parser, parse_options
    else:
        from proj2.disc import add_out_options, option_parser, parse_options
    (tmp_path / 'mine.json').write_text('mine')
    for out, message in bad_outs(tmp_path):
        monkeypatch.setattr(sys, 'argv', ['script.py', '--out', str(out)])
        with pytest.raises(SystemExit) as exit:
            parse_options(add_out_options(option_parser('')))
        err = capsys.readouterr().err
        assert exit.value.code == 2 and f'error: argument --out: {message.format(out)}' in err, err
    assert sorted(os.listdir(tmp_path)) == ['dangling.json', 'mine.json'] and (tmp_path / 'mine.json').read_text() == 'mine'


@pytest.mark.parametrize('script', ['test.py', 'ablation.py', 'selection.py'])
def test_every_script_checks_out_before_any_training(tmp_path, script):
    (tmp_path / 'mine.json').write_text('mine')
    run = subprocess.run([sys.executable, script, '--out', str(tmp_path / 'mine.json')], cwd=PROJ1,
                         capture_output=True, text=True)
    assert run.returncode == 2 and 'error: argument --out: ' in run.stderr and 'exists' in run.stderr
    assert run.stdout == '' and 'Traceback' not in run.stderr
    assert os.listdir(tmp_path) == ['mine.json'] and (tmp_path / 'mine.json').read_text() == 'mine'


def test_a_results_file_that_cannot_be_written_after_the_training_is_one_line_and_no_file(tmp_path):
    """A file size limit (setrlimit) that the JSON exceeds: one line naming the file, status 1, nothing left."""
    limit = 100  # bytes: the JSON of one round is some hundreds
    run = subprocess.run([sys.executable, 'test.py', '--rounds', '1', '--epochs', '1', '--archs', 'baseline',
                          '--out', str(tmp_path / 'test.json')], cwd=PROJ1, capture_output=True, text=True,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert run.returncode == 1 and 'Traceback' not in run.stderr, run.stderr
    assert run.stderr.splitlines()[-1] == f"error: [Errno 27] File too large: '{tmp_path / 'test.json'}'"
    assert os.listdir(tmp_path) == []


def test_write_json_leaves_the_previous_file_whole_when_the_write_fails(tmp_path):
    out = tmp_path / 'results.json'
    out.write_text('{"previous": true}')
    with pytest.raises(TypeError):
        files.write_json(str(out), {'not JSON': object()})
    assert out.read_text() == '{"previous": true}' and os.listdir(tmp_path) == ['results.json']
    files.write_json(str(out), {'new': [1, 2]})
    assert json.loads(out.read_text()) == {'new': [1, 2]} and os.listdir(tmp_path) == ['results.json']
