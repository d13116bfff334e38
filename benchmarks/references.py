"""Reference implementations for the tests and benchmarks, in torch.nn: what the repository's
own code is compared with, and the race of project 2's benchmarks. No deliverable imports this module."""
import time

import torch

import hw3_trainer as hw3
from benchmarks.options import threads_option
from proj1.comparison.options import device_option, positive_int, seed_option
from proj2 import framework

######################################################################
# Project 2: torch.nn twins of framework networks

ACTIVATIONS = {framework.ReLU: torch.nn.ReLU, framework.Tanh: torch.nn.Tanh, framework.Sigmoid: torch.nn.Sigmoid}


def torch_module(module):
    """The torch.nn module of the framework's `module` (same settings, fresh weights)."""
    if type(module) in ACTIVATIONS:
        return ACTIVATIONS[type(module)]()
    if isinstance(module, framework.Sequential):
        return torch.nn.Sequential(*map(torch_module, module.modules))
    if isinstance(module, framework.Linear):
        out_features, in_features = module.weight.shape
        return torch.nn.Linear(in_features, out_features, dtype=module.weight.dtype, device=module.weight.device)
    if isinstance(module, framework.Conv2d):
        out_channels, in_channels = module.weight.shape[:2]
        return torch.nn.Conv2d(in_channels, out_channels, module.kernel_size, module.stride, module.padding,
                               bias=module.bias is not None, dtype=module.weight.dtype, device=module.weight.device)
    if isinstance(module, framework.MaxPool2d):
        return torch.nn.MaxPool2d(module.kernel_size, module.stride)
    if isinstance(module, (framework.BatchNorm1d, framework.BatchNorm2d)):
        kind = torch.nn.BatchNorm1d if isinstance(module, framework.BatchNorm1d) else torch.nn.BatchNorm2d
        return kind(module.running_mean.shape[0], module.eps, module.momentum, module.affine,
                    dtype=module.running_mean.dtype, device=module.running_mean.device)
    if isinstance(module, framework.Flatten):
        return torch.nn.Flatten(module.start_dim, module.end_dim)
    if isinstance(module, framework.LeakyReLU):
        return torch.nn.LeakyReLU(module.negative_slope)
    if isinstance(module, framework.Softmax):
        return torch.nn.Softmax(module.dim)
    raise TypeError(f'no torch.nn twin for {type(module).__name__}')


def torch_twin(model):
    """The torch.nn network of the framework's `model` (a Sequential of the framework's
    modules), with a copy of its state (weights and running statistics; same dtype and device)
    and in the same training or evaluation mode."""
    twin = torch_module(model)
    twin.load_state_dict(model.state_dict())
    return twin.train(model.training)


def train_torch(model, criterion, optimizer, input, target, epochs, batch_size):
    """The loop of framework.train with torch.nn, autograd and torch.optim (the same shuffles of the rows, drawn
    with the framework's `shuffled`); returns the epoch losses."""
    losses = []
    for _ in range(epochs):
        with torch.no_grad():
            input_batches, target_batches = (rows.split(batch_size) for rows in framework.training.shuffled([input, target]))
        total = 0
        for input_batch, target_batch in zip(input_batches, target_batches):
            loss = criterion(model(input_batch), target_batch)
            total += loss.item() * input_batch.shape[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(total / input.shape[0])
    return losses

def add_race_options(parser):
    """The options of project 2's races: --repeats, --threads, --seed, --device."""
    parser.add_argument('--repeats', type=positive_int, default=5,
                        help='timed trainings of each side (default: %(default)s)')
    parser.add_argument('--threads', type=threads_option, default=1, help='torch threads, at most the CPUs here (default: %(default)s)')
    parser.add_argument('--seed', type=seed_option, default=0, help='seed of the data and the weights (default: %(default)s)')
    parser.add_argument('--device', type=device_option, default='cpu',
                        help='cpu, cuda or cuda:N (default: %(default)s)')


def synchronise(device):
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def race(options, data, model, optimizers, criteria):
    """One timed training of the framework's `model` and of its torch.nn twin from the same weights, with the
    optimisers `optimizers(model, twin)` and the losses `criteria` (the framework's, then torch's);
    (seconds, final loss) of each."""
    twin = torch_twin(model)
    optimizer, torch_optimizer = optimizers(model, twin)
    criterion, torch_criterion = criteria
    sides = ((False, lambda: framework.train(model, criterion, optimizer, *data, options.epochs, options.batch_size)),
             (True, lambda: train_torch(twin, torch_criterion, torch_optimizer, *data, options.epochs,
                                       options.batch_size)))
    results = []
    for grad_enabled, run in sides:
        torch.manual_seed(options.seed + 1)  # the same mini-batches for both
        with torch.set_grad_enabled(grad_enabled):
            synchronise(options.device)
            start = time.perf_counter()
            losses = run()
            synchronise(options.device)
            results.append((time.perf_counter() - start, losses[-1]))
    return results

######################################################################
# Homework 3: the template's Trainer, whose loaders make each image a tensor one at a time


class TemplateTrainer(hw3.Trainer):
    """Our Trainer with the template's `__init__` and `load_dataset` as the template writes them (the network
    in the default memory layout): DataLoaders straight over torchvision's CIFAR10, whose transform makes
    each image a tensor one at a time. The data set is the repository's (hw3.cifar10: the template's
    ./data when it is there)."""

    def __init__(self, network_type='mlp', net_config=hw3.NetworkConfiguration(), lr=0.001, batch_size=128,
                 activation_name='relu'):
        self.lr = lr
        self.batch_size = batch_size
        self.device = torch.device('cpu')
        self.train, self.test = self.load_dataset(self)
        images, labels = next(iter(self.train))
        input_dim = images.shape[1:]
        self.network_type = network_type
        activation_function = self.create_activation_function(activation_name)
        if network_type == 'mlp':
            self.network = self.create_mlp(input_dim[0] * input_dim[1] * input_dim[2], net_config, activation_function)
        elif network_type == 'cnn':
            self.network = self.create_cnn(input_dim[0], net_config, activation_function)
        else:
            raise ValueError('Network type not supported')
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        self.train_logs = {'train_loss': [], 'test_loss': [], 'train_mae': [], 'test_mae': []}
        self.diverged = None

    @staticmethod
    def load_dataset(self):
        transform = hw3.template_transform()
        trainset = hw3.cifar10(True, transform)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=self.batch_size, shuffle=True)
        testset = hw3.cifar10(False, transform)
        testloader = torch.utils.data.DataLoader(testset, batch_size=self.batch_size, shuffle=False)
        return trainloader, testloader
