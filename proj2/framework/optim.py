"""The optimisers. Both gather the parameters into one flat tensor and the gradients into
another, so that a step costs a few tensor operations whatever the number of layers."""
import math


def flatten(tensors):
    """One contiguous tensor holding the values of `tensors`, which become views of it: the
    modules keep their tensors and see every in-place update of the flat one."""
    flat = tensors[0].new_empty(sum(tensor.numel() for tensor in tensors))
    offset = 0
    for tensor in tensors:
        size = tensor.numel()
        flat[offset:offset + size].copy_(tensor.reshape(-1))
        tensor.set_(flat.untyped_storage(), offset, tensor.shape)
        offset += size
    return flat


class Optimizer:
    """Base class: `step()` updates the parameters from their gradients, `zero_grad()` zeroes
    the gradients. `param` is a list of (parameter, gradient) pairs, as `Module.param()` gives."""

    def __init__(self, param, lr, weight_decay):
        if not param:
            raise ValueError(f'{type(self).__name__} got no parameters')
        parameters, gradients = zip(*param)
        self.parameters, self.gradients = flatten(parameters), flatten(gradients)
        self.lr, self.weight_decay = lr, weight_decay

    def zero_grad(self):
        self.gradients.zero_()

    def gradient(self):
        """The gradient plus the weight decay term (an L2 penalty of weight_decay / 2)."""
        if self.weight_decay:
            return self.gradients.add(self.parameters, alpha=self.weight_decay)
        return self.gradients

    def step(self):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum and weight decay, as torch.optim.SGD:
    velocity = momentum * velocity + gradient, parameters -= lr * velocity."""

    def __init__(self, param, lr, momentum=0, weight_decay=0):
        super().__init__(param, lr, weight_decay)
        self.momentum = momentum
        self.velocity = self.parameters.new_zeros(self.parameters.shape)

    def step(self):
        gradient = self.gradient()
        if self.momentum:
            gradient = self.velocity.mul_(self.momentum).add_(gradient)
        self.parameters.add_(gradient, alpha=-self.lr)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with the bias corrections and L2 weight decay of
    torch.optim.Adam."""

    def __init__(self, param, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(param, lr, weight_decay)
        self.betas, self.eps, self.steps = betas, eps, 0
        self.mean = self.parameters.new_zeros(self.parameters.shape)
        self.square = self.parameters.new_zeros(self.parameters.shape)

    def step(self):
        gradient = self.gradient()
        beta1, beta2 = self.betas
        self.steps += 1
        self.mean.lerp_(gradient, 1 - beta1)
        self.square.mul_(beta2).addcmul_(gradient, gradient, value=1 - beta2)
        denominator = (self.square.sqrt() / math.sqrt(1 - beta2 ** self.steps)).add_(self.eps)
        self.parameters.addcdiv_(self.mean, denominator, value=-self.lr / (1 - beta1 ** self.steps))
