"""Homework 3: regress the CIFAR-10 label (0..9) with an MLP or a CNN, and the part-2 experiments.

The autograder imports this file alone, as `solution.py` (`cp hw3_trainer.py solution.py`), and
calls the template's names with the template's signatures; importing it seeds `random`, `numpy`
and `torch` with 197331 and does nothing else. It behaves as the template does: `self.train` and
`self.test` are torch DataLoaders over torchvision's CIFAR10 with the template's `ToTensor` then
`Normalize`, read from `./data` (downloaded there when missing, as the template's
`download=True`); `Trainer` draws the same random numbers as the template's and builds its network
on the CPU; `train_loop` shows tqdm's bar over the epochs. Inside this repository the data also
comes from the repository's data folder or its offline copy (course_data.py, used when it is
importable). The experiments of part 2:

    python hw3_trainer.py --epochs 50 --out hw3_report      # the report's logs (figures: hw3_report/figures.py)
    python hw3_trainer.py --epochs 2                        # a quick run, into runs/hw3 (git-ignored)

Speed without changing the interface: the data sets keep torchvision's uint8 images and
normalise a whole batch at once (`__getitems__`), and the CNN runs in channels-last memory format.
"""
import argparse
import copy
import datetime
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple, Tuple

import numpy as np
import torch
import torchvision
from torch import nn
from torch.nn import functional as F
from torchvision import transforms
from tqdm import tqdm

try:  # this repository's data folder and offline copy; a hand-in alone reads ./data as the template does
    import course_data
except ModuleNotFoundError as missing:
    if missing.name != 'course_data':
        raise
    course_data = None

SEED = 197331


def seed_everything(seed=SEED):
    """Seed `random`, `numpy` and `torch`."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


seed_everything()

ACTIVATIONS = {'relu': nn.ReLU, 'tanh': nn.Tanh, 'sigmoid': nn.Sigmoid}


def fresh(activation):
    """A module of its own for one layer: an instance of `activation` when it is a class, else a copy of it."""
    return activation() if isinstance(activation, type) else copy.deepcopy(activation)


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


if course_data:
    DataUnavailableError = course_data.DataUnavailableError
else:
    class DataUnavailableError(RuntimeError):
        """CIFAR-10 is neither in ./data nor downloadable."""


def cifar10_root():
    """The repository's CIFAR-10 folder: DATA/cifar10, DATA being course_data's data folder."""
    return os.path.join(course_data.data_dir(), 'cifar10')


def cifar10(train, transform):
    """`torchvision.datasets.CIFAR10` as the template calls it, from its root ./data: alone, downloaded there
    when missing; in this repository, from ./data when the split is there, else from the repository's
    folder (found, downloaded, or laid out from the offline copy: course_data)."""
    if course_data is None:
        try:
            return torchvision.datasets.CIFAR10(root=TEMPLATE_ROOT, train=train, download=True, transform=transform)
        except (OSError, RuntimeError) as error:  # no network: URLError is an OSError
            cause = f'{type(error).__name__}: {" ".join(str(error).split())}'
            folder = os.path.join(os.path.abspath(TEMPLATE_ROOT), 'cifar-10-batches-py')
            if os.path.isdir(folder):  # there, but torchvision's md5 check refused it
                message = (f'CIFAR-10 in {folder} fails torchvision\'s integrity check (a damaged or partial copy) '
                           f'and could not be downloaded again ({cause}): replace that folder with the official '
                           f'one, or delete it and run where the download works')
            else:
                message = (f'CIFAR-10 is not in {os.path.abspath(TEMPLATE_ROOT)} and could not be downloaded '
                           f'({cause}): put its cifar-10-batches-py folder there')
            raise DataUnavailableError(message) from None  # the cause is in the message: no torchvision traceback
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
    """Regression of the CIFAR-10 label with an MLP or a CNN trained by Adam on the MSE, on the CPU as in the
    template (the experiments move it with `on_device`)."""

    def __init__(self,
                 network_type: str = "mlp",
                 net_config: NetworkConfiguration = NetworkConfiguration(),
                 lr: float = 0.001,
                 batch_size: int = 128,
                 activation_name: str = "relu"):
        if network_type not in ('mlp', 'cnn'):
            raise ValueError(f'network_type must be "mlp" or "cnn", got {network_type!r}')
        if not isinstance(net_config, NetworkConfiguration):
            raise ValueError(f'net_config must be a NetworkConfiguration, got {type(net_config).__name__}')
        if not (isinstance(lr, (int, float)) and not isinstance(lr, bool) and 0 < lr < math.inf):
            raise ValueError(f'lr must be a finite number > 0, got {lr!r}')
        if not (isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size >= 1):
            raise ValueError(f'batch_size must be an integer >= 1, got {batch_size!r}')
        activation_function = self.create_activation_function(activation_name)
        self.lr, self.batch_size, self.network_type = lr, batch_size, network_type
        self.device = torch.device('cpu')
        self.train, self.test = self.load_dataset(self)
        images, _ = next(iter(self.train))
        channels, height, width = images.shape[1:]
        if network_type == 'mlp':
            self.network = self.create_mlp(channels * height * width, net_config, activation_function)
        else:
            self.network = self.create_cnn(channels, net_config, activation_function)
        self.network.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=lr)
        self.train_logs = {'train_loss': [], 'test_loss': [], 'train_mae': [], 'test_mae': []}
        self.diverged = None  # "diverged at epoch k: loss nan" once the training or test loss is no longer finite

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
        """Flatten, then a Linear layer and its own copy of `activation` (a module, or a class such as nn.ReLU)
        per `net_config.dense_hiddens`, then Linear(., 1)."""
        check_count('input_dim', input_dim)
        check_activation(activation)
        check_sizes(net_config, 'dense_hiddens')
        layers, width = [nn.Flatten()], input_dim
        for hidden in net_config.dense_hiddens:
            layers += [nn.Linear(width, hidden), fresh(activation)]
            width = hidden
        return nn.Sequential(*layers, nn.Linear(width, 1))

    @staticmethod
    def create_cnn(in_channels: int, net_config: NetworkConfiguration,
                   activation: torch.nn.Module) -> torch.nn.Module:
        """One convolution per entry of `net_config.n_channels`, its kernel size and stride read from
        `kernel_sizes` and `strides` (longer tuples are read up to it), each followed by its own copy of
        `activation` (a module, or a class) and, but for the last one, a 2x2 max-pooling; then an adaptive
        4x4 max-pooling, Flatten and the MLP head. A feature map that vanishes is an error of the first
        forward pass (see `compute_loss_and_mae`)."""
        check_count('in_channels', in_channels)
        check_activation(activation)
        check_sizes(net_config, 'n_channels', 'kernel_sizes', 'strides', 'dense_hiddens')
        n_convolutions = len(net_config.n_channels)
        if min(len(net_config.kernel_sizes), len(net_config.strides)) < n_convolutions:
            raise ValueError(f'{n_convolutions} convolutions need as many kernel sizes and strides, got '
                             f'kernel_sizes={net_config.kernel_sizes} and strides={net_config.strides}')
        layers, channels = [], in_channels
        for out_channels, kernel, stride in zip(net_config.n_channels, net_config.kernel_sizes, net_config.strides):
            layers += [nn.Conv2d(channels, out_channels, kernel, stride), fresh(activation), nn.MaxPool2d(kernel_size=2)]
            channels = out_channels
        layers = layers[:-1] + [nn.AdaptiveMaxPool2d((4, 4)), nn.Flatten()]
        head = Trainer.create_mlp(channels * 4 * 4, net_config, activation)
        return nn.Sequential(*layers, *head[1:])

    @staticmethod
    def create_activation_function(activation_str: str) -> torch.nn.Module:
        """A torch.nn.ReLU, Tanh or Sigmoid module for "relu", "tanh" or "sigmoid" (in any case)."""
        name = activation_str.lower() if isinstance(activation_str, str) else None
        if name not in ACTIVATIONS:
            raise ValueError(f'activation must be one of {", ".join(ACTIVATIONS)}, got {activation_str!r}')
        return ACTIVATIONS[name]()

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
        if y.numel() != prediction.numel():
            raise ValueError(f'{len(prediction)} images and labels of shape {tuple(y.shape)}: one label per image')
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
        """Train `n_epochs` epochs under one tqdm bar, appending each epoch's mean training and test loss and
        MAE to the logs and writing them as a line; a training loss that is no longer finite stops the
        training, and so does a test loss or MAE that is not (`self.diverged` says where)."""
        if not (isinstance(n_epochs, int) and not isinstance(n_epochs, bool) and n_epochs >= 0):
            raise ValueError(f'n_epochs must be an integer >= 0, got {n_epochs!r}')
        N = len(self.train)
        if N == 0:
            raise ValueError('the training set has no batch')
        for epoch in tqdm(range(n_epochs)):
            train_loss, train_mae = 0.0, 0.0
            number = len(self.train_logs['train_loss']) + 1
            try:
                for inputs, labels in self.train:
                    loss, mae = self.training_step(inputs, labels)
                    train_loss += loss
                    train_mae += mae
            except RuntimeError as error:  # Adam's step at a learning rate that the parameters' dtype cannot hold
                if 'overflow' not in str(error):
                    raise
                train_loss = math.inf
            if not math.isfinite(train_loss):
                self.diverged = f'diverged at epoch {number}: loss {train_loss / N}'
                tqdm.write(self.diverged)
                break
            self.train_logs['train_mae'].append(train_mae / N)
            self.train_logs['train_loss'].append(train_loss / N)
            self.evaluation_loop()
            tqdm.write(epoch_line(self.train_logs))
            if not (math.isfinite(self.train_logs['test_loss'][-1]) and math.isfinite(self.train_logs['test_mae'][-1])):
                self.diverged = (f'diverged at epoch {number}: test loss {self.train_logs["test_loss"][-1]}, '
                                 f'test MAE {self.train_logs["test_mae"][-1]}')
                tqdm.write(self.diverged)
                break
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
        """Mean MSE and MAE over all of (X, y), in evaluation mode, without gradients, by batches; a network
        whose outputs are not finite (diverged) raises ArithmeticError instead."""
        if not (isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)):
            raise ValueError(f'evaluate needs tensors X and y, got {type(X).__name__} and {type(y).__name__}')
        if len(X) != len(y) or len(y) == 0 or y.dim() != 1:
            raise ValueError(f'evaluate needs as many images as labels, at least one, one label per image: got X '
                             f'of {len(X)} and y of shape {tuple(y.shape)}')
        dtype = next(self.network.parameters()).dtype
        if tuple(X.shape[1:]) != (3, 32, 32) or X.dtype != dtype:
            raise ValueError(f'evaluate needs X of shape (N, 3, 32, 32) and {dtype}, got {tuple(X.shape)} and {X.dtype}')
        self.network.eval()
        sums = torch.zeros(2, device=self.device)
        with torch.inference_mode():
            for X_batch, y_batch in zip(X.split(self.batch_size), y.split(self.batch_size)):
                sums += torch.stack(self.compute_loss_and_mae(X_batch, y_batch)) * len(y_batch)
        loss, mae = sums / len(y)
        if not sums.isfinite().all():
            raise ArithmeticError(f'diverged: the network\'s outputs are not finite (test loss {loss.item()}, MAE '
                                  f'{mae.item()}), no MAE to report')
        return loss, mae


def check_count(name, value):
    """ValueError unless `value` is an integer >= 1."""
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        raise ValueError(f'{name} must be an integer >= 1, got {value!r}')


def check_activation(activation):
    """ValueError unless `activation` is a torch.nn module or module class."""
    if not (isinstance(activation, nn.Module) or isinstance(activation, type) and issubclass(activation, nn.Module)):
        raise ValueError(f'activation must be a torch.nn module or module class, got {activation!r}')


def check_sizes(net_config, *fields):
    """ValueError unless `net_config` is a NetworkConfiguration whose named fields hold positive integers."""
    if not isinstance(net_config, NetworkConfiguration):
        raise ValueError(f'net_config must be a NetworkConfiguration, got {type(net_config).__name__}')
    for field in fields:
        values = getattr(net_config, field)
        if not (isinstance(values, (tuple, list)) and all(isinstance(value, int) and value >= 1 for value in values)):
            raise ValueError(f'net_config.{field} must hold positive integers, got {values}')


def epoch_line(logs):
    """The last epoch of `logs` in one line."""
    return (f'  epoch {len(logs["train_loss"]):3d} train mse {logs["train_loss"][-1]:.4f} mae {logs["train_mae"][-1]:.4f}'
            f' | test mse {logs["test_loss"][-1]:.4f} mae {logs["test_mae"][-1]:.4f}')


######################################################################
# The experiments of part 2


def experiment_1(epochs, device, seed=SEED):
    """The MLP (128, 128) with learning rates 0.01, 1e-4 and 1e-8."""
    config = NetworkConfiguration(dense_hiddens=(128, 128))
    return {f'lr={lr:g}': run(f'lr={lr:g}', 'mlp', config, lr, epochs, device, seed) for lr in (0.01, 1e-4, 1e-8)}


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
    return {'cnn': run('cnn', 'cnn', CNN_2, 0.001, epochs, device, seed)}


def experiment_3(epochs, device, seed=SEED):
    """The deep CNN (kernels 1) and the shallow CNN (one 32x32 kernel), after printing the parameter counts."""
    shallow = shallow_cnn_config()
    for name, config in (('CNN of experiment 2', CNN_2), ('deep CNN', DEEP_CNN), ('shallow CNN', shallow)):
        print(f'{name} {config}: {count_parameters(Trainer.create_cnn(3, config, nn.ReLU()))} parameters')
    return {'deep': run('deep', 'cnn', DEEP_CNN, 0.001, epochs, device, seed),
            'shallow': run('shallow', 'cnn', shallow, 0.001, epochs, device, seed)}


EXPERIMENTS = {1: experiment_1, 2: experiment_2, 3: experiment_3}


def on_device(trainer, device):
    """`trainer` with its network (and so its optimiser's parameters) moved to `device`."""
    trainer.device = torch.device(device)
    trainer.network.to(trainer.device)
    return trainer


def used_fields(network_type, config):
    """The fields of `config` that a network of `network_type` reads, as `name=value` words."""
    fields = ('dense_hiddens',) if network_type == 'mlp' else NetworkConfiguration._fields
    return ' '.join(f'{field}={getattr(config, field)}' for field in fields)


def run(name, network_type, config, lr, epochs, device, seed=SEED):
    """Train one network from `seed`, printing each epoch; returns its configuration, parameter count, logs,
    wall time and where it ran (`diverged` says so when the loss stopped being finite)."""
    made_by = provenance()  # the code as it is when the training starts
    seed_everything(seed)
    trainer = on_device(Trainer(network_type, config, lr=lr), device)
    parameters = count_parameters(trainer.network)
    print(f'{name}: {network_type} {used_fields(network_type, config)}, lr {lr:g}, seed {seed}: '
          f'{parameters:,} parameters', flush=True)
    start = time.perf_counter()
    trainer.train_loop(epochs)
    return {'network_type': network_type, 'config': config._asdict(), 'lr': lr, 'seed': seed, 'device': device,
            'parameters': parameters, 'logs': trainer.train_logs, 'diverged': trainer.diverged,
            'seconds': round(time.perf_counter() - start, 1), 'made_by': made_by}


def cpu_model():
    """The CPU's model name, as lscpu prints it (read from /proc/cpuinfo), else what platform knows."""
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
    except OSError:
        names = []
    return names[0] if names else platform.processor() or 'unknown CPU'


def git(*arguments):
    """The output of git in this file's folder, or None where there is no git repository."""
    try:
        return subprocess.run(['git', *arguments], cwd=os.path.dirname(os.path.abspath(__file__)), check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def provenance():
    """Which code makes a log, where and when: the commit, whether this file differs from it, the CPU, threads,
    torch and the date (the start of the training)."""
    return {'commit': git('rev-parse', 'HEAD'),
            'hw3_trainer_modified': bool(git('status', '--porcelain', '--', os.path.basename(__file__))),
            'cpu': cpu_model(), 'threads': torch.get_num_threads(), 'torch': torch.__version__,
            'gpu': torch.cuda.get_device_name() if torch.cuda.is_available() else None,
            'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds')}


def write_log(path, results):
    """`results` as JSON in `path`, whole or not at all: written to a file beside it, then renamed over it;
    an OSError names `path`."""
    partial = f'{path}.{os.getpid()}.partial'
    try:
        with open(partial, 'x') as f:
            json.dump(results, f, indent=1)
        os.replace(partial, path)
    except BaseException as error:
        if os.path.exists(partial):
            os.remove(partial)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, path) from None
        raise


def log_name(number, seed):
    """The JSON log of experiment `number`: experiment_N.json for the template's seed, else experiment_N_seedS.json."""
    return f'experiment_{number}.json' if seed == SEED else f'experiment_{number}_seed{seed}.json'


######################################################################
# The command line (the hand-in carries its own copies of these argparse types)


def positive_int(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive integer')
    return value


def seed_option(text):
    """argparse type of --seed: an integer from 0 to 2^32 - 1, which random, numpy and torch all take."""
    value = int(text)
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f'{text} is not a seed from 0 to {2 ** 32 - 1}')
    return value


def device_option(text):
    """argparse type of --device: cpu, cuda or cuda:N, CUDA only where it is available."""
    try:
        device = torch.device(text)
    except RuntimeError:
        device = None
    if device is None or device.type not in ('cpu', 'cuda'):
        raise argparse.ArgumentTypeError(f'{text!r} is not a device (cpu, cuda or cuda:N)')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f'{text}: CUDA is not available here')
    return text


def writable_folder(path):
    """`path`, created if needed, once a file could be written in it; else a one-line error."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):  # a name of its own: runs side by side may check the same folder
            pass
    except OSError as error:
        raise argparse.ArgumentTypeError(f'cannot write in {path}: {error.strerror or error}')
    return path


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The module's docstring as it is, and every option's default."""


def option_parser():
    """The experiments' command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=Formatter)
    parser.add_argument('--epochs', type=positive_int, default=50, help='epochs of each training')
    parser.add_argument('--device', type=device_option, default='cpu', help='cpu, cuda or cuda:N')
    parser.add_argument('--out', default=os.path.join('runs', 'hw3'),
                        help='folder of the logs (the report: --out hw3_report, then hw3_report/figures.py)')
    parser.add_argument('--experiments', type=int, nargs='+', choices=sorted(EXPERIMENTS), default=sorted(EXPERIMENTS),
                        help='which experiments to run')
    parser.add_argument('--seed', type=seed_option, default=SEED, help='seed of every training')
    parser.add_argument('--overwrite', action='store_true', help="replace the logs that --out holds of the same "
                                                                 "experiments and seed (else they are refused)")
    return parser


def main():
    parser = option_parser()
    options = parser.parse_args()
    try:
        writable_folder(options.out)
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --out: {error}')
    logs = [os.path.join(options.out, log_name(n, options.seed)) for n in options.experiments]
    folders = [log for log in logs if os.path.isdir(log)]
    if folders:
        parser.error(f'argument --out: {", ".join(folders)} {"is a folder" if len(folders) == 1 else "are folders"}')
    previous = [os.path.basename(log) for log in logs if os.path.lexists(log)]
    if previous and not options.overwrite:
        parser.error(f'argument --out: {options.out} holds {", ".join(previous)} already (--overwrite replaces them)')
    print(f'device {options.device}, {options.epochs} epochs, seed {options.seed}, results in {options.out}',
          flush=True)
    written, diverged = [], []
    for number in options.experiments:
        results = EXPERIMENTS[number](options.epochs, options.device, options.seed)
        written.append(os.path.join(options.out, log_name(number, options.seed)))
        write_log(written[-1], results)
        diverged += [f'experiment {number}, {name}: {run["diverged"]}' for name, run in results.items() if run['diverged']]
    print('wrote ' + ', '.join(written))
    if diverged:
        sys.exit('error: ' + '; '.join(diverged))


if __name__ == '__main__':
    try:
        main()
    except (DataUnavailableError, OSError) as error:
        sys.exit(f'error: {error}')
