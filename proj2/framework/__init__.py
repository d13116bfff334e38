"""A mini deep-learning framework on `torch.empty`, tensor methods and `math` alone: no
autograd, no torch.nn. Modules, losses and optimisers work on (N, features) tensors."""
from .losses import LossBCE, LossMSE
from .modules import INITIALISATIONS, Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Tanh
from .optim import SGD, Adam
from .training import disc_network, error_rate, generate_disc_set, standardiser, train

__all__ = ['Module', 'Linear', 'ReLU', 'Tanh', 'Sigmoid', 'Dropout', 'Sequential', 'INITIALISATIONS',
           'LossMSE', 'LossBCE', 'SGD', 'Adam', 'generate_disc_set', 'disc_network', 'standardiser',
           'train', 'error_rate']
