"""Homework 3: regress the CIFAR-10 label (0..9) with an MLP or a CNN, and the part-2 experiments.

The autograder imports `NetworkConfiguration` and `Trainer`; importing this module seeds
`random`, `numpy` and `torch` with 197331 and does nothing else. The experiments run with

    python hw3_trainer.py --epochs 50 --out hw3_report
    python hw3_trainer.py --epochs 50 --experiments 1 2 3 --device cuda

Speed without changing the interface: each CIFAR-10 split is decoded and normalised once per
process into one tensor (exactly what `ToTensor` then `Normalize` compute), the loaders slice
batches out of it on the training device, and the CNN runs in channels-last memory format.
"""
import argparse
import functools
import json
import math
import os
import random
from typing import NamedTuple, Tuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torchvision import datasets

import course_data

SEED = 197331


def seed_everything(seed=SEED):
    """Seed `random`, `numpy` and `torch`."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


seed_everything()

ACTIVATIONS = {'relu': nn.ReLU, 'tanh': nn.Tanh, 'sigmoid': nn.Sigmoid}


class NetworkConfiguration(NamedTuple):
    """The CNN's convolutions (channels, kernel sizes, strides) and the dense hidden widths of both networks."""
    n_channels: Tuple[int, ...] = (16, 32, 48)
    kernel_sizes: Tuple[int, ...] = (3, 3, 3)
    strides: Tuple[int, ...] = (1, 1, 1)
    dense_hiddens: Tuple[int, ...] = (256, 256)


######################################################################
# The data


def cifar10_root():
    """The repository's CIFAR-10 folder: DATA/cifar10, DATA being course_data's data folder."""
    return os.path.join(course_data.data_dir(), 'cifar10')


@functools.lru_cache(maxsize=None)
def cifar10_split(root, train):
    """(N x 3 x 32 x 32 float images, N int64 labels) of one split, decoded once per process.

    The pixels are `Normalize((0.5,) * 3, (0.5,) * 3)(ToTensor()(image))`: the same
    operations in the same order, on all the images at once.
    """
    dataset = course_data.load(datasets.CIFAR10, root, train)
    images = torch.from_numpy(dataset.data).permute(0, 3, 1, 2).contiguous().float().div(255).sub(0.5).div(0.5)
    return images, torch.tensor(dataset.targets, dtype=torch.int64)


class TensorLoader:
    """A DataLoader's interface over tensors in memory: iterate (images, labels) batches, len() batches."""

    def __init__(self, images, labels, batch_size, shuffle, device='cpu'):
        self.images, self.labels = images.to(device), labels.to(device)
        self.batch_size, self.shuffle = batch_size, shuffle

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        if self.shuffle:
            order = torch.randperm(len(self.labels)).to(self.labels.device)
            for batch in order.split(self.batch_size):
                yield self.images[batch], self.labels[batch]
        else:
            yield from zip(self.images.split(self.batch_size), self.labels.split(self.batch_size))


######################################################################
# Checks of a configuration


def check_lengths(net_config):
    """ValueError unless there is at least one convolution and one kernel size and stride per convolution."""
    lengths = len(net_config.n_channels), len(net_config.kernel_sizes), len(net_config.strides)
    if lengths[0] == 0 or len(set(lengths)) > 1:
        raise ValueError(f'n_channels, kernel_sizes and strides need the same non-zero length, got {lengths}')


def check_cnn_fits(net_config, height, width):
    """ValueError naming the first layer of the CNN whose input feature map is smaller than it needs."""
    check_lengths(net_config)
    last = len(net_config.n_channels) - 1
    for i, (kernel, stride) in enumerate(zip(net_config.kernel_sizes, net_config.strides)):
        if min(height, width) < kernel:
            raise ValueError(f'convolution {i + 1} has a {kernel}x{kernel} kernel but its input feature map '
                             f'is {height}x{width}')
        height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
        if i < last:
            if min(height, width) < 2:
                raise ValueError(f'the max-pooling after convolution {i + 1} needs a 2x2 feature map, '
                                 f'it gets {height}x{width}')
            height, width = height // 2, width // 2


def count_parameters(network):
    """Number of trainable scalars of `network`."""
    return sum(p.numel() for p in network.parameters() if p.requires_grad)


######################################################################
# The trainer


class Trainer:
    """Regression of the CIFAR-10 label with an MLP or a CNN trained by Adam on the MSE.

    `device` (an addition to the template's signature) defaults to CUDA when present.
    """

    def __init__(self,
                 network_type: str = "mlp",
                 net_config: NetworkConfiguration = NetworkConfiguration(),
                 lr: float = 0.001,
                 batch_size: int = 128,
                 activation_name: str = "relu",
                 device=None):
        if network_type not in ('mlp', 'cnn'):
            raise ValueError(f'network_type must be "mlp" or "cnn", got {network_type!r}')
        activation_function = self.create_activation_function(activation_name)
        self.lr, self.batch_size, self.network_type = lr, batch_size, network_type
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.train, self.test = self.load_dataset(self)
        images, _ = next(iter(self.train))
        channels, height, width = images.shape[1:]
        if network_type == 'mlp':
            self.network = self.create_mlp(channels * height * width, net_config, activation_function)
        else:
            check_cnn_fits(net_config, height, width)
            self.network = self.create_cnn(channels, net_config, activation_function)
        self.network.to(self.device, memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        self.train_logs = {'train_loss': [], 'test_loss': [], 'train_mae': [], 'test_mae': []}

    @staticmethod
    def load_dataset(self):
        """(training loader, shuffled; test loader) of CIFAR-10, batches of `self.batch_size` on `self.device`."""
        root = cifar10_root()
        train = TensorLoader(*cifar10_split(root, True), self.batch_size, shuffle=True, device=self.device)
        test = TensorLoader(*cifar10_split(root, False), self.batch_size, shuffle=False, device=self.device)
        return train, test

    @staticmethod
    def create_mlp(input_dim: int, net_config: NetworkConfiguration,
                   activation: torch.nn.Module) -> torch.nn.Module:
        """Flatten, then a Linear layer and `activation` per `net_config.dense_hiddens`, then Linear(., 1)."""
        layers, width = [nn.Flatten()], input_dim
        for hidden in net_config.dense_hiddens:
            layers += [nn.Linear(width, hidden), activation]
            width = hidden
        return nn.Sequential(*layers, nn.Linear(width, 1))

    @staticmethod
    def create_cnn(in_channels: int, net_config: NetworkConfiguration,
                   activation: torch.nn.Module) -> torch.nn.Module:
        """Convolutions, each followed by `activation` and a 2x2 max-pooling, except the last one,
        followed by `activation`, an adaptive 4x4 max-pooling and Flatten; then the MLP head."""
        check_lengths(net_config)
        layers, channels = [], in_channels
        for out_channels, kernel, stride in zip(net_config.n_channels, net_config.kernel_sizes, net_config.strides):
            layers += [nn.Conv2d(channels, out_channels, kernel, stride), activation, nn.MaxPool2d(kernel_size=2)]
            channels = out_channels
        layers[-1:] = [nn.AdaptiveMaxPool2d((4, 4)), nn.Flatten()]
        head = Trainer.create_mlp(channels * 4 * 4, net_config, activation)
        return nn.Sequential(*layers, *head[1:])

    @staticmethod
    def create_activation_function(activation_str: str) -> torch.nn.Module:
        """torch.nn.ReLU, Tanh or Sigmoid for "relu", "tanh" or "sigmoid"."""
        if activation_str not in ACTIVATIONS:
            raise ValueError(f'activation must be one of {", ".join(ACTIVATIONS)}, got {activation_str!r}')
        return ACTIVATIONS[activation_str]()

    def compute_loss_and_mae(self, X: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """MSE and mean absolute error of the network on `X` (B x C x H x W) against the labels `y` (B,)."""
        prediction = self.network(X.to(self.device)).view(-1)
        target = y.to(prediction).view_as(prediction)
        return F.mse_loss(prediction, target), F.l1_loss(prediction, target)

    def training_step(self, X_batch: torch.Tensor, y_batch: torch.Tensor):
        """One Adam step on the MSE of the batch; returns its (loss, mae) as Python floats."""
        self.network.train()
        loss, mae = self.compute_loss_and_mae(X_batch, y_batch)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item(), mae.item()

    def train_loop(self, n_epochs: int) -> dict:
        """Train `n_epochs` epochs, appending each epoch's mean training and test loss and MAE to the logs."""
        N = len(self.train)
        for epoch in range(n_epochs):
            train_loss, train_mae = 0.0, 0.0
            for inputs, labels in self.train:
                loss, mae = self.training_step(inputs, labels)
                train_loss += loss
                train_mae += mae
            self.train_logs['train_mae'].append(train_mae / N)
            self.train_logs['train_loss'].append(train_loss / N)
            self.evaluation_loop()
        return self.train_logs

    def evaluation_loop(self) -> None:
        """Append the mean over the test batches of the loss and MAE to the logs."""
        self.network.eval()
        N = len(self.test)
        with torch.inference_mode():
            test_loss, test_mae = 0.0, 0.0
            for inputs, labels in self.test:
                loss, mae = self.compute_loss_and_mae(inputs, labels)
                test_loss += loss.item()
                test_mae += mae.item()
        self.train_logs['test_mae'].append(test_mae / N)
        self.train_logs['test_loss'].append(test_loss / N)

    def evaluate(self, X: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Mean MSE and MAE over all of (X, y), in evaluation mode, without gradients, by batches."""
        if len(y) == 0:
            raise ValueError('evaluate needs at least one sample')
        self.network.eval()
        sums = torch.zeros(2, device=self.device)
        with torch.inference_mode():
            for X_batch, y_batch in zip(X.split(self.batch_size), y.split(self.batch_size)):
                sums += torch.stack(self.compute_loss_and_mae(X_batch, y_batch)) * len(y_batch)
        loss, mae = sums / len(y)
        return loss, mae


######################################################################
# The experiments of part 2


def experiment_1(epochs, device, seed=SEED):
    """The MLP (128, 128) with learning rates 0.01, 1e-4 and 1e-8."""
    config = NetworkConfiguration(dense_hiddens=(128, 128))
    return {f'lr={lr:g}': run('mlp', config, lr, epochs, device, seed) for lr in (0.01, 1e-4, 1e-8)}


CNN_2 = NetworkConfiguration(n_channels=(16, 32, 45), dense_hiddens=(128,))
DEEP_CNN = NetworkConfiguration(n_channels=(8, 16, 32, 64), kernel_sizes=(1,) * 4, strides=(1,) * 4,
                                dense_hiddens=(128,))


def shallow_cnn_config():
    """One 32x32 convolution with the number of channels whose parameter count is closest to CNN_2's."""
    target = count_parameters(Trainer.create_cnn(3, CNN_2, nn.ReLU()))

    def config(channels):
        return NetworkConfiguration(n_channels=(channels,), kernel_sizes=(32,), strides=(1,), dense_hiddens=(128,))

    def gap(channels):
        return abs(count_parameters(Trainer.create_cnn(3, config(channels), nn.ReLU())) - target)

    return config(min(range(1, 129), key=gap))


def experiment_2(epochs, device, seed=SEED):
    """The CNN (16, 32, 45), kernels 3, strides 1, dense (128,)."""
    return {'cnn': run('cnn', CNN_2, 0.001, epochs, device, seed)}


def experiment_3(epochs, device, seed=SEED):
    """The deep CNN (kernels 1) and the shallow CNN (one 32x32 kernel), after printing the parameter counts."""
    shallow = shallow_cnn_config()
    for name, config in (('CNN of experiment 2', CNN_2), ('deep CNN', DEEP_CNN), ('shallow CNN', shallow)):
        print(f'{name} {config}: {count_parameters(Trainer.create_cnn(3, config, nn.ReLU()))} parameters')
    return {'deep': run('cnn', DEEP_CNN, 0.001, epochs, device, seed),
            'shallow': run('cnn', shallow, 0.001, epochs, device, seed)}


def run(network_type, config, lr, epochs, device, seed=SEED):
    """Train one network from `seed`, printing each epoch; returns its config, parameter count and logs."""
    seed_everything(seed)
    trainer = Trainer(network_type, config, lr=lr, device=device)
    parameters = count_parameters(trainer.network)
    print(f'{network_type} {config} lr={lr:g}: {parameters} parameters', flush=True)
    for epoch in range(1, epochs + 1):
        logs = trainer.train_loop(1)
        print(f'  epoch {epoch:3d} train mse {logs["train_loss"][-1]:.4f} mae {logs["train_mae"][-1]:.4f}'
              f' | test mse {logs["test_loss"][-1]:.4f} mae {logs["test_mae"][-1]:.4f}', flush=True)
    return {'network_type': network_type, 'config': config._asdict(), 'lr': lr, 'seed': seed, 'device': device,
            'parameters': parameters, 'logs': trainer.train_logs}


EXPERIMENTS = {1: experiment_1, 2: experiment_2, 3: experiment_3}


def draw_figures(out):
    """The three figures of the report, from the JSON logs found in `out`."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    def load(number):
        path = os.path.join(out, f'experiment_{number}.json')
        return json.load(open(path)) if os.path.exists(path) else {}

    def plot(runs, keys, title, filename):
        if not runs:
            return
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        for color, (name, result) in enumerate(runs.items()):
            for key in keys:
                values = result['logs'][key]
                ax.plot(range(1, len(values) + 1), values, f'C{color}', linestyle='--' if 'train' in key else '-',
                        label=f'{name} {key.replace("_", " ")}')
        ax.set(xlabel='epoch', ylabel='MAE', title=title)
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, filename), dpi=120)
        plt.close(fig)

    plot(load(1), ['test_mae'], 'MLP (128, 128): test MAE per learning rate', 'experiment_1.png')
    plot(load(2), ['test_mae'], 'CNN (16, 32, 45): test MAE', 'experiment_2.png')
    plot({**load(2), **load(3)} if load(3) else {}, ['train_mae', 'test_mae'],
         'CNN, deep CNN (kernel 1) and shallow CNN (kernel 32)', 'experiment_3.png')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--epochs', type=int, default=50, help='epochs of each training (default 50)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu',
                        help='cpu or cuda (default: cuda when present)')
    parser.add_argument('--out', default='hw3_report', help='folder of the logs and figures (default hw3_report)')
    parser.add_argument('--experiments', type=int, nargs='+', choices=sorted(EXPERIMENTS), default=sorted(EXPERIMENTS),
                        help='which experiments to run (default all)')
    parser.add_argument('--seed', type=int, default=SEED, help=f'seed of every training (default {SEED})')
    parser.add_argument('--plot-only', action='store_true', help='only redraw the figures from the logs in --out')
    options = parser.parse_args()
    if options.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--device {options.device}: CUDA is not available here')
    os.makedirs(options.out, exist_ok=True)
    if options.plot_only:
        return draw_figures(options.out)
    print(f'device {options.device}, {options.epochs} epochs, seed {options.seed}, results in {options.out}',
          flush=True)
    for number in options.experiments:
        results = EXPERIMENTS[number](options.epochs, options.device, options.seed)
        with open(os.path.join(options.out, f'experiment_{number}.json'), 'w') as f:
            json.dump(results, f, indent=1)
    draw_figures(options.out)


if __name__ == '__main__':
    course_data.main_or_exit(main)
