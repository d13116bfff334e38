"""Project 2 (issue 20): the image, normalisation and classification modules against autograd in
float64 (outputs, input gradients and parameter gradients accumulated over two calls, to 1e-8
relative; the framework under torch.no_grad), their running statistics, state dicts and errors."""
import pytest
import torch

from benchmarks.references import torch_twin
from proj2.framework import (SGD, BatchNorm1d, BatchNorm2d, Conv2d, Flatten, LeakyReLU, Linear, LossCrossEntropy,
                             MaxPool2d, ReLU, Sequential, Softmax)

DOUBLE = torch.float64


def relative_error(actual, expected):
    return ((actual - expected).norm() / expected.norm()).item() if expected.norm() > 0 else actual.norm().item()


def assert_matches_autograd(module, shape, calls=2, make_input=torch.randn):
    """`calls` forward and backward passes of `module` and of its torch.nn twin on the same
    inputs and output gradients; then the accumulated parameter gradients and the state
    (running statistics included) must agree too."""
    twin = torch_twin(module)
    for _ in range(calls):
        input = make_input(shape, dtype=DOUBLE)
        with torch.no_grad():
            output = module(input)
        reference_input = input.clone().requires_grad_()
        reference_output = twin(reference_input)
        assert output.shape == reference_output.shape
        assert relative_error(output, reference_output.detach()) < 1e-8
        grad = torch.randn(output.shape, dtype=DOUBLE)
        with torch.no_grad():
            input_grad = module.backward(grad)
        reference_output.backward(grad)
        assert relative_error(input_grad, reference_input.grad) < 1e-8
    pairs, parameters = module.param(), list(twin.parameters())
    assert len(pairs) == len(parameters)
    for (_, grad), reference in zip(pairs, parameters):
        assert relative_error(grad, reference.grad) < 1e-8
    state, reference_state = module.state_dict(), twin.state_dict()
    assert list(state) == list(reference_state)
    for name, tensor in reference_state.items():
        assert tensor.dtype == state[name].dtype, name
        if tensor.is_floating_point():
            assert relative_error(state[name], tensor) < 1e-8, name
        else:  # num_batches_tracked
            assert torch.equal(state[name], tensor), name


@pytest.mark.parametrize('arguments, shape', [
    ((3, 4, 3), (2, 3, 7, 7)),
    ((3, 4, (2, 3), (2, 1), (1, 2)), (2, 3, 8, 9)),    # non-square kernel, stride and padding
    ((2, 5, (3, 1), 2, 1, False), (3, 2, 7, 6)),       # no bias
    ((1, 2, 5, 3, 2), (2, 1, 10, 11)),                 # overlapping windows, rows left over
    ((2, 3, 2, 2), (2, 2, 6, 6)),                      # stride = kernel
    ((2, 3, 2, 3), (2, 2, 8, 8)),                      # stride > kernel: gaps
], ids=str)
def test_conv2d_matches_autograd(arguments, shape):
    torch.manual_seed(0)
    assert_matches_autograd(Conv2d(*arguments, dtype=DOUBLE), shape)


def test_conv2d_has_torch_shapes_and_initial_bounds():
    torch.manual_seed(0)
    conv = Conv2d(16, 32, (3, 5))
    assert conv.weight.shape == (32, 16, 3, 5) and conv.bias.shape == (32,)
    assert [tensor.shape for tensor, _ in conv.param()] == [(32, 16, 3, 5), (32,)]  # weight before bias
    bound = 1 / (16 * 3 * 5) ** 0.5
    for tensor in (conv.weight, conv.bias):
        assert tensor.abs().max() <= bound and tensor.abs().max() > 0.9 * bound


def ties(shape, dtype):
    """Values in {0, 1, 2}: most windows hold their maximum more than once."""
    return torch.randint(0, 3, shape).to(dtype)


@pytest.mark.parametrize('arguments, shape', [((2,), (2, 3, 6, 7)), (((3, 2), (2, 1)), (2, 3, 7, 6)),
                                              ((3, 1), (2, 2, 6, 6))], ids=str)
@pytest.mark.parametrize('make_input', [torch.randn, ties], ids=['distinct', 'ties'])
def test_maxpool2d_matches_autograd_ties_included(arguments, shape, make_input):
    torch.manual_seed(0)
    assert_matches_autograd(MaxPool2d(*arguments), shape, make_input=make_input)


def test_maxpool2d_gives_a_tied_window_gradient_to_its_first_element():
    pool = MaxPool2d(2)
    pool(torch.tensor([[[[1., 0.], [1., 1.]]]]))
    assert pool.backward(torch.ones(1, 1, 1, 1)).tolist() == [[[[1., 0.], [0., 0.]]]]


@pytest.mark.parametrize('make, shape', [
    (lambda: BatchNorm1d(5, dtype=DOUBLE), (8, 5)),
    (lambda: BatchNorm1d(5, momentum=0.3, dtype=DOUBLE), (6, 5, 4)),
    (lambda: BatchNorm1d(5, momentum=None, dtype=DOUBLE), (8, 5)),
    (lambda: BatchNorm2d(3, dtype=DOUBLE), (4, 3, 5, 5)),
    (lambda: BatchNorm2d(3, eps=1e-2, affine=False, dtype=DOUBLE), (4, 3, 5, 5)),
], ids=['1d', '1d-length', '1d-cumulative', '2d', '2d-no-affine'])
@pytest.mark.parametrize('training', [True, False], ids=['train', 'eval'])
def test_batchnorm_matches_autograd_and_its_running_statistics(make, shape, training):
    torch.manual_seed(0)
    module = make()
    if not training:  # running statistics that are not the initial ones, then evaluation mode
        module(torch.randn(shape, dtype=DOUBLE) * 3 + 1)
        module.eval()
    else:
        with torch.no_grad():  # non-trivial affine parameters
            for parameter, _ in module.param():
                parameter.uniform_(0.5, 1.5)
    assert_matches_autograd(module, shape, calls=3)


def test_batchnorm_in_training_needs_two_values_per_channel():
    with pytest.raises(ValueError, match='more than 1 value per channel'):
        BatchNorm1d(3)(torch.randn(1, 3))
    assert BatchNorm1d(3).eval()(torch.randn(1, 3)).shape == (1, 3)


@pytest.mark.parametrize('module, shape', [(Flatten(), (2, 3, 4, 5)), (Flatten(1, 2), (2, 3, 4, 5)),
                                           (LeakyReLU(0.2), (4, 5)), (Softmax(1), (4, 5)), (Softmax(0), (4, 5))],
                         ids=repr)
def test_small_modules_match_autograd(module, shape):
    torch.manual_seed(0)
    assert_matches_autograd(module, shape)


def test_leaky_relu_at_zero_has_the_slope_as_torch():
    relu = LeakyReLU(0.1)
    relu(torch.tensor([-1., 0., 1.]))
    assert relu.backward(torch.ones(3)).tolist() == pytest.approx([0.1, 0.1, 1.])


def cross_entropy_targets(kind, logits):
    if kind == 'classes':
        return torch.randint(0, logits.shape[1], logits.shape[:1])
    return torch.rand(logits.shape, dtype=DOUBLE).softmax(1)


@pytest.mark.parametrize('kind', ['classes', 'probabilities'])
@pytest.mark.parametrize('scale', [1, 1e4, 1e300], ids=['normal', 'large', 'huge'])
def test_cross_entropy_matches_torch_for_large_logits(kind, scale):
    torch.manual_seed(0)
    logits = torch.randn(6, 4, dtype=DOUBLE) * scale
    target = cross_entropy_targets(kind, logits)
    criterion = LossCrossEntropy()
    with torch.no_grad():
        loss = criterion(logits, target)
    reference_logits = logits.clone().requires_grad_()
    reference = torch.nn.functional.cross_entropy(reference_logits, target)
    reference.backward()
    assert torch.isfinite(loss) and abs(loss.item() - reference.item()) <= 1e-12 * abs(reference.item())
    assert relative_error(criterion.backward(), reference_logits.grad) < 1e-8


def test_small_convnet_matches_autograd_end_to_end():
    """conv-bn-relu-pool twice, flatten, linear and cross-entropy: the gradient of every parameter (the
    convolutions without bias: batch normalisation removes it, its gradient is 0 up to rounding)."""
    torch.manual_seed(0)
    model = Sequential(Conv2d(1, 4, 3, padding=1, bias=False, dtype=DOUBLE), BatchNorm2d(4, dtype=DOUBLE), ReLU(),
                       MaxPool2d(2), Conv2d(4, 6, (3, 2), stride=(1, 2), bias=False, dtype=DOUBLE),
                       BatchNorm2d(6, dtype=DOUBLE), LeakyReLU(),
                       MaxPool2d(2), Flatten(), Linear(6 * 2 * 1, 3, dtype=DOUBLE))
    twin = torch_twin(model)
    input, target = torch.randn(5, 1, 12, 10, dtype=DOUBLE), torch.randint(0, 3, (5,))
    criterion = LossCrossEntropy()
    with torch.no_grad():
        loss = criterion(model(input), target)
        model.backward(criterion.backward())
    reference = torch.nn.functional.cross_entropy(twin(input), target)
    reference.backward()
    assert abs(loss.item() - reference.item()) < 1e-12
    for (_, grad), parameter in zip(model.param(), twin.parameters(), strict=True):
        assert relative_error(grad, parameter.grad) < 1e-8


def test_state_dict_round_trip_through_torch_save_keeps_the_optimisers_views(tmp_path):
    torch.manual_seed(0)
    model = Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 2))
    model(torch.randn(4, 1, 4, 4))
    torch.save(model.state_dict(), tmp_path / 'model.pt')
    other = Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 2))
    optimizer = SGD(other.param(), lr=0.1)
    other.load_state_dict(torch.load(tmp_path / 'model.pt'))
    for name, tensor in model.state_dict().items():
        assert torch.equal(other.state_dict()[name], tensor), name
    assert other.state_dict()['1.num_batches_tracked'] == 1
    for _, grad in other.param():
        grad.fill_(1)
    optimizer.step()  # moves the loaded weights, which the modules see
    assert torch.allclose(other.state_dict()['0.weight'], model.state_dict()['0.weight'] - 0.1)
    with pytest.raises(ValueError, match=r"missing keys \['4.bias'\]"):
        other.load_state_dict({name: tensor for name, tensor in model.state_dict().items() if name != '4.bias'})
    with pytest.raises(ValueError, match=r'4.weight of shape \(2, 3\), expected \(2, 8\)'):
        other.load_state_dict({**model.state_dict(), '4.weight': torch.zeros(2, 3)})


def test_bad_input_to_the_new_modules_raises_clear_errors():
    conv = Conv2d(3, 4, 3, padding=1)
    with pytest.raises(ValueError, match=r'expects input of shape \(N, 3, H, W\), got \(2, 2, 5, 5\)'):
        conv(torch.randn(2, 2, 5, 5))
    with pytest.raises(ValueError, match=r'padded to 3 x 4\) is smaller than the kernel 3 x 5'):
        Conv2d(3, 4, (3, 5))(torch.randn(2, 3, 3, 4))
    conv(torch.randn(2, 3, 5, 5))
    with pytest.raises(ValueError, match=r'gradient of shape \(2, 4, 5, 5\), got \(2, 4, 4, 4\)'):
        conv.backward(torch.randn(2, 4, 4, 4))
    with pytest.raises(ValueError, match='kernel_size'):
        Conv2d(3, 4, (3, 3, 3))
    with pytest.raises(ValueError, match=r'expects input of shape \(N, C, H, W\), got \(2, 5\)'):
        MaxPool2d(2)(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r'expects input of shape \(N, 4\) or \(N, 4, L\), got \(2, 3\)'):
        BatchNorm1d(4)(torch.randn(2, 3))
    with pytest.raises(ValueError, match=r'expects input of shape \(N, 4, H, W\), got \(2, 4\)'):
        BatchNorm2d(4)(torch.randn(2, 4))
    criterion = LossCrossEntropy()
    with pytest.raises(ValueError, match=r'class indices in \[0, 3\)'):
        criterion(torch.randn(2, 3), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match=r'targets of shape \(2,\)'):
        criterion(torch.randn(2, 3), torch.tensor([0., 1.]))


@pytest.mark.parametrize('module', [Conv2d(1, 1, 1), MaxPool2d(2), BatchNorm1d(2), BatchNorm2d(2), Flatten(),
                                    LeakyReLU(), Softmax()], ids=lambda m: type(m).__name__)
def test_new_modules_backward_before_forward_raises(module):
    with pytest.raises(RuntimeError, match='backward called before forward'):
        module.backward(torch.rand(4, 2, 3, 3))


def test_cross_entropy_backward_before_forward_raises():
    with pytest.raises(RuntimeError, match='backward called before forward'):
        LossCrossEntropy().backward()
