"""experiments/digit_pairs.py: project 1's networks built from project 2's framework against the same
networks in torch.nn (float64, 1e-8 relative: outputs, input and parameter gradients, batch norm in both
modes), weight sharing, the framework's step in project 1's training loop, and the command line."""
import json
import os
import subprocess
import sys

import pytest
import torch

from experiments import digit_pairs
from proj1.comparison import models, training
from proj2 import framework

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOUBLE = torch.float64

NETWORKS = {'shared_aux': lambda: models.Siamese(shared=True), '+bn_tower': lambda: models.Comparator(head=60)}


def relative_error(actual, expected):
    return ((actual - expected).norm() / expected.norm()).item()


def pairs(n, seed=0):
    """`n` random float64 pairs, comparison targets and digit classes."""
    generator = torch.Generator().manual_seed(seed)
    classes = torch.randint(10, (n, 2), generator=generator)
    input = torch.randn(n, 2, 14, 14, dtype=DOUBLE, generator=generator)
    return input, (classes[:, 0] <= classes[:, 1]).long(), classes


def torch_network(name, running_statistics=True):
    """Project 1's network `name` in float64, its batch norms' running statistics moved away from 0
    and 1 by two training passes."""
    torch.manual_seed(0)
    model = NETWORKS[name]().double()
    if running_statistics:
        with torch.no_grad():
            for seed in (1, 2):
                model(pairs(16, seed)[0])
    return model


def framework_loss(twin, input, target, classes, aux_weight=3.0):
    """The framework's loss of the script's training, its backward pass done: (loss, outputs, input gradient)."""
    comparison_loss, digit_loss = framework.LossCrossEntropy(), framework.LossCrossEntropy()
    comparison, digits = twin(input)
    loss = comparison_loss(comparison, target) + aux_weight * digit_loss(digits.reshape(-1, 10), classes.reshape(-1))
    input_grad = twin.backward(comparison_loss.backward(), digit_loss.backward().mul_(aux_weight).view(digits.shape))
    return loss, (comparison, digits), input_grad


def assert_gradients_match(model, twin):
    """The accumulated parameter gradients, tensor by tensor, to 1e-8 relative; those whose exact value
    is 0 (the biases just before a batch norm, which it cancels) only as rounding noise in both."""
    reference = [p.grad for p in model.parameters()]
    own = twin.param()
    assert len(own) == len(reference)
    total = torch.cat([g.flatten() for g in reference]).norm()
    flat = torch.cat([g.flatten() for _, g in own])
    assert relative_error(flat, torch.cat([g.flatten() for g in reference])) < 1e-8
    for (parameter, grad), expected, p in zip(own, reference, model.parameters()):
        assert parameter.shape == p.shape
        if expected.norm() < 1e-10 * total:
            assert grad.norm() < 1e-10 * total
        else:
            assert relative_error(grad, expected) < 1e-8


@pytest.mark.parametrize('name', list(NETWORKS))
@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_framework_network_equals_torch_network_float64(name, mode):
    model = torch_network(name).train(mode == 'train')
    twin = digit_pairs.framework_twin(model)
    assert twin.training == model.training
    assert sum(p.numel() for p, _ in twin.param()) == models.nb_parameters(model)
    for call in range(2):  # the gradients accumulate over the calls on both sides
        input, target, classes = pairs(12, seed=10 + call)
        torch.manual_seed(100 + call)  # the same dropout masks on both sides
        reference_input = input.clone().requires_grad_()
        reference_outputs = model(reference_input)
        comparison, digits = reference_outputs
        reference = (torch.nn.functional.cross_entropy(comparison, target)
                     + 3.0 * torch.nn.functional.cross_entropy(digits.reshape(-1, 10), classes.reshape(-1)))
        reference.backward()
        torch.manual_seed(100 + call)
        with torch.set_grad_enabled(False):
            loss, outputs, input_grad = framework_loss(twin, input, target, classes)
        for output, expected in zip(outputs, reference_outputs):
            assert relative_error(output, expected.detach()) < 1e-8
        assert abs(loss.item() - reference.item()) < 1e-8 * reference.item()
        assert relative_error(input_grad, reference_input.grad) < 1e-8
    assert_gradients_match(model, twin)
    torch_state = list(model.tower1.state_dict().values()) + list(model.head.state_dict().values())
    for (_, own), expected in zip(twin.named_tensors(), torch_state):  # running statistics moved alike (train)
        assert torch.allclose(own.to(expected.dtype), expected, rtol=1e-8, atol=0)


@pytest.mark.parametrize('name, mode', [('shared_aux', 'train'), ('+bn_tower', 'eval')])
def test_one_tower_for_both_digits_gradients_summed(name, mode):
    """One set of parameters, which the gradients of the first and second digits both add to: the
    pair pass gives what the tower alone gives on the first digits plus on the second digits."""
    model = torch_network(name).train(mode == 'train')
    twin = digit_pairs.framework_twin(model)
    assert len({id(p) for p, _ in twin.param()}) == len(list(model.parameters()))  # torch's, shared: no duplicate
    assert sum(p.numel() for p, _ in twin.param()) == models.nb_parameters(model)
    input, _, _ = pairs(6)
    grad_digits = torch.randn(6, 2, 10, dtype=DOUBLE)
    with torch.set_grad_enabled(False):
        comparison, _ = twin(input)
        twin.backward(torch.zeros_like(comparison), grad_digits)
        together = [g.clone() for _, g in twin.tower.param()]
        twin.zero_grad()
        for digit in range(2):
            twin.tower(input[:, digit:digit + 1].contiguous())
            twin.tower.backward(grad_digits[:, digit].contiguous())
        for (_, apart), expected in zip(twin.tower.param(), together):
            assert torch.allclose(apart, expected, rtol=1e-10, atol=1e-12 * expected.abs().max().item())
        assert twin.head.param()[0][1].abs().max() == 0  # the head got no gradient from a zero one


@pytest.mark.parametrize('name', list(NETWORKS))
def test_framework_training_follows_torch_training_float64(name):
    """4 steps of both trainings from the same weights, batches and dropout masks, in float64: the same
    weights to 1e-7 relative (Adam's first steps are lr times the gradient's sign, so that the biases
    before a batch norm, whose gradient is rounding noise, move at random: they are left out)."""
    input, target, classes = pairs(200)
    arch = training.Arch(NETWORKS[name], epochs=2, aux_weight=3.0, lr=3e-3)
    torch.manual_seed(5)
    model = arch.make().double()
    twin = digit_pairs.framework_twin(model)
    state = torch.get_rng_state()
    torch_losses = training.train(model, input, target, classes, arch)
    torch.set_rng_state(state)
    framework_losses = training.train(twin, input, target, classes, arch, digit_pairs.make_framework_step)
    assert len(framework_losses) == 2
    assert torch.allclose(torch.tensor(framework_losses), torch.tensor(torch_losses), rtol=1e-9, atol=0)
    layers = twin.tower.modules
    noise = {id(module.bias) for module, following in zip(layers, layers[1:])  # the biases before a batch norm
             if isinstance(following, (framework.BatchNorm1d, framework.BatchNorm2d))}
    compared = 0
    for (parameter, _), expected in zip(twin.param(), model.parameters()):
        if id(parameter) not in noise:
            assert relative_error(parameter, expected.detach()) < 1e-7
            compared += 1
    assert compared == len(twin.param()) - len(noise)


def test_framework_training_divergence():
    input, target, classes = pairs(100)
    arch = training.Arch(lambda: models.Siamese(shared=True), epochs=2, aux_weight=3.0, lr=3e-3)
    twin = digit_pairs.framework_twin(arch.make().double())
    with pytest.raises(training.Diverged, match='^diverged at epoch 1: loss nan$'):
        training.train(twin, input * float('nan'), target, classes, arch, digit_pairs.make_framework_step)


def test_the_twin_leaves_the_generator_as_it_was():
    model = models.Comparator(head=60)
    state = torch.get_rng_state()
    digit_pairs.framework_twin(model)
    assert torch.equal(torch.get_rng_state(), state)


def run_main(monkeypatch, *arguments):
    """The script's main in this process with `arguments`: its SystemExit's code, or None."""
    monkeypatch.setattr(sys, 'argv', ['digit_pairs.py', *arguments])
    try:
        digit_pairs.main_or_exit(digit_pairs.main)
    except SystemExit as exit:
        return exit.code
    return None


def test_help_lists_every_option_with_its_default(monkeypatch, capsys):
    assert run_main(monkeypatch, '-h') == 0
    text = ' '.join(capsys.readouterr().out.split())
    for option, default in (('--rounds', '10'), ('--epochs', "each architecture's own"), ('--seed', '0'),
                            ('--device', 'cpu'), ('--curve', 'no figure'),
                            ('--data_dir', "$PYTORCH_DATA_DIR, else the prologue's"), ('--out', 'none'),
                            ('--overwrite', 'refuse it')):
        assert option in text and f'(default: {default})' in text
    assert text.count('(default:') == 8


@pytest.mark.parametrize('arguments', [['--rounds', '0'], ['--epochs', '-1'], ['--seed', 'x'],
                                       ['--device', 'nonsense'], ['--unknown']])
def test_bad_option_is_argparse_error(monkeypatch, capsys, arguments):
    assert run_main(monkeypatch, *arguments) == 2
    assert 'error:' in capsys.readouterr().err


def test_divergence_is_one_line_and_exit_1(monkeypatch):
    input, target, classes = pairs(100)
    nan_pairs = (input.float() * float('nan'), target, classes, input.float(), target, classes)
    monkeypatch.setattr(digit_pairs, 'draw', lambda seed, device='cpu': training.Draw(nan_pairs, torch.get_rng_state()))
    assert run_main(monkeypatch, '--rounds', '1', '--epochs', '1') == 'error: diverged at epoch 1: loss nan'


def test_one_round_one_epoch_end_to_end(tmp_path):
    curve, out = tmp_path / 'curve.png', tmp_path / 'results.json'
    result = subprocess.run([sys.executable, '-m', 'experiments.digit_pairs', '--rounds', '1', '--epochs', '1',
                             '--curve', str(curve), '--out', str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': ''})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(' round  1/1 ' in line for line in lines) == 4
    header = lines.index(next(line for line in lines if line.startswith('network ')))
    rows = [line.split() for line in lines[header + 1:header + 5]]
    assert [row[:2] for row in rows] == [['shared_aux', 'torch.nn'], ['shared_aux', 'framework'],
                                         ['+bn_tower', 'torch.nn'], ['+bn_tower', 'framework']]
    assert [row[2] for row in rows] == ['73608', '73608', '95792', '95792']
    assert any(line.startswith('time ratio framework / torch.nn') for line in lines)
    assert curve.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    results = json.loads(out.read_text())
    for (name, network), row in zip(results['networks'].items(), rows[::2]):
        assert name == row[0] and network['difference']['paired_2se'] is None  # undefined for one round
        for implementation, measured in network['implementations'].items():
            assert measured['parameters'] == int(row[2]) and len(measured['rounds'][0]['losses']) == 1
    subprocess.run([sys.executable, '-m', 'experiments.plot', str(out), str(tmp_path / 'again.svg')], cwd=ROOT,
                   check=True, capture_output=True)
    assert (tmp_path / 'again.svg').read_text().startswith('<?xml')


def test_the_curve_s_path_is_checked_before_any_training(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(digit_pairs, 'draw', lambda *args, **kwargs: pytest.fail('trained before checking --curve'))
    (tmp_path / 'mine.svg').write_text('mine')
    (tmp_path / 'd.svg').mkdir()
    for arguments, message in (
            (['--curve', str(tmp_path / 'no' / 'c.svg')], 'cannot write'),
            (['--curve', str(tmp_path)  + '/d.svg', '--overwrite'], 'is a folder'),
            (['--curve', str(tmp_path / 'c.txt')], 'is not a .svg, .pdf or .png file'),
            (['--curve', str(tmp_path / 'mine.svg')], 'exists (--overwrite replaces it)'),
            (['--curve', str(tmp_path / 'c.svg'), '--out', str(tmp_path / 'c.svg')], 'would replace the results')):
        assert run_main(monkeypatch, *arguments) == 2
        err = capsys.readouterr().err
        assert 'error: argument --curve: ' in err and message in err, (arguments, err)
    assert sorted(os.listdir(tmp_path)) == ['d.svg', 'mine.svg'] and (tmp_path / 'mine.svg').read_text() == 'mine'
