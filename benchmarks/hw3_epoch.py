"""Time one training epoch (train_loop(1): the training pass and the test evaluation) of homework 3.

    python benchmarks/hw3_epoch.py [--threads N] [--repeats R]

For the MLP (128, 128) and the CNN of experiment 2, side by side in one run:
- template: the same Trainer and network, fed by the template's loaders (torchvision's
  CIFAR10 with `ToTensor` and `Normalize`, a shuffled DataLoader), network in the default layout;
- ours: the Trainer as it is (tensors decoded once, channels-last CNN).
Prints each time (best of --repeats) and `mlp ratio: X` and `cnn ratio: Y` (template / ours).
Goal on 2 CPU cores: mlp ratio >= 3, cnn ratio >= 2.
"""
import argparse
import os
import sys
import time

import torch
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import course_data  # noqa: E402
from hw3_trainer import CNN_2, NetworkConfiguration, Trainer, cifar10_root  # noqa: E402

NETWORKS = {'mlp': NetworkConfiguration(dense_hiddens=(128, 128)), 'cnn': CNN_2}


def template_loaders(batch_size):
    """The template's (train, test) loaders: per-image ToTensor and Normalize in a DataLoader."""
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

    def loader(train):
        dataset = course_data.load(datasets.CIFAR10, cifar10_root(), train, transform=transform)
        return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=train)

    return loader(True), loader(False)


def template_trainer(network_type):
    """Our Trainer with the template's loaders and the network in the default memory layout."""
    trainer = Trainer(network_type, NETWORKS[network_type], device='cpu')
    trainer.train, trainer.test = template_loaders(trainer.batch_size)
    trainer.network.to(memory_format=torch.contiguous_format)
    return trainer


def epoch_seconds(make_trainer, repeats):
    """Best wall-clock time of train_loop(1) over `repeats` fresh trainers."""
    times = []
    for _ in range(repeats):
        trainer = make_trainer()
        start = time.perf_counter()
        trainer.train_loop(1)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--threads', type=int, default=torch.get_num_threads(), help='torch CPU threads')
    parser.add_argument('--repeats', type=int, default=1, help='epochs timed per side (best kept)')
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    print(f'torch {torch.__version__}, {options.threads} threads, best of {options.repeats}', flush=True)
    for network_type in NETWORKS:
        template = epoch_seconds(lambda: template_trainer(network_type), options.repeats)
        ours = epoch_seconds(lambda: Trainer(network_type, NETWORKS[network_type], device='cpu'), options.repeats)
        print(f'{network_type}: template {template:.2f} s/epoch, ours {ours:.2f} s/epoch', flush=True)
        print(f'{network_type} ratio: {template / ours:.2f}', flush=True)


if __name__ == '__main__':
    course_data.main_or_exit(main)
