"""Project 2 (issue 17): optimisers over parameters of several dtypes and devices, several
optimisers over one model, error_rate's shapes, empty batches, divergence, and the command
lines' errors."""
import json
import os
import re
import resource
import shutil
import subprocess
import sys

import pytest
import torch

from proj2 import framework
from proj2.disc import disc_network
from proj2.framework import (SGD, Adam, BatchNorm1d, Conv2d, Dropout, Flatten, LeakyReLU, Linear, LossMSE, ReLU, RMSprop,
                             Sigmoid, Softmax, Tanh, error_rate, train)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJ2 = os.path.join(ROOT, 'proj2')

DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])


def set_gradients(layers, value=0.5):
    for layer in layers:
        for _, grad in layer.param():
            grad.fill_(value)


@pytest.mark.parametrize('kinds', [[(torch.float64, 'cpu'), (torch.float32, 'cpu')],
                                   [(torch.float32, 'cpu'), (torch.float64, 'cpu'), (torch.float32, 'cpu')]] +
                         ([[(torch.float32, 'cpu'), (torch.float32, 'cuda'), (torch.float64, 'cuda')]]
                          if 'cuda' in DEVICES else []), ids=str)
@pytest.mark.parametrize('make, moved', [(lambda p: SGD(p, lr=0.1), 0.1 * (0.5 + 0.5)),
                                         (lambda p: SGD(p, lr=0.1, momentum=0.9), 0.1 * (0.5 + 0.9 * 0.5 + 0.5))],
                         ids=['sgd', 'momentum'])
def test_optimisers_update_parameters_of_several_dtypes_and_devices(kinds, make, moved):
    """Two steps on gradients of 0.5 (for torch.optim.SGD, the velocity starts at the first gradient)."""
    torch.manual_seed(0)
    layers = [Linear(2, 2, dtype=dtype, device=device) for dtype, device in kinds]
    before = [[parameter.clone() for parameter, _ in layer.param()] for layer in layers]
    optimizer = make([pair for layer in layers for pair in layer.param()])
    for _ in range(2):
        set_gradients(layers)
        optimizer.step()
    for layer, old, (dtype, device) in zip(layers, before, kinds):
        for (parameter, _), value in zip(layer.param(), old):
            assert parameter.dtype == dtype and parameter.device.type == device
            torch.testing.assert_close(parameter, value - moved, rtol=1e-6, atol=1e-6)


def test_several_optimisers_over_one_model_each_update_it():
    torch.manual_seed(0)
    model, reference = disc_network(), disc_network()
    for (parameter, _), (twin, _) in zip(model.param(), reference.param()):
        twin.copy_(parameter)
    first, second = Adam(model.param(), lr=0.01), Adam(model.param(), lr=0.01)
    alone = Adam(reference.param(), lr=0.01)
    input, target = torch.rand(20, 2), torch.rand(20, 1)

    def step(network, optimizer):
        criterion = LossMSE()
        criterion(network(input), target)
        optimizer.zero_grad()
        network.backward(criterion.backward())
        optimizer.step()

    for _ in range(20):
        step(model, first)
        step(reference, alone)
    for (parameter, _), (expected, _) in zip(model.param(), reference.param()):
        assert torch.equal(parameter, expected)
    before = [parameter.clone() for parameter, _ in model.param()]
    step(model, second)
    assert all((parameter - old).abs().max() > 1e-4 for (parameter, _), old in zip(model.param(), before))
    last = model.param()[-2:]
    third = SGD(last, lr=1.0)  # a third one over the last layer only
    step(model, third)
    step(model, first)
    assert all(grad.abs().sum() > 0 for _, grad in model.param())
    second.zero_grad()
    assert all(grad.abs().sum() == 0 for _, grad in model.param())


def test_error_rate_refuses_outputs_and_targets_of_different_shapes():
    torch.manual_seed(0)
    model = disc_network()
    input, target = torch.rand(1000, 2), (torch.rand(1000, 1) > 0.5).float()
    assert 0 <= error_rate(model, input, target) <= 1
    with pytest.raises(ValueError, match=r'output of shape \(1000, 1\) and target of shape \(1000,\)'):
        error_rate(model, input, target.view(-1))


def test_empty_batches_are_refused_where_they_enter():
    model, criterion = disc_network(), LossMSE()
    optimizer = SGD(model.param(), lr=0.1)
    input, target = torch.rand(10, 2), torch.rand(10, 1)
    with pytest.raises(ValueError, match='no samples'):
        train(model, criterion, optimizer, input[:0], target[:0], 1, 5)
    with pytest.raises(ValueError, match='no samples'):
        error_rate(model, input[:0], target[:0])
    for batch_size in (0, -1):
        with pytest.raises(ValueError, match='batch_size'):
            train(model, criterion, optimizer, input, target, 1, batch_size)
    with pytest.raises(ValueError, match='empty batch'):
        criterion(input[:0, :1], target[:0])


@pytest.mark.parametrize('lr, poison', [(1e30, False), (0.01, True)], ids=['overflow', 'inf-input'])
def test_training_stops_with_a_message_when_the_loss_diverges(lr, poison, capsys):
    torch.manual_seed(0)
    model = disc_network()
    input, target = torch.rand(100, 2), torch.rand(100, 1)
    if poison:
        input[17, 0] = float('inf')
    with pytest.raises(ArithmeticError, match=r'^diverged at epoch 1: loss (nan|inf)$'):
        train(model, LossMSE(), Adam(model.param(), lr=lr), input, target, 5, 10, log_every=1)
    assert 'epoch' not in capsys.readouterr().out


def run(arguments, cwd, **options):
    return subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True, text=True, timeout=120, **options)


BAD_OPTIONS = [['--rounds', '0'], ['--batch-size', '-3'], ['--epochs', '0'], ['--device', 'nonsense'],
               ['--lr', 'nan'], ['--log-every', '-1'], ['--seed', '99999999999999999999'], ['--seed', '-1'],
               ['--seed', '4294967295', '--rounds', '2']]
DIVERGING = ['--lr', '1e30', '--epochs', '3']
NAN_OUTPUTS = ['--lr', '1e38', '--epochs', '1', '--batch-size', '1000']  # one step: a finite loss, then NaN outputs
OVERFLOW = ['--lr', '1e38', '--epochs', '3']  # Adam's step beyond float32

# runs test.py as __main__ once per argument list in one process (torch starts once): exit status, stderr, stdout
RUN_EACH = """
import contextlib, io, json, runpy, sys, traceback
for arguments in json.loads(sys.argv[1]):
    sys.argv, out, err = ['test.py', *arguments], io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path('test.py', run_name='__main__')
            status = 0
        except SystemExit as exit:
            if isinstance(exit.code, str):  # sys.exit(message): the message on stderr, status 1
                print(exit.code, file=sys.stderr)
                status = 1
            else:
                status = exit.code or 0
        except BaseException:
            traceback.print_exc()
            status = 'exception'
    print(json.dumps([status, err.getvalue(), out.getvalue()]))
"""


@pytest.fixture(scope='module')
def script_runs():
    """{arguments: (exit status, stderr, stdout)} of test.py for BAD_OPTIONS and DIVERGING."""
    cases = BAD_OPTIONS + [DIVERGING, NAN_OUTPUTS, OVERFLOW]
    result = run(['-c', RUN_EACH, json.dumps(cases)], PROJ2)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    return {tuple(arguments): json.loads(line) for arguments, line in zip(cases, lines, strict=True)}


def test_test_py_reports_a_divergence_on_one_line_and_exits_1(script_runs):
    status, err, out = script_runs[tuple(DIVERGING)]
    assert status == 1, (status, err)
    assert re.fullmatch(r'diverged at epoch 1: loss (nan|inf)\n', err), err
    assert 'error' not in out


def test_nan_outputs_and_an_overflowing_step_are_divergences_never_error_rates(script_runs):
    for arguments, message in ((NAN_OUTPUTS, 'diverged: the outputs are not finite\n'),
                               (OVERFLOW, "diverged at epoch 1: the optimiser's step overflows\n")):
        status, err, out = script_runs[tuple(arguments)]
        assert (status, err) == (1, message) and 'error' not in out, (arguments, status, err, out)


def assert_argparse_error(status, err, out, option):
    """Exit 2, nothing on stdout, argparse's usage and one error line naming the option, no traceback."""
    assert status == 2 and 'Traceback' not in err and out == '', (option, status, err)
    errors = [line for line in err.splitlines() if 'error' in line]
    assert len(errors) == 1 and re.fullmatch(rf'\S+\.py: error: argument {option}: .*', errors[0]), (option, err)


def test_bad_options_end_as_one_argparse_error_line(script_runs):
    for arguments in BAD_OPTIONS:
        assert_argparse_error(*script_runs[tuple(arguments)], arguments[0])
    result = run(['-m', 'benchmarks.proj2_vs_autograd', '--lr', '0'], ROOT)
    assert_argparse_error(result.returncode, result.stderr, result.stdout, '--lr')


def test_hand_in_copy_runs_alone(tmp_path):
    """proj2/ copied as Proj2/ into an empty folder, its scripts run there with no repository on the path."""
    hand_in = tmp_path / 'Proj2'
    shutil.copytree(PROJ2, hand_in, ignore=shutil.ignore_patterns('__pycache__'))
    environment = {name: value for name, value in os.environ.items() if name != 'PYTHONPATH'}
    result = run(['test.py', '--epochs', '2'], hand_in, env=environment)
    assert result.returncode == 0, result.stderr
    assert re.search(r'^test error over 1 round: mean [\d.]+%$', result.stdout, re.M), result.stdout
    assert 'std' not in result.stdout  # undefined for one round
    result = run(['test.py', '--epochs', '2', '--rounds', '2', '--out', str(tmp_path / 'test.json')], hand_in,
                 env=environment)
    assert result.returncode == 0 and result.stdout.endswith(f'wrote {tmp_path / "test.json"}\n'), result.stderr
    results = json.loads((tmp_path / 'test.json').read_text())
    assert [r['seed'] for r in results['rounds']] == [0, 1] and results['parameters'] == 1401
    assert [len(r['losses']) for r in results['rounds']] == [2, 2] and results['test_error']['std'] is not None
    (tmp_path / 'figures').mkdir()
    result = run(['plot.py', str(tmp_path / 'test.json'), str(tmp_path / 'figures')], hand_in, env=environment)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path / 'figures')) == ['decision_boundary.svg', 'loss_curve.svg']
    result = run(['published.py', '--rounds', '1', '--epochs', '1'], hand_in, env=environment)
    assert result.returncode == 0, result.stderr
    assert re.search(r'^Adam, batch 1 +[\d.]+ +94\.7% +[\d.]+% +-$', result.stdout, re.M), result.stdout


# All or nothing: every operation checks everything before it changes anything

def test_load_state_dict_with_a_bad_later_key_changes_no_layer():
    torch.manual_seed(0)
    model = disc_network()
    before = model.state_dict()
    bad = {**before, '6.weight': torch.zeros(3, 3)}  # the last Linear's weight, of a wrong shape
    bad['0.weight'] = torch.ones_like(before['0.weight'])
    with pytest.raises(ValueError, match=r'6.weight of shape \(3, 3\), expected \(1, 25\)'):
        model.load_state_dict(bad)
    assert all(torch.equal(tensor, before[name]) for name, tensor in model.state_dict().items())


def test_batch_norm_refuses_another_dtype_before_counting_the_batch():
    norm = BatchNorm1d(3)
    with pytest.raises(ValueError, match='holds torch.float32 on cpu, got input of torch.float64'):
        norm(torch.randn(4, 3, dtype=torch.float64))
    assert norm.num_batches_tracked.item() == 0 and torch.equal(norm.running_mean, torch.zeros(3))


@pytest.mark.parametrize('module', [ReLU(), Tanh(), Sigmoid(), LeakyReLU(), Softmax(), Flatten(), Dropout(0.5)],
                         ids=lambda module: type(module).__name__)
def test_backward_refuses_a_gradient_of_another_shape_than_the_output(module):
    output = module(torch.randn(4, 3, 2))
    with pytest.raises(ValueError, match='expects a gradient of the shape of its output'):
        module.backward(torch.ones(4, 3))
    assert module.backward(torch.ones(output.shape)).shape == (4, 3, 2)


@pytest.mark.parametrize('module', [Linear(3, 2), Conv2d(1, 2, 3)], ids=['Linear', 'Conv2d'])
def test_a_module_with_parameters_used_twice_before_its_backward_refuses_a_second_backward(module):
    """Both backwards would use the second input and give a wrong weight gradient: the second one raises."""
    input = torch.randn(4, 3) if isinstance(module, Linear) else torch.randn(2, 1, 5, 5)
    output = module(input)
    module(2 * input)
    module.backward(torch.ones(output.shape))
    gradient = [g.clone() for _, g in module.param()]
    with pytest.raises(RuntimeError, match='backward called before forward .or twice after one forward.'):
        module.backward(torch.ones(output.shape))
    assert all(torch.equal(g, before) for (_, g), before in zip(module.param(), gradient))


def test_a_results_file_that_cannot_be_written_after_the_training_is_one_line_and_no_file(tmp_path):
    """A file size limit (setrlimit) that the JSON exceeds: one line naming the file, status 1, nothing left."""
    limit = 100  # bytes: the JSON of one round is some hundred thousands
    result = subprocess.run([sys.executable, 'test.py', '--epochs', '1', '--out', str(tmp_path / 'test.json')], cwd=PROJ2,
                            capture_output=True, text=True,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [f"error: [Errno 27] File too large: '{tmp_path / 'test.json'}'"]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('make, message', [
    (lambda: Linear(2, -1), 'Linear: out_features must be an integer >= 1, got -1'),
    (lambda: Linear(2.5, 3), 'Linear: in_features must be an integer >= 1, got 2.5'),
    (lambda: BatchNorm1d(-1), 'BatchNorm1d: num_features must be an integer >= 1, got -1'),
    (lambda: Conv2d(0, 3, 3), 'Conv2d: in_channels must be an integer >= 1, got 0'),
    (lambda: framework.validation_split(torch.zeros(10, 2), torch.zeros(10, 1), float('nan')),
     'validation_split: fraction must be a number in (0, 1), got nan'),
    (lambda: error_rate(Linear(2, 1), torch.zeros(4, 2), torch.zeros(4, 1), threshold=float('nan')),
     'error_rate: threshold must be a finite number, got nan'),
    (lambda: framework.EarlyStopping(torch.zeros(4, 2), torch.zeros(4, 1), patience=float('nan')),
     'EarlyStopping: patience must be an integer >= 1, got nan'),
    (lambda: framework.EarlyStopping(torch.zeros(4, 2), torch.zeros(4, 1), min_delta=-1),
     'EarlyStopping: min_delta must be a finite number >= 0, got -1'),
    (lambda: Linear(2, 3)(torch.zeros(4, 2, dtype=torch.float64)),
     'Linear(2, 3) holds torch.float32 on cpu, got input of torch.float64 on cpu'),
    (lambda: Conv2d(1, 2, 3)([[0.0]]), 'holds torch.float32 on cpu, got input of list'),
    (lambda: Linear(2, 3, init=['he']), "unknown initialisation ['he']"),
    (lambda: LeakyReLU(float('nan')), 'LeakyReLU: negative_slope must be a finite number, got nan'),
    (lambda: Softmax('1'), "Softmax: dim must be an integer, got '1'"),
    (lambda: Flatten('a'), "Flatten: start_dim and end_dim must be integers, got 'a' and -1"),
    (lambda: Dropout('0.5'), "dropout probability must be in [0, 1), got '0.5'"),
    (lambda: BatchNorm1d(3, eps=-1), 'BatchNorm1d: eps must be a finite number > 0, got -1'),
    (lambda: BatchNorm1d(3, momentum=5), 'BatchNorm1d: momentum must be None or a number in [0, 1], got 5'),
    (lambda: framework.Sequential(Linear(2, 2), 2), 'Sequential takes modules, got Linear, int'),
    (lambda: framework.Sequential(*[Linear(2, 2)] * 2), 'Sequential: a module appears twice'),
    (lambda: LossMSE()([1.0], torch.zeros(1)), 'LossMSE: prediction must be a tensor, got list'),
    (lambda: framework.LossCrossEntropy()(torch.zeros(2, 3), [0, 1]), 'LossCrossEntropy: target must be a tensor'),
    (lambda: error_rate(Linear(2, 1), [[0.0, 0.0]], torch.zeros(1, 1)), 'error_rate: input must be a tensor, got list'),
    (lambda: SGD([torch.zeros(2)]), 'param must list (parameter, gradient) pairs of tensors'),
    (lambda: SGD([(torch.zeros(2, dtype=torch.long), torch.zeros(2, dtype=torch.long))]),
     'a parameter of torch.int64: an optimiser moves floating-point parameters only'),
    (lambda: train(Linear(2, 1), LossMSE(), SGD(Linear(2, 1).param()), torch.zeros(4, 2), torch.zeros(4, 1), 2.5, 2),
     'train: epochs must be an integer >= 1, got 2.5'),
    (lambda: train(Linear(2, 1), LossMSE(), SGD(Linear(2, 1).param()), torch.zeros(4, 2), torch.zeros(4, 1), 1, 2,
                   log_every='a'), "train: log_every must be an integer >= 0, got 'a'"),
    (lambda: train(Linear(2, 1), LossMSE(), SGD(Linear(2, 1).param()), torch.zeros(4, 2), torch.zeros(4, 1), 1, 2,
                   scheduler=3), 'train: scheduler must be a scheduler of the framework, got int'),
    (lambda: train(Linear(2, 1), LossMSE(), SGD(Linear(2, 1).param()), torch.zeros(4, 2), torch.zeros(4, 1), 1, 2,
                   lr_schedule=lambda epoch: -1.0), 'train: lr_schedule(1) is -1.0, not a finite number >= 0')])
def test_framework_calls_name_the_argument_they_refuse(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


@pytest.mark.parametrize('module, shape', [(Linear(3, 2), (4, 3)), (Conv2d(2, 3, 3), (2, 2, 5, 5))],
                         ids=['Linear', 'Conv2d'])
def test_a_gradient_of_another_dtype_is_refused_before_the_forward_is_spent(module, shape):
    """A float64 gradient to a float32 module: a ValueError, and the right gradient still goes through after it."""
    output = module(torch.randn(shape))
    with pytest.raises(ValueError, match='expects a gradient of torch.float32 on cpu, got torch.float64 on cpu'):
        module.backward(torch.ones(output.shape, dtype=torch.float64))
    assert all(not g.any() for _, g in module.param())
    module.backward(torch.ones(output.shape))
    assert all(g.any() for _, g in module.param())


def test_a_sequential_backs_through_its_own_forward_or_changes_nothing():
    """A module of the chain run again on another batch between the forward and the backward: a RuntimeError
    before any gradient changes (the last module's backward would otherwise have added its part)."""
    first, last = Linear(2, 3), Linear(3, 1)
    model = framework.Sequential(first, ReLU(), last)
    output = model(torch.randn(4, 2))
    first(torch.randn(5, 2))
    with pytest.raises(RuntimeError, match='a module ran another forward or its backward since the forward'):
        model.backward(torch.ones(output.shape))
    assert all(not g.any() for _, g in model.param())
    output = model(torch.randn(4, 2))
    model.backward(torch.ones(output.shape))
    assert all(g.any() for _, g in last.param())


def test_a_validation_loss_that_is_not_finite_is_a_divergence():
    model = Linear(2, 1)
    stopping = framework.EarlyStopping(torch.full((4, 2), float('nan')), torch.zeros(4, 1))
    with pytest.raises(framework.Diverged, match='diverged at epoch 1: validation loss nan'):
        train(model, LossMSE(), SGD(model.param(), lr=0.1), torch.zeros(4, 2), torch.zeros(4, 1), 3, 2,
              early_stopping=stopping)


def test_a_module_loads_tensors_only_and_all_or_nothing():
    model = framework.Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    before = model.state_dict()
    for bad, message in (({**before, '2.bias': before['2.bias'].numpy()}, '2.bias is a ndarray, not a tensor'),
                         ({**before, '2.bias': torch.empty(1, device='meta')}, '2.bias is a Tensor without data'),
                         ({**before, '2.bias': torch.ones(1, dtype=torch.long)}, '2.bias of torch.int64, expected torch.float32')):
        bad['0.weight'] = torch.ones(3, 2)
        with pytest.raises(ValueError, match=re.escape(message)):
            model.load_state_dict(bad)
        assert all(torch.equal(model.state_dict()[name], tensor) for name, tensor in before.items())
    normalised = framework.Sequential(Linear(2, 3), BatchNorm1d(3))
    before = normalised.state_dict()
    bad = {**before, '0.weight': torch.ones(3, 2), '1.running_var': torch.tensor([1.0, -1.0, 1.0])}
    with pytest.raises(ValueError, match=re.escape('BatchNorm1d(3): running statistics that no data gives')):
        normalised.load_state_dict(bad)
    assert all(torch.equal(normalised.state_dict()[name], tensor) for name, tensor in before.items())


def run_main(main, monkeypatch, capsys, *argv):
    """(exit status or message, captured output) of `main()` under the command line `argv`."""
    monkeypatch.setattr(sys, 'argv', ['plot.py', *map(str, argv)])
    try:
        main()
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, capsys.readouterr()


def test_the_plots_refuse_what_they_cannot_draw_and_replace_nothing_unasked(tmp_path, monkeypatch, capsys):
    """Project 2's figures and the digit-pairs curve: a grid that is no grid, an input named like an output,
    a figure that exists (--overwrite replaces it)."""
    from experiments import plot as experiments_plot
    from proj2 import plot
    results = json.loads(open(os.path.join(PROJ2, 'results', 'test.json')).read())
    results['boundary']['resolution'] = 1
    (tmp_path / 'one.json').write_text(json.dumps(results))
    code, _ = run_main(plot.main, monkeypatch, capsys, tmp_path / 'one.json', tmp_path)
    assert code.startswith(f'error: cannot draw the figures of {tmp_path / "one.json"}: ValueError(\'a grid of resolution 1')
    (tmp_path / 'decision_boundary.svg').write_text('{}')
    for argv, message in (([tmp_path / 'decision_boundary.svg', tmp_path], 'would replace the results it is drawn from'),
                          ([tmp_path / 'one.json', tmp_path], 'decision_boundary.svg exists (--overwrite replaces it)')):
        code, captured = run_main(plot.main, monkeypatch, capsys, *argv)
        assert code == 2 and captured.err.splitlines()[-1].endswith(message), captured.err
    assert sorted(os.listdir(tmp_path)) == ['decision_boundary.svg', 'one.json']
    assert (tmp_path / 'decision_boundary.svg').read_text() == '{}'
    digit_pairs = os.path.join(PROJ2, 'results', 'digit_pairs.json')
    (tmp_path / 'curve.svg').write_text('mine')
    for argv, message in (([tmp_path / 'one.json', tmp_path / 'one.json'], 'would replace the results it is drawn from'),
                          ([digit_pairs, tmp_path / 'curve.svg'], 'curve.svg exists (--overwrite replaces it)')):
        code, captured = run_main(experiments_plot.main, monkeypatch, capsys, *argv)
        assert code == 2 and captured.err.splitlines()[-1].endswith(message), captured.err
    assert (tmp_path / 'curve.svg').read_text() == 'mine'
    code, captured = run_main(experiments_plot.main, monkeypatch, capsys, digit_pairs, tmp_path / 'curve.svg', '--overwrite')
    assert code == 0 and (tmp_path / 'curve.svg').read_text().startswith('<?xml'), captured.err


NAN, INF = float('nan'), float('inf')


@pytest.mark.parametrize('kind, settings, message', [
    ('Adam', dict(eps=NAN), r'Adam: invalid eps: nan \(expected a finite number >= 0\)'),
    ('RMSprop', dict(eps=-1.0), 'RMSprop: invalid eps: -1.0'),
    ('SGD', dict(lr=NAN), 'SGD: invalid lr: nan'),
    ('SGD', dict(lr=INF), 'SGD: invalid lr: inf'),
    ('SGD', dict(lr='0.1'), "SGD: invalid lr: '0.1'"),
    ('Adam', dict(weight_decay=NAN), 'Adam: invalid weight_decay: nan'),
    ('SGD', dict(momentum=-0.1), 'SGD: invalid momentum: -0.1'),
    ('SGD', dict(momentum=0.9, nesterov=1), 'SGD: invalid nesterov: 1 \\(expected True or False\\)'),
    ('SGD', dict(nesterov=True), 'SGD: Nesterov momentum requires a momentum and zero dampening'),
    ('SGD', dict(dampening=INF), 'SGD: invalid dampening: inf'),
    ('Adam', dict(betas=(0.9,)), r'Adam: invalid betas: \(0.9,\) \(expected two numbers in \[0, 1\)\)'),
    ('Adam', dict(betas=(0.9, 1.0)), 'Adam: invalid betas'),
    ('Adam', dict(betas=(-0.1, 0.999)), 'Adam: invalid betas'),
    ('Adam', dict(amsgrad='yes'), 'Adam: invalid amsgrad'),
    ('RMSprop', dict(alpha=1.5), 'RMSprop: invalid alpha: 1.5'),
    ('RMSprop', dict(momentum=NAN), 'RMSprop: invalid momentum: nan'),
    ('RMSprop', dict(centered=None), 'RMSprop: invalid centered: None'),
    ('Adagrad', dict(lr_decay=-1), 'Adagrad: invalid lr_decay: -1'),
    ('Adagrad', dict(initial_accumulator_value=NAN), 'Adagrad: invalid initial_accumulator_value: nan'),
    ('Adadelta', dict(rho=NAN), 'Adadelta: invalid rho: nan')])
def test_optimisers_refuse_hyperparameters_that_torch_optim_refuses(kind, settings, message):
    """What torch.optim refuses, and NaN, infinities and values of another type, named in the message."""
    layer = Linear(2, 1)
    before = [p.clone() for p, _ in layer.param()]
    with pytest.raises(ValueError, match=message):
        getattr(framework, kind)(layer.param(), **settings)
    assert all(torch.equal(p, b) for (p, _), b in zip(layer.param(), before))


OPTIMISERS = [('SGD', dict(momentum=0.9)), ('SGD', dict()), ('Adam', dict(amsgrad=True)), ('Adam', dict()),
              ('RMSprop', dict(centered=True, momentum=0.5)), ('RMSprop', dict()), ('Adagrad', dict()),
              ('Adadelta', dict())]


def stepped(kind, settings, steps=2):
    """An optimiser of `kind` over a small layer, after `steps` steps."""
    layer = Linear(3, 2)
    optimiser = getattr(framework, kind)(layer.param(), **settings)
    for _ in range(steps):
        set_gradients([layer])
        optimiser.step()
    return optimiser


@pytest.mark.parametrize('kind, settings', OPTIMISERS)
def test_an_optimiser_states_names_are_those_its_load_state_dict_expects(kind, settings):
    for steps in (0, 1):
        optimiser = stepped(kind, settings, steps)
        assert [set(state) for state in optimiser.state] == [optimiser.state_names(optimiser.hyperparameters, steps)]
        stepped(kind, settings).load_state_dict(optimiser.state_dict())


def broken_states(state_dict):
    """(label, a copy of `state_dict` broken one way, the message expected)."""
    def changed(**changes):
        return {**state_dict, **changes}
    name = sorted(state_dict['state'][0])[0]
    tensor = state_dict['state'][0][name]
    return [('bad lr', changed(lr=NAN), 'invalid lr: nan'),
            ('negative steps', changed(steps=-1), 'invalid steps: -1'),
            ('steps not an integer', changed(steps=1.5), 'invalid steps: 1.5'),
            ('missing key', {k: v for k, v in state_dict.items() if k != 'steps'}, 'a state dict with keys'),
            ('not a dict', [state_dict], 'a state dict with keys'),
            ('groups not a list', changed(state={}), 'a state dict with keys'),
            ('unknown state', changed(state=[{**state_dict['state'][0], 'other': tensor}]), 'a group state with'),
            ('state not a tensor', changed(state=[{**state_dict['state'][0], name: tensor.tolist()}]),
             f"state '{name}' is not a floating-point tensor"),
            ('integer state', changed(state=[{**state_dict['state'][0], name: tensor.long()}]),
             f"state '{name}' is not a floating-point tensor"),
            ('state of another shape', changed(state=[{**state_dict['state'][0], name: tensor[:1]}]),
             f"state '{name}' of shape")]


@pytest.mark.parametrize('kind, settings', [s for s in OPTIMISERS if s != ('SGD', dict())])
def test_an_optimiser_loads_a_state_dict_whole_or_not_at_all(kind, settings):
    """Every part of a loaded state dict is checked before any is taken: a refused one leaves the
    optimiser as it was, and its next step is the step it would have made."""
    source = stepped(kind, settings, 3).state_dict()
    for label, broken, message in broken_states(source):
        optimiser, reference = stepped(kind, settings), stepped(kind, settings)
        with pytest.raises(ValueError, match=re.escape(message)):
            optimiser.load_state_dict(broken)
        assert repr(optimiser.state_dict()) == repr(reference.state_dict()), label


@pytest.mark.parametrize('make, message', [
    (lambda o: framework.StepLR(o, step_size=0), 'StepLR: invalid step_size: 0 (expected an integer >= 1)'),
    (lambda o: framework.StepLR(o, step_size=2.5), 'StepLR: invalid step_size: 2.5'),
    (lambda o: framework.StepLR(o, step_size=True), 'StepLR: invalid step_size: True'),
    (lambda o: framework.StepLR(o, 3, gamma=-0.5), 'StepLR: invalid gamma: -0.5'),
    (lambda o: framework.ExponentialLR(o, gamma=NAN), 'ExponentialLR: invalid gamma: nan'),
    (lambda o: framework.CosineAnnealingLR(o, T_max=0), 'CosineAnnealingLR: invalid T_max: 0'),
    (lambda o: framework.CosineAnnealingLR(o, 10, eta_min=-1e-3), 'CosineAnnealingLR: invalid eta_min: -0.001'),
    (lambda o: framework.LambdaLR(o, 0.5), 'LambdaLR: lr_lambda must be a function of the epoch, got float'),
    (lambda o: framework.LambdaLR(o, lambda epoch: -1), 'LambdaLR: the learning rate of epoch 0 is -0.1'),
    (lambda o: framework.ReduceLROnPlateau(o, factor=1.0), 'ReduceLROnPlateau: invalid factor: 1.0'),
    (lambda o: framework.ReduceLROnPlateau(o, factor=-0.1), 'ReduceLROnPlateau: invalid factor: -0.1'),
    (lambda o: framework.ReduceLROnPlateau(o, mode='lowest'), "ReduceLROnPlateau: invalid mode: 'lowest'"),
    (lambda o: framework.ReduceLROnPlateau(o, threshold_mode='x'), "ReduceLROnPlateau: invalid threshold_mode: 'x'"),
    (lambda o: framework.ReduceLROnPlateau(o, patience=-1), 'ReduceLROnPlateau: invalid patience: -1'),
    (lambda o: framework.ReduceLROnPlateau(o, cooldown=0.5), 'ReduceLROnPlateau: invalid cooldown: 0.5'),
    (lambda o: framework.ReduceLROnPlateau(o, min_lr=NAN), 'ReduceLROnPlateau: invalid min_lr: nan'),
    (lambda o: framework.ReduceLROnPlateau(o, threshold=-1), 'ReduceLROnPlateau: invalid threshold: -1'),
    (lambda o: framework.StepLR(torch.optim.SGD([torch.zeros(1)], lr=0.1), 3),
     'StepLR: optimizer must be an optimiser of the framework, got SGD')])
def test_schedulers_refuse_settings_that_give_no_learning_rate(make, message):
    optimiser = SGD(Linear(2, 1).param(), lr=0.1)
    with pytest.raises(ValueError, match=re.escape(message)):
        make(optimiser)
    assert optimiser.lr == 0.1


def test_a_scheduler_sets_a_learning_rate_the_optimiser_can_take_or_none():
    """A learning rate that is not a finite number >= 0 stops the step before it changes anything;
    a refused state dict leaves the scheduler as it was."""
    optimiser = SGD(Linear(2, 1).param(), lr=0.1)
    scheduler = framework.LambdaLR(optimiser, lambda epoch: [1.0, 0.5, NAN][epoch])
    scheduler.step()
    with pytest.raises(ValueError, match='LambdaLR: the learning rate of epoch 2 is nan, not a finite number >= 0'):
        scheduler.step()
    assert (scheduler.last_epoch, optimiser.lr) == (1, 0.05)

    plateau = framework.ReduceLROnPlateau(optimiser, patience=2)
    saved = plateau.state_dict()
    for broken, message in [({**saved, 'patience': -1}, 'invalid patience: -1'),
                            ({**saved, 'best': NAN}, 'invalid best: nan'),
                            ({**saved, 'last_epoch': 1.5}, 'invalid last_epoch: 1.5'),
                            ({**saved, 'extra': 1}, 'a state dict with keys'),
                            ({k: v for k, v in saved.items() if k != 'mode'}, 'a state dict with keys')]:
        with pytest.raises(ValueError, match=re.escape(message)):
            plateau.load_state_dict(broken)
        assert plateau.state_dict() == saved
    step = framework.StepLR(optimiser, 2)
    step.load_state_dict({**step.state_dict(), 'last_epoch': 5, 'gamma': 0.5})
    assert (step.last_epoch, step.gamma) == (5, 0.5)
