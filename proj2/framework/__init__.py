"""A mini deep-learning framework on `torch.empty`, tensor methods and `math` alone: no
autograd, no torch.nn. Modules, losses, optimisers, schedulers and training helpers."""
from .convolution import Conv2d, MaxPool2d
from .losses import LossBCE, LossCrossEntropy, LossMSE
from .modules import (INITIALISATIONS, Dropout, Flatten, LeakyReLU, Linear, Module, ReLU, Sequential, Sigmoid, Softmax,
                      Tanh)
from .normalisation import BatchNorm1d, BatchNorm2d
from .optim import SGD, Adadelta, Adagrad, Adam, Optimizer, RMSprop
from .schedulers import CosineAnnealingLR, ExponentialLR, LambdaLR, ReduceLROnPlateau, StepLR
from .training import Diverged, EarlyStopping, error_rate, standardiser, train, validation_split

__all__ = ['Module', 'Linear', 'Conv2d', 'MaxPool2d', 'BatchNorm1d', 'BatchNorm2d', 'Flatten', 'ReLU', 'LeakyReLU',
           'Tanh', 'Sigmoid', 'Softmax', 'Dropout', 'Sequential', 'INITIALISATIONS',
           'LossMSE', 'LossBCE', 'LossCrossEntropy',
           'Optimizer', 'SGD', 'Adam', 'RMSprop', 'Adagrad', 'Adadelta',
           'LambdaLR', 'StepLR', 'ExponentialLR', 'CosineAnnealingLR', 'ReduceLROnPlateau',
           'standardiser', 'train', 'error_rate', 'Diverged', 'EarlyStopping',
           'validation_split']
