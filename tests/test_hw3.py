"""Homework 3: the Trainer as the autograder sees it (imported as `solution`, against template-style loaders
built from torchvision here), its networks, losses and loops, and the experiments' configurations."""
import copy
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
from unittest import mock

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, Subset

import course_data
import hw3_trainer as hw3
from benchmarks.references import TemplateTrainer
from fake_cifar10 import FakeCIFAR10
from hw3_trainer import CNN_2, DEEP_CNN, NetworkConfiguration, Trainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLP_128 = NetworkConfiguration(dense_hiddens=(128, 128))
SHALLOW_CNN = NetworkConfiguration(n_channels=(22,), kernel_sizes=(32,), strides=(1,), dense_hiddens=(128,))


@pytest.fixture(scope='module')
def mlp():
    return Trainer('mlp', MLP_128)


@pytest.fixture(scope='module')
def cnn():
    return Trainer('cnn', CNN_2)


def first(dataset, n):
    """(images, labels) of the first `n` items of `dataset`, batched."""
    return next(iter(DataLoader(dataset, batch_size=n)))


def small(network_type, config, n=256):
    """A fresh Trainer on the first `n` images of each split."""
    trainer = Trainer(network_type, config)
    trainer.train = DataLoader(Subset(trainer.train.dataset, range(n)), batch_size=trainer.batch_size, shuffle=True)
    trainer.test = DataLoader(Subset(trainer.test.dataset, range(n)), batch_size=trainer.batch_size)
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
    for name, module in (('relu', nn.ReLU), ('tanh', nn.Tanh), ('sigmoid', nn.Sigmoid), ('ReLU', nn.ReLU),
                         ('TANH', nn.Tanh), ('Sigmoid', nn.Sigmoid)):
        assert type(Trainer.create_activation_function(name)) is module
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, got 'gelu'"):
        Trainer.create_activation_function('gelu')


@pytest.mark.parametrize('activation', [nn.ReLU(), nn.ReLU], ids=['instance', 'class'])
def test_every_layer_has_an_activation_module_of_its_own(activation):
    """nn.Module.children() lists a repeated instance once: a grader walking it must see every layer."""
    mlp = Trainer.create_mlp(3072, NetworkConfiguration(dense_hiddens=(256, 256)), activation)
    assert layer_types(mlp.children()) == ['Flatten', 'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    cnn = Trainer.create_cnn(3, NetworkConfiguration(n_channels=(16, 32), dense_hiddens=(64,)), activation)
    assert layer_types(cnn.children()) == ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'AdaptiveMaxPool2d',
                                           'Flatten', 'Linear', 'ReLU', 'Linear']
    activations = [m for m in list(mlp.modules()) + list(cnn.modules()) if isinstance(m, nn.ReLU)]
    assert len(activations) == 5 and len({id(m) for m in activations}) == 5
    assert all(m is not activation for m in activations)


def test_the_signatures_are_the_templates():
    import inspect
    template = {
        '__init__': ['self', 'network_type', 'net_config', 'lr', 'batch_size', 'activation_name'],
        'load_dataset': ['self'], 'create_mlp': ['input_dim', 'net_config', 'activation'],
        'create_cnn': ['in_channels', 'net_config', 'activation'], 'create_activation_function': ['activation_str'],
        'compute_loss_and_mae': ['self', 'X', 'y'], 'training_step': ['self', 'X_batch', 'y_batch'],
        'train_loop': ['self', 'n_epochs'], 'evaluation_loop': ['self'], 'evaluate': ['self', 'X', 'y']}
    for name, parameters in template.items():
        assert list(inspect.signature(getattr(Trainer, name)).parameters) == parameters, name
    defaults = {name: p.default for name, p in inspect.signature(Trainer.__init__).parameters.items()}
    assert defaults['network_type'] == 'mlp' and defaults['lr'] == 0.001 and defaults['batch_size'] == 128
    assert defaults['activation_name'] == 'relu' and defaults['net_config'] == NetworkConfiguration()
    assert NetworkConfiguration._fields == ('n_channels', 'kernel_sizes', 'strides', 'dense_hiddens')


# The data, as the template's

def test_loaders_are_the_templates_dataloaders(mlp):
    for loader, size, sampler in ((mlp.train, 50000, RandomSampler), (mlp.test, 10000, SequentialSampler)):
        assert isinstance(loader, DataLoader) and loader.batch_size == 128 and type(loader.sampler) is sampler
        assert len(loader.dataset) == size and len(loader) == -(-size // 128)
    images, labels = next(iter(mlp.test))
    assert images.shape == (128, 3, 32, 32) and images.dtype == torch.float32 and images.is_contiguous()
    assert labels.shape == (128,) and labels.dtype == torch.int64


def test_items_and_batches_are_what_the_templates_transform_gives(mlp):
    template = course_data.load(hw3.TORCHVISION_CIFAR10, hw3.cifar10_root(), train=False,
                                transform=hw3.template_transform())
    for i in (0, 999, 1000, 9999):  # exact and JPEG-copied test images
        image, label = mlp.test.dataset[i]
        expected_image, expected_label = template[i]
        assert torch.equal(image, expected_image) and label == expected_label and type(label) is int
    batches = list(mlp.test)
    assert batches[-1][0].shape == (10000 - 78 * 128, 3, 32, 32)
    images, labels = torch.cat([x for x, _ in batches]), torch.cat([y for _, y in batches])
    for i in (0, 5000, 9999):
        assert torch.equal(images[i], template[i][0]) and labels[i] == template[i][1]


def test_every_batch_is_a_fresh_tensor(mlp):
    images, labels = next(iter(mlp.test))
    expected = images.clone()
    images.fill_(0)
    labels.fill_(0)
    again, _ = next(iter(mlp.test))
    assert torch.equal(again, expected) and torch.equal(mlp.test.dataset[0][0], expected[0])


def test_training_loader_is_shuffled(mlp):
    first_batch, second_batch = next(iter(mlp.train))[1], next(iter(mlp.train))[1]
    assert not torch.equal(first_batch, second_batch)
    assert sorted(torch.cat([labels for _, labels in mlp.train]).tolist()) == sorted(mlp.train.dataset.labels.tolist())


@pytest.mark.parametrize('network_type, config', [('mlp', MLP_128), ('cnn', CNN_2)])
def test_the_same_seed_gives_the_templates_network_and_batches(network_type, config):
    torch.manual_seed(11)
    ours = Trainer(network_type, config)
    torch.manual_seed(11)
    template = TemplateTrainer(network_type, config)
    assert all(torch.equal(a, b) for a, b in zip(ours.network.parameters(), template.network.parameters()))
    for loader in ('train', 'test'):
        torch.manual_seed(12)
        our_batch = next(iter(getattr(ours, loader)))
        torch.manual_seed(12)
        template_batch = next(iter(getattr(template, loader)))
        assert all(torch.equal(a, b) for a, b in zip(our_batch, template_batch))


def test_the_network_is_on_the_cpu_unless_a_device_is_given(mlp):
    assert {p.device.type for p in mlp.network.parameters()} == {'cpu'}


# The grader's view: the file imported as `solution`, torchvision's names patched

@pytest.fixture
def solution(monkeypatch):
    """hw3_trainer.py imported under the name a grader gives it."""
    spec = importlib.util.spec_from_file_location('solution', os.path.join(ROOT, 'hw3_trainer.py'))
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, 'solution', module)
    spec.loader.exec_module(module)
    assert all(hasattr(module, name) for name in ('torchvision', 'transforms', 'tqdm', 'Trainer',
                                                   'NetworkConfiguration'))
    return module


@pytest.fixture
def fake_cifar(solution, monkeypatch, tmp_path):
    """`solution.torchvision.datasets.CIFAR10` patched with FakeCIFAR10, run from an empty folder."""
    monkeypatch.chdir(tmp_path)
    FakeCIFAR10.calls = []
    with mock.patch('solution.torchvision.datasets.CIFAR10', FakeCIFAR10):
        yield solution


def test_a_patched_torchvision_drives_the_trainer_from_the_templates_root(fake_cifar, capsys):
    os.makedirs(os.path.join('data', 'cifar-10-batches-py'))
    trainer = fake_cifar.Trainer('cnn', fake_cifar.NetworkConfiguration(n_channels=(8, 8)))
    assert FakeCIFAR10.calls == [('./data', True, False), ('./data', False, False)]
    assert (len(trainer.train.dataset), len(trainer.test.dataset)) == (300, 100)
    fake = FakeCIFAR10('./data', train=False, transform=hw3.template_transform())
    assert all(torch.equal(trainer.test.dataset[i][0], fake[i][0]) and trainer.test.dataset[i][1] == fake[i][1]
               for i in range(100))
    logs = trainer.train_loop(1)
    assert [len(values) for values in logs.values()] == [1, 1, 1, 1]
    assert '1/1' in capsys.readouterr().err  # tqdm's bar over the epochs


def test_without_the_templates_root_the_repository_data_folder_is_read(fake_cifar):
    fake_cifar.Trainer('mlp')
    assert [call[0] for call in FakeCIFAR10.calls] == ['./data', hw3.cifar10_root()] * 2


def test_the_templates_root_is_checked_by_torchvision(solution, monkeypatch, tmp_path):
    """The offline copy under ./data fails the official md5 sums: the trainer reads the repository's folder."""
    monkeypatch.chdir(tmp_path)
    os.makedirs('data')
    os.symlink(os.path.join(hw3.cifar10_root(), 'cifar-10-batches-py'), os.path.join('data', 'cifar-10-batches-py'))
    with mock.patch('solution.torchvision.datasets.CIFAR10', wraps=hw3.TORCHVISION_CIFAR10) as cifar:
        trainer = solution.Trainer('mlp')
    assert [call.kwargs['root'] for call in cifar.call_args_list] == ['./data', hw3.cifar10_root()] * 2
    assert len(trainer.train.dataset) == 50000


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
    images, labels = first(cnn.test.dataset, 300)  # batches of 128, 128 and 44
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
    loss, mae = trainer.evaluate(*first(trainer.test.dataset, 256))  # two full test batches
    assert logs['test_loss'][0] == pytest.approx(loss.item(), rel=1e-5)
    assert logs['test_mae'][0] == pytest.approx(mae.item(), rel=1e-5)
    assert 0 < logs['train_mae'][0] ** 2 <= logs['train_loss'][0]


# What the template accepts, and the clear error of a network too deep for its images

def test_n_channels_decides_the_number_of_convolutions():
    network = Trainer.create_cnn(3, NetworkConfiguration(n_channels=(16, 32)), nn.ReLU())
    convolutions = [layer for layer in network if isinstance(layer, nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0]) for c in convolutions] == [(16, 3), (32, 3)]
    assert network(torch.zeros(2, 3, 32, 32)).shape == (2, 1)
    no_convolution = Trainer.create_cnn(3, NetworkConfiguration(n_channels=(), dense_hiddens=(8,)), nn.ReLU())
    assert layer_types(no_convolution) == ['AdaptiveMaxPool2d', 'Flatten', 'Linear', 'ReLU', 'Linear']
    assert no_convolution(torch.zeros(2, 3, 32, 32)).shape == (2, 1)


def test_fewer_kernel_sizes_or_strides_than_convolutions_is_an_error():
    with pytest.raises(ValueError, match=r'3 convolutions need as many kernel sizes and strides, got '
                                         r'kernel_sizes=\(3, 3\)'):
        Trainer.create_cnn(3, NetworkConfiguration(kernel_sizes=(3, 3)), nn.ReLU())


@pytest.mark.parametrize('config, message', [
    (NetworkConfiguration(n_channels=(8, 8, 8, 8), kernel_sizes=(3,) * 4, strides=(1,) * 4),
     r'layer 10 of the network, Conv2d\(8, 8, .*\), needs a feature map of at least 3x3, it gets 2x2'),
    (NetworkConfiguration(n_channels=(8, 8), kernel_sizes=(32, 1), strides=(1, 1)),
     r'layer 3 of the network, MaxPool2d\(.*\), needs a feature map of at least 2x2, it gets 1x1'),
])
def test_a_cnn_too_deep_for_32x32_images_is_built_and_stops_clearly_when_training_starts(config, message):
    trainer = small('cnn', config)
    with pytest.raises(ValueError, match='the CNN is too deep for 32x32 images: ' + message):
        trainer.train_loop(1)
    with pytest.raises(ValueError, match=message):
        trainer.evaluation_loop()


@pytest.mark.parametrize('config, field', [
    (NetworkConfiguration(strides=(1, 0, 1)), 'strides'), (NetworkConfiguration(kernel_sizes=(3, 0, 3)), 'kernel_sizes'),
    (NetworkConfiguration(n_channels=(16, -2, 8)), 'n_channels'), (NetworkConfiguration(dense_hiddens=(0,)), 'dense_hiddens')])
def test_sizes_that_are_not_positive_are_refused_where_the_network_is_built(config, field):
    with pytest.raises(ValueError, match=rf'net_config.{field} must hold positive integers, got'):
        Trainer.create_cnn(3, config, nn.ReLU())


@pytest.mark.parametrize('n_images, n_labels', [(4, 6), (6, 4), (0, 0)])
def test_evaluate_refuses_images_and_labels_that_do_not_pair(mlp, n_images, n_labels):
    images, labels = first(mlp.test.dataset, 6)
    with pytest.raises(ValueError, match=re.escape(f'got X of {n_images} and y of shape ({n_labels},)')):
        mlp.evaluate(images[:n_images], labels[:n_labels])


def test_a_training_whose_loss_is_no_longer_finite_stops_and_says_so():
    trainer = small('mlp', MLP_128)
    images, _ = first(trainer.train.dataset, 256)
    trainer.train = DataLoader(list(zip(images, [float('inf')] * 256)), batch_size=128)  # MSE inf from the start
    logs = trainer.train_loop(3)
    assert trainer.diverged == 'diverged at epoch 1: loss nan'  # inf, then nan once the weights are
    assert all(values == [] for values in logs.values())


def test_a_test_mae_that_is_not_finite_stops_the_training_and_says_so():
    trainer = small('mlp', MLP_128)
    images, labels = first(trainer.test.dataset, 256)
    trainer.test = DataLoader(list(zip(images, [float('inf')] * 256)), batch_size=128)
    logs = trainer.train_loop(3)
    assert trainer.diverged == 'diverged at epoch 1: test loss inf, test MAE inf'
    assert len(logs['test_mae']) == 1  # the epoch is logged as it was, and the training stops there


def test_evaluate_refuses_images_of_another_shape_or_dtype(mlp):
    images, labels = first(mlp.test.dataset, 4)
    for X, message in ((images.double(), r'got \(4, 3, 32, 32\) and torch.float64'),
                       (images.view(4, -1), r'got \(4, 3072\) and torch.float32')):
        with pytest.raises(ValueError, match=r'evaluate needs X of shape \(N, 3, 32, 32\) and torch.float32, ' + message):
            mlp.evaluate(X, labels)


def test_evaluate_reports_a_diverged_network_as_diverged_not_as_a_mae(mlp):
    images, labels = first(mlp.test.dataset, 4)
    weight = next(mlp.network.parameters())
    saved = weight.detach().clone()
    try:
        with torch.no_grad():
            weight.fill_(float('nan'))
        with pytest.raises(ArithmeticError, match="diverged: the network's outputs are not finite"):
            mlp.evaluate(images, labels)
    finally:
        with torch.no_grad():
            weight.copy_(saved)


def test_a_step_beyond_float32_is_a_divergence():
    trainer = small('mlp', MLP_128)
    trainer.optimizer = torch.optim.Adam(trainer.network.parameters(), lr=1e38)
    trainer.train_loop(2)
    assert trainer.diverged == 'diverged at epoch 1: loss inf'


@pytest.mark.parametrize('call, message', [
    (lambda: Trainer('mlp', None), 'net_config must be a NetworkConfiguration, got NoneType'),
    (lambda: Trainer(lr='0.01'), "lr must be a finite number > 0, got '0.01'"),
    (lambda: Trainer(lr=float('inf')), 'lr must be a finite number > 0, got inf'),
    (lambda: Trainer(batch_size=0), 'batch_size must be an integer >= 1, got 0'),
    (lambda: Trainer.create_mlp(-1, NetworkConfiguration(), nn.ReLU), 'input_dim must be an integer >= 1, got -1'),
    (lambda: Trainer.create_mlp(2.5, NetworkConfiguration(), nn.ReLU), 'input_dim must be an integer >= 1, got 2.5'),
    (lambda: Trainer.create_mlp(10, NetworkConfiguration(dense_hiddens=4), nn.ReLU),
     'net_config.dense_hiddens must hold positive integers, got 4'),
    (lambda: Trainer.create_mlp(10, NetworkConfiguration(), 'relu'), "activation must be a torch.nn module or module "
                                                                      "class, got 'relu'"),
    (lambda: Trainer.create_cnn(0, NetworkConfiguration(), nn.ReLU), 'in_channels must be an integer >= 1, got 0'),
    (lambda: Trainer.create_cnn(3, NetworkConfiguration(n_channels=16), nn.ReLU),
     'net_config.n_channels must hold positive integers, got 16'),
    (lambda: Trainer.create_activation_function(['relu']), "activation must be one of relu, tanh, sigmoid, got ['relu']")])
def test_the_trainer_s_calls_name_the_argument_they_refuse(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_labels_that_do_not_pair_with_the_images_are_refused(mlp):
    images, labels = first(mlp.test.dataset, 6)
    for y, message in ((labels.tolist(), 'evaluate needs tensors X and y, got Tensor and list'),
                       (labels.view(3, 2), 'y of shape (3, 2)')):
        with pytest.raises(ValueError, match=re.escape(message)):
            mlp.evaluate(images, y)
    for step in (mlp.compute_loss_and_mae, mlp.training_step):
        with pytest.raises(ValueError, match=re.escape('6 images and labels of shape (5,): one label per image')):
            step(images, labels[:5])


@pytest.mark.parametrize('n_epochs', [-1, 1.5, True, '2'])
def test_train_loop_refuses_a_number_of_epochs_it_cannot_run(n_epochs):
    trainer = small('mlp', MLP_128)
    with pytest.raises(ValueError, match=f'n_epochs must be an integer >= 0, got {re.escape(repr(n_epochs))}'):
        trainer.train_loop(n_epochs)
    assert trainer.train_logs['train_loss'] == []


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
def test_cuda_training_step_and_evaluate_of_cpu_inputs(cnn):
    trainer = hw3.on_device(Trainer('cnn', CNN_2), 'cuda')
    images, labels = next(iter(trainer.train))
    assert not images.is_cuda and next(trainer.network.parameters()).is_cuda
    assert type(trainer.training_step(images, labels)[0]) is float
    trainer.network.load_state_dict(cnn.network.state_dict())
    images, labels = first(cnn.test.dataset, 500)
    cpu, gpu = cnn.evaluate(images, labels), trainer.evaluate(images, labels)
    assert [g.item() for g in gpu] == pytest.approx([c.item() for c in cpu], rel=1e-3)


# The command lines: bad options refused before any work, nothing overwritten unasked

def script(*argv, cwd=ROOT):
    return subprocess.run([sys.executable, *map(str, argv)], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize('option', [['--epochs', '0'], ['--epochs', '-3'], ['--seed', '-1'], ['--seed', str(2 ** 64)],
                                    ['--device', 'nonsense'], ['--experiments', '4']])
def test_a_bad_option_is_one_usage_error(option, monkeypatch, capsys):
    monkeypatch.setattr(sys, 'argv', ['hw3_trainer.py', *option])
    monkeypatch.setattr(hw3, 'EXPERIMENTS', {n: lambda *args: pytest.fail('trained') for n in (1, 2, 3)})
    with pytest.raises(SystemExit) as exit:
        hw3.main()
    err = capsys.readouterr().err
    assert exit.value.code == 2 and err.splitlines()[-1].startswith(f'hw3_trainer.py: error: argument {option[0]}: ')


def test_a_log_that_is_a_folder_or_a_dangling_link_is_refused_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(hw3, 'EXPERIMENTS', {n: lambda *args: pytest.fail('trained') for n in (1, 2, 3)})
    (tmp_path / 'experiment_1.json').mkdir()
    os.symlink(tmp_path / 'nowhere', tmp_path / 'experiment_2.json')
    for options, message in ((['--experiments', '1', '--overwrite'], f'{tmp_path}/experiment_1.json is a folder'),
                             (['--experiments', '2'], 'holds experiment_2.json already (--overwrite replaces them)')):
        monkeypatch.setattr(sys, 'argv', ['hw3_trainer.py', '--out', str(tmp_path), *options])
        with pytest.raises(SystemExit) as exit:
            hw3.main()
        err = capsys.readouterr().err
        assert exit.value.code == 2 and err.splitlines()[-1].endswith(message), err
    assert os.path.islink(tmp_path / 'experiment_2.json') and os.path.isdir(tmp_path / 'experiment_1.json')


def test_an_out_folder_that_cannot_be_written_is_refused_before_training(tmp_path):
    (tmp_path / 'a-file').write_text('mine')
    run = script('hw3_trainer.py', '--out', tmp_path / 'a-file', '--epochs', '50')
    assert run.returncode == 2 and 'argument --out: cannot write in' in run.stderr and 'Traceback' not in run.stderr
    assert (tmp_path / 'a-file').read_text() == 'mine'


def test_a_log_of_a_previous_run_is_refused_before_any_training_unless_overwrite(tmp_path):
    (tmp_path / 'experiment_2.json').write_text('mine')
    run = script('hw3_trainer.py', '--out', tmp_path, '--experiments', '1', '2', '--epochs', '1')
    assert run.returncode == 2 and run.stdout == '' and 'Traceback' not in run.stderr
    assert run.stderr.splitlines()[-1] == (f'hw3_trainer.py: error: argument --out: {tmp_path} holds experiment_2.json '
                                          'already (--overwrite replaces them)')
    assert os.listdir(tmp_path) == ['experiment_2.json'] and (tmp_path / 'experiment_2.json').read_text() == 'mine'


def test_write_log_leaves_the_previous_log_whole_when_the_write_fails(tmp_path):
    log = tmp_path / 'experiment_1.json'
    log.write_text('{"previous": 1}')
    with pytest.raises(TypeError):
        hw3.write_log(str(log), {'run': object()})
    assert log.read_text() == '{"previous": 1}' and os.listdir(tmp_path) == ['experiment_1.json']


def test_write_log_names_the_log_that_a_file_size_limit_stops_and_leaves_nothing(tmp_path):
    log = tmp_path / 'experiment_1.json'
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, hard))
    try:
        with pytest.raises(OSError) as error:
            hw3.write_log(str(log), {'run': list(range(100))})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(error.value) == f"[Errno 27] File too large: '{log}'" and os.listdir(tmp_path) == []


def test_the_figures_without_logs_say_so(tmp_path):
    run = script('hw3_report/figures.py', tmp_path)
    assert run.returncode == 1 and run.stderr == f'error: {tmp_path} holds no experiment_*.json log\n'


def test_the_figures_of_a_truncated_log_say_which(tmp_path):
    (tmp_path / 'experiment_1.json').write_text('{"lr=0.01": {"logs": {"train_mae": [1')
    run = script('hw3_report/figures.py', tmp_path)
    assert run.returncode == 1 and run.stderr.startswith(f'error: {tmp_path}/experiment_1.json: not a log of')
    assert os.listdir(tmp_path) == ['experiment_1.json']


def test_the_figures_refuse_empty_curves_and_replace_a_figure_with_overwrite_only(tmp_path, monkeypatch, capsys):
    from hw3_report import figures

    def main(*argv):
        monkeypatch.setattr(sys, 'argv', ['figures.py', str(tmp_path), *argv])
        try:
            figures.main()
            code = 0
        except SystemExit as exit:
            code = exit.code
        return code, capsys.readouterr()
    log = {'mlp': {'logs': {'train_mae': [], 'test_mae': [2.0]}, 'network_type': 'mlp', 'lr': 0.01}}
    (tmp_path / 'experiment_1.json').write_text(json.dumps(log))
    code, captured = main()
    assert (code, captured.err) == (f'error: {tmp_path}/experiment_1.json: mlp has no train_mae curve to draw (a list '
                                    'of numbers above 0)', '')
    log['mlp']['logs']['train_mae'] = [2.5]
    (tmp_path / 'experiment_1.json').write_text(json.dumps(log))
    (tmp_path / 'experiment_1.svg').write_text('mine')
    code, captured = main()
    assert code == 2 and captured.err.splitlines()[-1].endswith(
        f'{tmp_path}/experiment_1.svg exists (--overwrite replaces them)')
    assert (tmp_path / 'experiment_1.svg').read_text() == 'mine'
    code, captured = main('--overwrite')
    assert code == 0 and captured.out == f'wrote {tmp_path}/experiment_1.svg\n'
    assert (tmp_path / 'experiment_1.svg').read_text().startswith('<?xml')


def test_the_default_out_folder_is_the_git_ignored_runs_not_the_report():
    assert hw3.option_parser().parse_args([]).out == os.path.join('runs', 'hw3')
    ignored = subprocess.run(['git', 'check-ignore', '-q', os.path.join('runs', 'hw3', 'experiment_1.json')], cwd=ROOT)
    assert ignored.returncode == 0


def broken_logs():
    """(label, a log of experiment 2 broken one way, the message expected)."""
    def broken(change):
        log = json.loads(open(os.path.join(ROOT, 'hw3_report', 'experiment_2.json')).read())
        change(log['cnn'])
        return log
    def set_logs(**values):
        return lambda run: run['logs'].update(values)
    return [
        ('a word in a curve', broken(lambda run: run['logs']['test_mae'].__setitem__(3, 'two')), 'not a finite number'),
        ('an empty curve', broken(set_logs(train_mae=[])), 'curves of different lengths'),
        ('no epoch', broken(set_logs(train_loss=[], test_loss=[], train_mae=[], test_mae=[])), 'has no epoch'),
        ('NaN curve, not marked diverged', broken(set_logs(test_mae=[float('nan')] * 50)), 'not a finite number'),
        ('a huge learning rate', broken(lambda run: run.update(lr=10 ** 400)), 'not a finite number'),
        ('seconds in words', broken(lambda run: run.update(seconds='x')), '"seconds" or "made_by" of another type'),
        ('made_by a list', broken(lambda run: run.update(made_by=[1])), '"seconds" or "made_by" of another type'),
        ('diverged as true', broken(lambda run: run.update(diverged=True)), '"diverged" that is not a message'),
        ('a commit that is a number', broken(lambda run: run.update(made_by={'commit': 5})), None),
        ('a curve not a list', broken(set_logs(test_mae=3)), 'a curve that is not a list')]


@pytest.mark.parametrize('label, log, message', broken_logs(), ids=[case[0] for case in broken_logs()])
def test_summarize_refuses_a_log_that_its_tables_cannot_print(tmp_path, label, log, message):
    from hw3_report import summarize
    (tmp_path / 'experiment_2.json').write_text(json.dumps(log))
    if message is None:  # printable: the tables print it
        runs = summarize.read_log(str(tmp_path / 'experiment_2.json'))
        assert [summarize.provenance_row('experiment_2.json', name, run)[2] for name, run in runs.items()][0] == '5'
        return
    with pytest.raises(summarize.LogError, match=re.escape(message)):
        summarize.read_log(str(tmp_path / 'experiment_2.json'))


def test_summarize_reads_logs_and_refuses_what_is_not_one(tmp_path):
    run = script('hw3_report/summarize.py', '-h')
    assert run.returncode == 0 and run.stdout.startswith('usage: summarize.py')
    from hw3_report import summarize
    (tmp_path / 'experiment_9.json').write_text('{"cnn": {"lr": 0.1')
    (tmp_path / 'binary.json').write_bytes(b'\x80\x81\xfe')
    for argument, message in ((tmp_path / 'experiment_9.json', 'not JSON'), (tmp_path / 'binary.json', 'not JSON')):
        with pytest.raises(summarize.LogError, match=message):
            summarize.read_log(str(argument))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(summarize.LogError, match='holds no experiment_'):
        summarize.log_paths([str(tmp_path / 'empty')])
    os.mkfifo(tmp_path / 'pipe.json')
    with pytest.raises(summarize.LogError, match='pipe.json is not a file'):
        summarize.log_paths([str(tmp_path / 'pipe.json')])
    os.remove(tmp_path / 'pipe.json')
    run = script('hw3_report/summarize.py', tmp_path)
    assert run.returncode == 1 and len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith(f'error: {tmp_path}/experiment_9.json: not JSON')


def test_runs_side_by_side_may_check_one_out_folder(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(lambda _: hw3.writable_folder(str(tmp_path)), range(200))) == {str(tmp_path)}
    assert os.listdir(tmp_path) == []
