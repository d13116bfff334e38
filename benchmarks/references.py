"""Reference implementations for the tests and benchmarks, in torch.nn: what the repository's
own code is compared with. No deliverable imports this module."""
import torch

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
