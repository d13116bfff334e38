"""Project 2: the framework's import rule, its gradients against autograd (float64, 1e-8
relative), its optimisers against torch.optim, its errors on bad input, and test.py's error
rate on three rounds of the handout's data."""
import ast
import glob
import math
import os
import re
import subprocess
import sys

import pytest
import torch

from benchmarks.references import torch_twin
from proj2.disc import disc_network, generate_disc_set
from proj2.framework import (INITIALISATIONS, SGD, Adam, Dropout, Linear, LossBCE, LossMSE, ReLU, Sequential, Sigmoid,
                             Tanh, standardiser)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJ2 = os.path.join(ROOT, 'proj2')
DOUBLE = torch.float64


def forbidden_imports(source):
    """The imports of `source` other than `from torch import empty`, `import math` and the
    framework's own (relative) modules."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and [alias.name for alias in node.names] != ['math']:
            bad.append(ast.unparse(node))
        if isinstance(node, ast.ImportFrom) and node.level == 0 and not (
                node.module == 'torch' and [alias.name for alias in node.names] == ['empty']):
            bad.append(ast.unparse(node))
    return bad


def test_import_checker_catches_other_imports():
    assert forbidden_imports('import torch\nfrom torch import nn, empty\nimport math, os') == \
        ['import torch', 'from torch import nn, empty', 'import math, os']
    assert forbidden_imports('import math\nfrom torch import empty\nfrom .modules import Linear') == []


def test_framework_imports_only_empty_and_math():
    files = glob.glob(os.path.join(PROJ2, 'framework', '*.py'))
    assert len(files) >= 4
    for path in files:
        with open(path) as file:
            assert forbidden_imports(file.read()) == [], path


def relative_error(actual, expected):
    return ((actual - expected).norm() / expected.norm()).item()


def assert_gradients_match(model, twin, criterion=None, reference_loss=None, calls=2, batch=7):
    """Runs `calls` forward/backward passes of the framework's `model` (and `criterion`) and of
    its torch twin on the same float64 data; outputs, input gradients and the accumulated
    parameter gradients must agree to 1e-8 relative."""
    width = model.modules[0].weight.shape[1] if isinstance(model.modules[0], Linear) else 5
    for _ in range(calls):
        input = torch.randn(batch, width, dtype=DOUBLE)
        output = model.forward(input)
        reference_input = input.clone().requires_grad_()
        reference_output = twin(reference_input)
        assert relative_error(output, reference_output.detach()) < 1e-8
        if criterion is None:
            grad = torch.randn(output.shape, dtype=DOUBLE)
            input_grad = model.backward(grad)
            reference_output.backward(grad)
        else:
            target = torch.rand(output.shape, dtype=DOUBLE)
            loss = criterion.forward(output, target)
            reference = reference_loss(reference_output, target)
            assert abs(loss.item() - reference.item()) <= 1e-8 * abs(reference.item())
            input_grad = model.backward(criterion.backward())
            reference.backward()
        assert relative_error(input_grad, reference_input.grad) < 1e-8
    pairs = model.param()
    assert len(pairs) == len(list(twin.parameters()))
    for (parameter, grad), reference in zip(pairs, twin.parameters()):
        assert torch.equal(parameter, reference.detach())
        assert relative_error(grad, reference.grad) < 1e-8


@pytest.mark.parametrize('module', [Linear(5, 3, init, DOUBLE) for init in sorted(INITIALISATIONS)] +
                         [ReLU(), Tanh(), Sigmoid()], ids=repr)
def test_module_gradients_match_autograd_and_accumulate(module):
    torch.manual_seed(0)
    model = Sequential(module)
    assert_gradients_match(model, torch_twin(model))


@pytest.mark.parametrize('criterion, reference_loss', [
    (LossMSE(), torch.nn.functional.mse_loss),
    (LossBCE(), torch.nn.functional.binary_cross_entropy_with_logits)], ids=['mse', 'bce'])
def test_network_and_loss_gradients_match_autograd(criterion, reference_loss):
    torch.manual_seed(0)
    model = Sequential(Linear(4, 20, 'uniform', DOUBLE), Tanh(), Linear(20, 20, 'he', DOUBLE), ReLU(),
                       Linear(20, 10, 'xavier', DOUBLE), Sigmoid(), Linear(10, 3, 'uniform', DOUBLE))
    assert_gradients_match(model, torch_twin(model), criterion, reference_loss, batch=30)


def test_bce_is_finite_on_large_logits():
    logits = torch.tensor([[-800.], [-30.], [0.], [30.], [800.]], dtype=DOUBLE)
    target = torch.tensor([[1.], [0.], [1.], [1.], [0.]], dtype=DOUBLE)
    criterion = LossBCE()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    assert relative_error(criterion.forward(logits, target), expected) < 1e-12
    assert relative_error(criterion.backward(), (logits.sigmoid() - target) / 5) < 1e-12


def test_dropout_scales_kept_units_and_passes_gradients_through_the_mask():
    torch.manual_seed(0)
    dropout = Dropout(0.3)
    input = torch.rand(200, 500, dtype=DOUBLE) + 1
    output = dropout.forward(input)
    mask = output / input
    assert abs((mask == 0).double().mean().item() - 0.3) < 0.005
    assert torch.allclose(mask[mask != 0], torch.tensor(1 / 0.7, dtype=DOUBLE))
    grad = torch.randn(input.shape, dtype=DOUBLE)
    assert relative_error(dropout.backward(grad), grad * mask) < 1e-12
    model = Sequential(Linear(500, 2), dropout).eval()
    assert not dropout.training and torch.equal(dropout.forward(input), input)
    assert torch.equal(dropout.backward(grad), grad)
    model.train()
    assert dropout.training


@pytest.mark.parametrize('init, std', [('xavier', math.sqrt(2 / 700)), ('he', math.sqrt(2 / 300)),
                                       ('uniform', 1 / math.sqrt(3 * 300))])
def test_initialisations_have_their_variance(init, std):
    torch.manual_seed(0)
    layer = Linear(300, 400, init)
    assert abs(layer.weight.std().item() / std - 1) < 0.02
    assert (layer.bias.abs().max().item() == 0) == (init != 'uniform')


def test_param_lists_pairs_and_zero_grad_empties_them():
    model = disc_network()
    assert ReLU().param() == [] and len(model.param()) == 8
    model.forward(torch.rand(10, 2))
    model.backward(torch.ones(10, 1))
    optimizer = SGD(model.param(), lr=0.1)
    assert all(grad.abs().sum() > 0 for _, grad in model.param()[-2:])
    optimizer.zero_grad()
    assert all(grad.abs().sum() == 0 for _, grad in model.param())


@pytest.mark.parametrize('make_ours, make_theirs', [
    (lambda p: SGD(p, lr=0.01, momentum=0.9, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.01)),
    (lambda p: SGD(p, lr=0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
    (lambda p: Adam(p, lr=0.01, weight_decay=0.01), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01))],
    ids=['sgd-momentum-decay', 'sgd', 'adam'])
def test_optimisers_follow_torch_optim(make_ours, make_theirs):
    """Five full-batch steps on standardised inputs, at learning rates where the loss falls (at 0.1 plain SGD
    diverges and float rounding, which differs from one CPU to another, decides the digits compared)."""
    torch.manual_seed(0)
    model = disc_network()
    twin = torch_twin(model)
    optimizer, reference = make_ours(model.param()), make_theirs(twin.parameters())
    initial = model.param()[0][0].clone()
    criterion = LossMSE()
    input, target = generate_disc_set(100)
    input = standardiser(input)(input)
    losses = []
    for _ in range(5):
        with torch.no_grad():
            losses.append(criterion.forward(model.forward(input), target).item())
            optimizer.zero_grad()
            model.backward(criterion.backward())
            optimizer.step()
        reference.zero_grad()
        torch.nn.functional.mse_loss(twin(input), target).backward()
        reference.step()
    assert max(losses[1:]) < losses[0] and losses[-1] < 0.6 * losses[0], losses
    for (parameter, _), expected in zip(model.param(), twin.parameters()):
        expected = expected.detach()
        torch.testing.assert_close(parameter, expected, rtol=1e-5, atol=1e-5 * expected.abs().max().item())
    assert (model.param()[0][0] - initial).abs().max() > 1e-3


def test_disc_set_labels_the_disk_of_area_one_half():
    torch.manual_seed(0)
    input, target = generate_disc_set(20000)
    assert input.shape == (20000, 2) and target.shape == (20000, 1)
    assert input.min() >= 0 and input.max() <= 1
    assert abs(target.mean().item() - 0.5) < 0.01
    distance = (input - 0.5).norm(dim=1, keepdim=True)
    assert torch.equal(target, (distance < 1 / math.sqrt(2 * math.pi)).float())


def test_bad_input_raises_clear_errors():
    layer = Linear(2, 25)
    with pytest.raises(ValueError, match=r'expects input of shape \(N, 2\), got \(10, 3\)'):
        layer.forward(torch.rand(10, 3))
    with pytest.raises(ValueError, match='expects input'):
        layer.forward(torch.rand(2))
    layer.forward(torch.rand(10, 2))
    with pytest.raises(ValueError, match=r'gradient of shape \(10, 25\)'):
        layer.backward(torch.rand(10, 1))
    for criterion in (LossMSE(), LossBCE()):
        with pytest.raises(ValueError, match=r'shape \(10, 1\).*shape \(10,\) differ'):
            criterion.forward(torch.rand(10, 1), torch.rand(10))
    with pytest.raises(ValueError, match='unknown initialisation'):
        Linear(2, 2, init='zeros')
    with pytest.raises(ValueError, match='dropout probability'):
        Dropout(1)


@pytest.mark.parametrize('module', [Linear(2, 3), ReLU(), Tanh(), Sigmoid(), Dropout(), disc_network()],
                         ids=lambda m: type(m).__name__)
def test_backward_before_forward_raises(module):
    with pytest.raises(RuntimeError, match='backward called before forward'):
        module.backward(torch.rand(4, 3))


@pytest.mark.parametrize('criterion', [LossMSE(), LossBCE()], ids=['mse', 'bce'])
def test_loss_backward_before_forward_raises(criterion):
    with pytest.raises(RuntimeError, match='backward called before forward'):
        criterion.backward()


def test_handout_test_py_reaches_the_target_error_on_three_rounds():
    result = subprocess.run([sys.executable, 'test.py', '--rounds', '3', '--log-every', '100'], cwd=PROJ2,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    losses = [float(loss) for loss in re.findall(r'epoch +\d+ loss ([\d.]+)', result.stdout)]
    assert len(losses) == 6 and all(last < first / 2 for first, last in zip(losses[::2], losses[1::2]))
    mean = float(re.search(r'test error over 3 rounds: mean ([\d.]+)%', result.stdout).group(1))
    assert mean <= 1.5, result.stdout
