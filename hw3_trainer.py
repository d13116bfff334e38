"""Homework 3: regress the CIFAR-10 label (0..9) with an MLP or a CNN, and the part-2 experiments.

The autograder imports this file (submitted as `solution.py`: `cp hw3_trainer.py solution.py`)
and calls the template's names; importing it seeds `random`, `numpy` and `torch` with 197331 and
does nothing else. It behaves as the template does: `self.train` and `self.test` are torch
DataLoaders over torchvision's CIFAR10 read from `./data` (else from the repository's data folder,
else downloaded: course_data.py), whose items are the template's `ToTensor` then `Normalize`;
`Trainer` draws the same random numbers as the template's and builds its network on the CPU
unless given a `device`; `train_loop` shows tqdm's bar. The experiments run with

    python hw3_trainer.py --epochs 50 --out hw3_report
    python hw3_trainer.py --epochs 50 --experiments 1 2 3 --device cuda

Speed without changing the interface: the data sets keep torchvision's uint8 images and
normalise a whole batch at once (`__getitems__`), and the CNN runs in channels-last memory format.
"""
import argparse
import json
import os
import random
from typing import NamedTuple, Tuple

import numpy as np
import torch
import torchvision
from torch import nn
from torch.nn import functional as F
from torchvision import transforms
from tqdm import tqdm

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

TEMPLATE_ROOT = './data'
TORCHVISION_CIFAR10 = torchvision.datasets.CIFAR10  # torchvision's own class, whatever a grader patches later


def template_transform():
    """The template's transform: `ToTensor()` then `Normalize((0.5,) * 3, (0.5,) * 3)`."""
    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])


def cifar10_root():
    """The repository's CIFAR-10 folder: DATA/cifar10, DATA being course_data's data folder."""
    return os.path.join(course_data.data_dir(), 'cifar10')


def cifar10(train, transform):
    """`torchvision.datasets.CIFAR10` as the template calls it: from its root ./data when the split is there,
    else from the repository's folder (found, downloaded, or laid out from the offline copy: course_data)."""
    try:
        return course_data.open_dataset(torchvision.datasets.CIFAR10, TEMPLATE_ROOT, train, download=False,
                                        transform=transform)
    except (OSError, RuntimeError):
        return course_data.load(torchvision.datasets.CIFAR10, cifar10_root(), train, transform=transform)


def normalised(images):
    """B x 32 x 32 x 3 uint8 images as the template's transform makes them: B x 3 x 32 x 32 floats
    `(x / 255 - 0.5) / 0.5`, the same operations in the same order."""
    channels_first = images.permute(0, 3, 1, 2)
    return torch.empty(channels_first.shape).copy_(channels_first).div_(255).sub_(0.5).div_(0.5)


def unchanged(images):
    """The images as they are."""
    return images


class CIFAR10Split(torch.utils.data.Dataset):
    """One CIFAR-10 split whose items are (image, label) as the template's data set gives them.

    On torchvision's CIFAR10 it keeps the uint8 images (torchvision's array, not copied) and
    `__getitems__`, which a DataLoader calls with a batch's indices, normalises the whole batch
    at once; any other data set (a grader's fake, say) is read item by item, once.
    """

    def __init__(self, dataset):
        if isinstance(dataset, TORCHVISION_CIFAR10):
            images, labels, self.to_items = torch.from_numpy(dataset.data), dataset.targets, normalised
        else:
            images, labels = zip(*(dataset[i] for i in range(len(dataset))))
            images, self.to_items = torch.stack(images), unchanged
        self.images, self.image_shape = images.flatten(1), images.shape[1:]  # a view: one row per image
        self.labels = torch.tensor([int(label) for label in labels])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.__getitems__([index])[0]

    def __getitems__(self, indices):
        """The items at `indices`, views of one freshly computed batch."""
        indices = torch.as_tensor(indices)
        images = self.images.index_select(0, indices).view(-1, *self.image_shape)
        return list(zip(self.to_items(images), self.labels[indices].tolist()))


def vanishing_layer(network, height, width):
    """Which convolution or max-pooling of `network` gets a feature map smaller than its kernel from a
    `height` x `width` input (a sentence), or None."""
    def pair(value):
        return value if isinstance(value, tuple) else (value, value)

    for number, layer in enumerate(network, 1):
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            (kernel_h, kernel_w), (stride_h, stride_w) = pair(layer.kernel_size), pair(layer.stride)
            if height < kernel_h or width < kernel_w:
                return (f'layer {number} of the network, {layer}, needs a feature map of at least '
                        f'{kernel_h}x{kernel_w}, it gets {height}x{width}')
            height, width = (height - kernel_h) // stride_h + 1, (width - kernel_w) // stride_w + 1
    return None


def count_parameters(network):
    """Number of trainable scalars of `network`."""
    return sum(p.numel() for p in network.parameters() if p.requires_grad)


######################################################################
# The trainer


class Trainer:
    """Regression of the CIFAR-10 label with an MLP or a CNN trained by Adam on the MSE.

    `device` (an addition to the template's signature) is where the network lives, the CPU by
    default as in the template; inputs on another device are moved to it.
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
        self.device = torch.device(device or 'cpu')
        self.train, self.test = self.load_dataset(self)
        images, _ = next(iter(self.train))
        channels, height, width = images.shape[1:]
        if network_type == 'mlp':
            self.network = self.create_mlp(channels * height * width, net_config, activation_function)
        else:
            self.network = self.create_cnn(channels, net_config, activation_function)
        self.network.to(self.device, memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        self.train_logs = {'train_loss': [], 'test_loss': [], 'train_mae': [], 'test_mae': []}

    @staticmethod
    def load_dataset(self):
        """The template's (training DataLoader, shuffled; test DataLoader) of CIFAR-10, batches of
        `self.batch_size`, over CIFAR10Split data sets that compute each batch at once."""
        transform = template_transform()
        train = torch.utils.data.DataLoader(CIFAR10Split(cifar10(True, transform)), batch_size=self.batch_size,
                                            shuffle=True)
        test = torch.utils.data.DataLoader(CIFAR10Split(cifar10(False, transform)), batch_size=self.batch_size,
                                           shuffle=False)
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
        """One convolution per entry of `net_config.n_channels`, its kernel size and stride read from
        `kernel_sizes` and `strides` (longer tuples are read up to it), each followed by `activation`
        and, but for the last one, a 2x2 max-pooling; then an adaptive 4x4 max-pooling, Flatten and
        the MLP head. No size is checked here: a feature map that vanishes is an error of the first
        forward pass (see `compute_loss_and_mae`)."""
        n_convolutions = len(net_config.n_channels)
        if min(len(net_config.kernel_sizes), len(net_config.strides)) < n_convolutions:
            raise ValueError(f'{n_convolutions} convolutions need as many kernel sizes and strides, got '
                             f'kernel_sizes={net_config.kernel_sizes} and strides={net_config.strides}')
        layers, channels = [], in_channels
        for out_channels, kernel, stride in zip(net_config.n_channels, net_config.kernel_sizes, net_config.strides):
            layers += [nn.Conv2d(channels, out_channels, kernel, stride), activation, nn.MaxPool2d(kernel_size=2)]
            channels = out_channels
        layers = layers[:-1] + [nn.AdaptiveMaxPool2d((4, 4)), nn.Flatten()]
        head = Trainer.create_mlp(channels * 4 * 4, net_config, activation)
        return nn.Sequential(*layers, *head[1:])

    @staticmethod
    def create_activation_function(activation_str: str) -> torch.nn.Module:
        """torch.nn.ReLU, Tanh or Sigmoid for "relu", "tanh" or "sigmoid"."""
        if activation_str not in ACTIVATIONS:
            raise ValueError(f'activation must be one of {", ".join(ACTIVATIONS)}, got {activation_str!r}')
        return ACTIVATIONS[activation_str]()

    def compute_loss_and_mae(self, X: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """MSE and mean absolute error of the network on `X` (B x C x H x W, moved to the network's
        device) against the labels `y` (B,). A CNN too deep for the size of `X` is a ValueError that
        names the layer whose feature map vanishes."""
        try:
            prediction = self.network(X.to(self.device)).view(-1)
        except RuntimeError as error:
            layer = vanishing_layer(self.network, *X.shape[-2:]) if self.network_type == 'cnn' else None
            if layer is None:
                raise
            raise ValueError(f'the CNN is too deep for {X.shape[-2]}x{X.shape[-1]} images: {layer}') from error
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
        for epoch in tqdm(range(n_epochs)):
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
