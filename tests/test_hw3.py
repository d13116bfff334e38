"""Homework 3 autograder-style checks of hw3_trainer on the offline CIFAR-10 copy (../shared/data)."""
import copy
import os
import subprocess
import sys

import pytest
import torch
from torch import nn
from torchvision import datasets, transforms

import course_data
import hw3_trainer as hw3
from hw3_trainer import CNN_2, DEEP_CNN, NetworkConfiguration, Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLP_128 = NetworkConfiguration(dense_hiddens=(128, 128))
SHALLOW_CNN = NetworkConfiguration(n_channels=(22,), kernel_sizes=(32,), strides=(1,), dense_hiddens=(128,))


@pytest.fixture(scope='module')
def mlp():
    return Trainer('mlp', MLP_128, device='cpu')


@pytest.fixture(scope='module')
def cnn():
    return Trainer('cnn', CNN_2, device='cpu')


def small(network_type, config, n=256):
    """A fresh Trainer on the first `n` images of each split."""
    trainer = Trainer(network_type, config, device='cpu')
    trainer.train = hw3.TensorLoader(trainer.train.images[:n], trainer.train.labels[:n], trainer.batch_size, True)
    trainer.test = hw3.TensorLoader(trainer.test.images[:n], trainer.test.labels[:n], trainer.batch_size, False)
    return trainer


def layer_types(network):
    return [type(layer).__name__ for layer in network]


# The networks

def test_mlp_layers():
    network = Trainer.create_mlp(3072, NetworkConfiguration(), nn.Tanh())
    assert layer_types(network) == ['Flatten', 'Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']
    assert [(layer.in_features, layer.out_features) for layer in network[1::2]] == [(3072, 256), (256, 256), (256, 1)]
    assert network(torch.zeros(5, 3, 32, 32)).shape == (5, 1)


@pytest.mark.parametrize('config, activation, expected', [
    (NetworkConfiguration(), 'ReLU',
     ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'AdaptiveMaxPool2d', 'Flatten',
      'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']),
    (CNN_2, 'Sigmoid',
     ['Conv2d', 'Sigmoid', 'MaxPool2d', 'Conv2d', 'Sigmoid', 'MaxPool2d', 'Conv2d', 'Sigmoid', 'AdaptiveMaxPool2d',
      'Flatten', 'Linear', 'Sigmoid', 'Linear']),
    (SHALLOW_CNN, 'Tanh', ['Conv2d', 'Tanh', 'AdaptiveMaxPool2d', 'Flatten', 'Linear', 'Tanh', 'Linear']),
])
def test_cnn_layers(config, activation, expected):
    network = Trainer.create_cnn(3, config, getattr(nn, activation)())
    assert layer_types(network) == expected
    convolutions = [layer for layer in network if isinstance(layer, nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0], c.padding[0]) for c in convolutions] == \
        [(n, k, s, 0) for n, k, s in zip(config.n_channels, config.kernel_sizes, config.strides)]
    assert all(layer.kernel_size == 2 for layer in network if isinstance(layer, nn.MaxPool2d))
    assert network[layer_types(network).index('AdaptiveMaxPool2d')].output_size == (4, 4)
    assert network(torch.zeros(2, 3, 32, 32)).shape == (2, 1)


@pytest.mark.parametrize('network_type, config, expected', [
    ('mlp', MLP_128, 3072 * 128 + 128 + 128 * 128 + 128 + 128 + 1),
    ('cnn', CNN_2, (3 * 9 + 1) * 16 + (16 * 9 + 1) * 32 + (32 * 9 + 1) * 45 + (45 * 16 + 1) * 128 + 129),
    ('cnn', DEEP_CNN, 4 * 8 + 9 * 16 + 17 * 32 + 33 * 64 + (64 * 16 + 1) * 128 + 129),
    ('cnn', SHALLOW_CNN, (3 * 32 * 32 + 1) * 22 + (22 * 16 + 1) * 128 + 129),
])
def test_parameter_counts(network_type, config, expected):
    network = (Trainer.create_mlp(3072, config, nn.ReLU()) if network_type == 'mlp'
               else Trainer.create_cnn(3, config, nn.ReLU()))
    assert hw3.count_parameters(network) == expected


def test_shallow_cnn_has_the_parameter_count_closest_to_the_cnn_of_experiment_2():
    assert hw3.shallow_cnn_config() == SHALLOW_CNN  # 112,919 (22 channels) vs 110,510; 21 channels give 107,798


def test_activations():
    for name, module in (('relu', nn.ReLU), ('tanh', nn.Tanh), ('sigmoid', nn.Sigmoid)):
        assert type(Trainer.create_activation_function(name)) is module
    with pytest.raises(ValueError, match='relu, tanh, sigmoid'):
        Trainer.create_activation_function('gelu')


# The data

def test_loaders_match_the_template_pipeline(mlp):
    assert (len(mlp.train), len(mlp.test)) == (391, 79)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    dataset = course_data.load(datasets.CIFAR10, hw3.cifar10_root(), train=False, transform=transform)
    batches = list(mlp.test)
    images, labels = batches[0]
    assert images.shape == (128, 3, 32, 32) and labels.shape == (128,) and labels.dtype == torch.int64
    assert batches[-1][0].shape == (10000 - 78 * 128, 3, 32, 32)
    images, labels = torch.cat([x for x, _ in batches]), torch.cat([y for _, y in batches])
    for i in (0, 999, 1000, 9999):  # exact and JPEG-copied test images
        image, label = dataset[i]
        assert torch.equal(images[i], image) and labels[i] == label


def test_training_loader_is_shuffled(mlp):
    first, second = next(iter(mlp.train))[1], next(iter(mlp.train))[1]
    assert not torch.equal(first, second)
    assert sorted(torch.cat([labels for _, labels in mlp.train]).tolist()) == sorted(mlp.train.labels.tolist())


# Loss, steps and loops

def test_loss_and_mae_compare_labels_element_by_element(mlp):
    trainer = copy.copy(mlp)
    trainer.network = nn.Identity()  # predictions (B, 1): 1, 2, 4
    loss, mae = trainer.compute_loss_and_mae(torch.tensor([[1.], [2.], [4.]]), torch.tensor([1, 0, 2]))
    assert loss.item() == pytest.approx(8 / 3) and mae.item() == pytest.approx(4 / 3)  # broadcasting: 4 and 14/9


def test_loss_and_mae_keep_the_graph(cnn):
    images, labels = next(iter(cnn.test))
    loss, mae = cnn.compute_loss_and_mae(images[:8], labels[:8])
    prediction = cnn.network(images[:8]).view(-1)
    assert loss.requires_grad and mae.requires_grad
    assert loss.item() == pytest.approx(((prediction - labels[:8]) ** 2).mean().item(), rel=1e-5)
    assert mae.item() == pytest.approx((prediction - labels[:8]).abs().mean().item(), rel=1e-5)


@pytest.mark.parametrize('network_type, config', [('mlp', MLP_128), ('cnn', CNN_2)])
def test_training_step_changes_every_parameter_and_returns_floats(network_type, config):
    trainer = small(network_type, config)
    before = [p.detach().clone() for p in trainer.network.parameters()]
    images, labels = next(iter(trainer.train))
    loss, mae = trainer.training_step(images, labels)
    assert type(loss) is float and type(mae) is float and 0 < mae and mae ** 2 <= loss
    assert all(not torch.equal(b, p) for b, p in zip(before, trainer.network.parameters()))


def test_evaluate_is_the_mean_over_the_set(cnn):
    images, labels = cnn.test.images[:300], cnn.test.labels[:300]  # batches of 128, 128 and 44
    loss, mae = cnn.evaluate(images, labels)
    with torch.no_grad():
        errors = cnn.network(images).view(-1) - labels
    assert loss.item() == pytest.approx(errors.pow(2).mean().item(), rel=1e-5)
    assert mae.item() == pytest.approx(errors.abs().mean().item(), rel=1e-5)
    assert not loss.requires_grad and not cnn.network.training


def test_train_loop_fills_every_log_once():
    trainer = small('cnn', CNN_2)
    logs = trainer.train_loop(1)
    assert {key: len(values) for key, values in logs.items()} == \
        {'train_loss': 1, 'test_loss': 1, 'train_mae': 1, 'test_mae': 1}
    loss, mae = trainer.evaluate(trainer.test.images, trainer.test.labels)  # two full test batches
    assert logs['test_loss'][0] == pytest.approx(loss.item(), rel=1e-5)
    assert logs['test_mae'][0] == pytest.approx(mae.item(), rel=1e-5)
    assert 0 < logs['train_mae'][0] ** 2 <= logs['train_loss'][0]


# Invalid configurations

@pytest.mark.parametrize('config, message', [
    (NetworkConfiguration(kernel_sizes=(3, 3)), r'same non-zero length, got \(3, 2, 3\)'),
    (NetworkConfiguration(n_channels=(), kernel_sizes=(), strides=()), 'non-zero length'),
    (NetworkConfiguration(n_channels=(8, 8, 8, 8), kernel_sizes=(3,) * 4, strides=(1,) * 4),
     'convolution 4 has a 3x3 kernel but its input feature map is 2x2'),
    (NetworkConfiguration(n_channels=(8, 8), kernel_sizes=(32, 1), strides=(1, 1)),
     'max-pooling after convolution 1 needs a 2x2 feature map, it gets 1x1'),
])
def test_invalid_cnn_configurations(config, message):
    with pytest.raises(ValueError, match=message):
        Trainer('cnn', config, device='cpu')


def test_unknown_network_type():
    with pytest.raises(ValueError, match='"mlp" or "cnn"'):
        Trainer('rnn')


def test_import_seeds_and_does_nothing_else():
    code = ('import sys, random, numpy, torch, hw3_trainer\n'
            'assert "matplotlib" not in sys.modules and "dlc_practical_prologue" not in sys.modules\n'
            'draws = random.random(), numpy.random.rand(), torch.rand(1).item()\n'
            'random.seed(197331); numpy.random.seed(197331); torch.manual_seed(197331)\n'
            'assert draws == (random.random(), numpy.random.rand(), torch.rand(1).item())\n')
    subprocess.run([sys.executable, '-c', code, '--epochs', 'not-a-number'], check=True, cwd=ROOT)


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_training_step_and_evaluate(cnn):
    trainer = Trainer('cnn', CNN_2, device='cuda')
    images, labels = next(iter(trainer.train))
    assert images.is_cuda and next(trainer.network.parameters()).is_cuda
    assert type(trainer.training_step(images, labels)[0]) is float
    trainer.network.load_state_dict(cnn.network.state_dict())
    cpu, gpu = cnn.evaluate(cnn.test.images[:500], cnn.test.labels[:500]), trainer.evaluate(
        cnn.test.images[:500], cnn.test.labels[:500])
    assert [g.item() for g in gpu] == pytest.approx([c.item() for c in cpu], rel=1e-3)
