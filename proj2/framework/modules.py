"""The layers: each one computes its output in `forward` and, in `backward`, turns the gradient
of the loss with respect to its output into the gradient with respect to its input, adding
the gradients of its parameters to what they already hold."""
import math

from torch import empty

from .checks import integer, number, positive_count


class Module:
    """Base class: `forward(*input)`, `backward(*gradwrtoutput)` and `param()`, the list of
    (parameter, gradient) pairs, empty for a module without parameters."""
    training = True
    saved = None  # what forward keeps for backward

    def forward(self, *input):
        raise NotImplementedError

    def backward(self, *gradwrtoutput):
        raise NotImplementedError

    def param(self):
        return []

    def named_tensors(self):
        """The (name, tensor) pairs of the module's state: parameters and buffers such as
        running statistics, named as torch.nn names them."""
        return []

    def state_dict(self):
        """Copies of the module's state tensors by name (save them with torch.save)."""
        return {name: tensor.clone() for name, tensor in self.named_tensors()}

    def load_state_dict(self, state_dict):
        """Copies the tensors of `state_dict` into the module's own, which keep their identity
        (the optimisers' views stay valid); the names and shapes must be the module's."""
        own = dict(self.named_tensors())
        if set(state_dict) != set(own):
            raise ValueError(f'{type(self).__name__}: missing keys {sorted(set(own) - set(state_dict))}, '
                             f'unexpected keys {sorted(set(state_dict) - set(own))}')
        for name, tensor in own.items():  # every key checked before any is copied: all or nothing
            value = state_dict[name]
            if not isinstance(value, type(tensor)) or value.device.type == 'meta':
                raise ValueError(f'{type(self).__name__}: {name} is a {type(value).__name__}'
                                 f'{" without data (meta)" if isinstance(value, type(tensor)) else ""}, not a tensor')
            if value.shape != tensor.shape:
                raise ValueError(f'{type(self).__name__}: {name} of shape {tuple(value.shape)}, '
                                 f'expected {tuple(tensor.shape)}')
            if value.is_floating_point() != tensor.is_floating_point():
                raise ValueError(f'{type(self).__name__}: {name} of {value.dtype}, expected {tensor.dtype}')
        self.check_state(state_dict)
        for name, tensor in own.items():
            tensor.copy_(state_dict[name])

    def check_state(self, state_dict):
        """Raise ValueError if `state_dict` (the module's names, the right shapes) holds values that the module
        cannot take (by default it takes any)."""

    def zero_grad(self):
        for _, grad in self.param():
            grad.zero_()

    def train(self, mode=True):
        """Training behaviour (mode=True) or evaluation behaviour (mode=False); returns self."""
        self.training = mode
        return self

    def eval(self):
        """Evaluation behaviour; returns self."""
        return self.train(False)

    def __call__(self, *input):
        return self.forward(*input)

    def __repr__(self):
        return f'{type(self).__name__}()'

    def scratch(self, name, like, shape, dtype=None):
        """The module's own tensor `name` of `shape`, with the dtype (or `dtype`) and device of
        `like`, kept from call to call so that its memory is reused (fresh memory is slow to
        get): for what the module writes anew at each call and returns to no caller."""
        buffer, dtype = self.__dict__.get(name), dtype or like.dtype
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype or buffer.device != like.device:
            buffer = like.new_zeros(shape, dtype=dtype)
            setattr(self, name, buffer)
        return buffer

    def recall(self):
        """What forward saved, or an error when backward comes first."""
        if self.saved is None:
            raise RuntimeError(f'{type(self).__name__}: backward called before forward (or twice after one forward)')
        return self.saved

    def consume(self):
        """What forward saved, for the one backward that may use it: a module with parameters used twice before
        its backward would otherwise give both backwards the second input (a wrong weight gradient)."""
        saved = self.recall()
        self.saved = None
        return saved

    def check_sizes(self, **sizes):
        """Raise ValueError naming the first of `sizes` (name=value) that is not an integer >= 1."""
        for name, size in sizes.items():
            if not positive_count(size):
                raise ValueError(f'{type(self).__name__}: {name} must be an integer >= 1, got {size!r}')

    def check_input_kind(self, input, like):
        """A ValueError unless `input` is a tensor of the dtype and device of the module's `like` (a parameter)."""
        if not hasattr(input, 'dtype') or (input.dtype, input.device) != (like.dtype, like.device):
            kind = f'{input.dtype} on {input.device}' if hasattr(input, 'dtype') else type(input).__name__
            raise ValueError(f'{self} holds {like.dtype} on {like.device}, got input of {kind}')

    def check_kind(self, grad, like):
        """`grad`, once it has the dtype and device of `like` (what forward saw); else a ValueError naming both."""
        if grad.dtype != like.dtype or grad.device != like.device:
            raise ValueError(f'{self} expects a gradient of {like.dtype} on {like.device}, got {grad.dtype} on '
                             f'{grad.device}')
        return grad

    def check_grad(self, grad, shape):
        """`grad`, once it has the `shape` of the forward's output; else a ValueError naming both."""
        if grad.shape != shape:
            raise ValueError(f'{self} expects a gradient of the shape of its output, {tuple(shape)}, '
                             f'got {tuple(grad.shape)}')
        return grad


def xavier(weight, bias):
    """Glorot and Bengio (2010): uniform of variance 2 / (fan_in + fan_out), zero bias."""
    bound = math.sqrt(6 / (weight.shape[0] + weight.shape[1]))
    weight.uniform_(-bound, bound)
    bias.zero_()


def he(weight, bias):
    """He et al. (2015), for ReLU networks: normal of variance 2 / fan_in, zero bias."""
    weight.normal_(0, math.sqrt(2 / weight.shape[1]))
    bias.zero_()


def uniform(weight, bias):
    """torch.nn.Linear's default: weight and bias uniform in +-1/sqrt(fan_in)."""
    bound = 1 / math.sqrt(weight.shape[1])
    weight.uniform_(-bound, bound)
    bias.uniform_(-bound, bound)


INITIALISATIONS = {'xavier': xavier, 'he': he, 'uniform': uniform}


class Linear(Module):
    """Fully connected layer, output = input @ weight.T + bias, weight of shape
    (out_features, in_features); `init` is one of INITIALISATIONS."""

    def __init__(self, in_features, out_features, init='xavier', dtype=None, device=None):
        if not isinstance(init, str) or init not in INITIALISATIONS:
            raise ValueError(f'unknown initialisation {init!r}, choose among {sorted(INITIALISATIONS)}')
        self.check_sizes(in_features=in_features, out_features=out_features)
        self.weight = empty(out_features, in_features, dtype=dtype, device=device)
        self.bias = empty(out_features, dtype=dtype, device=device)
        INITIALISATIONS[init](self.weight, self.bias)
        self.weight_grad = self.weight.new_zeros(self.weight.shape)
        self.bias_grad = self.bias.new_zeros(self.bias.shape)

    def forward(self, input):
        self.check_input_kind(input, self.weight)
        if input.dim() != 2 or input.shape[1] != self.weight.shape[1]:
            raise ValueError(f'{self} expects input of shape (N, {self.weight.shape[1]}), '
                             f'got {tuple(input.shape)}')
        self.saved = input
        return self.bias.addmm(input, self.weight.t())

    def backward(self, grad):
        input = self.recall()
        if grad.shape != (input.shape[0], self.weight.shape[0]):
            raise ValueError(f'{self} expects a gradient of shape ({input.shape[0]}, {self.weight.shape[0]}), '
                             f'got {tuple(grad.shape)}')
        self.check_kind(grad, input)
        self.consume()  # checked: now spent
        self.weight_grad.addmm_(grad.t(), input)
        self.bias_grad.add_(grad.sum(0))
        return grad.mm(self.weight)

    def param(self):
        return [(self.weight, self.weight_grad), (self.bias, self.bias_grad)]

    def named_tensors(self):
        return [('weight', self.weight), ('bias', self.bias)]

    def __repr__(self):
        return f'Linear({self.weight.shape[1]}, {self.weight.shape[0]})'


class ReLU(Module):
    """max(0, x), element-wise; its derivative is 1 where x > 0, else 0 (kept as a tensor of x's dtype)."""

    def forward(self, input):
        self.saved = self.scratch('mask', input, input.shape).copy_(input).gt_(0)
        return input.clamp(min=0)

    def backward(self, grad):
        mask = self.recall()
        return self.check_grad(grad, mask.shape) * mask


class Tanh(Module):
    """tanh(x), element-wise; its derivative is 1 - tanh(x)^2."""

    def forward(self, input):
        self.saved = input.tanh()
        return self.saved

    def backward(self, grad):
        output = self.recall()
        return self.check_grad(grad, output.shape).addcmul(grad, output.square(), value=-1)


class Sigmoid(Module):
    """1 / (1 + exp(-x)), element-wise; its derivative is s (1 - s)."""

    def forward(self, input):
        self.saved = input.sigmoid()
        return self.saved

    def backward(self, grad):
        output = self.recall()
        grad = self.check_grad(grad, output.shape) * output
        return grad.addcmul(grad, output, value=-1)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise, element-wise (at 0 the gradient is the slope's,
    as torch's)."""

    def __init__(self, negative_slope=0.01):
        if not number(negative_slope):
            raise ValueError(f'LeakyReLU: negative_slope must be a finite number, got {negative_slope!r}')
        self.negative_slope = negative_slope

    def forward(self, input):
        self.saved = input > 0
        return input.where(self.saved, input * self.negative_slope)

    def backward(self, grad):
        positive = self.recall()
        return self.check_grad(grad, positive.shape).where(positive, grad * self.negative_slope)


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `dim`; its backward is y * (g - sum(g * y))."""

    def __init__(self, dim=1):
        if not integer(dim):
            raise ValueError(f'Softmax: dim must be an integer, got {dim!r}')
        self.dim = dim

    def forward(self, input):
        self.saved = input.softmax(self.dim)
        return self.saved

    def backward(self, grad):
        output = self.recall()
        self.check_grad(grad, output.shape)
        return output * (grad - (grad * output).sum(self.dim, keepdim=True))


class Flatten(Module):
    """The dimensions start_dim to end_dim merged into one, as torch.nn.Flatten."""

    def __init__(self, start_dim=1, end_dim=-1):
        if not (integer(start_dim) and integer(end_dim)):
            raise ValueError(f'Flatten: start_dim and end_dim must be integers, got {start_dim!r} and {end_dim!r}')
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        output = input.flatten(self.start_dim, self.end_dim)
        self.saved = input.shape, output.shape
        return output

    def backward(self, grad):
        input_shape, output_shape = self.recall()
        return self.check_grad(grad, output_shape).reshape(input_shape)


class Dropout(Module):
    """Zeroes each input with probability p in training mode and scales the others by
    1 / (1 - p); the identity in evaluation mode."""

    def __init__(self, p=0.5):
        if not (number(p) and 0 <= p < 1):
            raise ValueError(f'dropout probability must be in [0, 1), got {p!r}')
        self.p = p

    def forward(self, input):
        if not self.training:
            self.saved = input.shape, 1
            return input
        mask = input.new_empty(input.shape).bernoulli_(1 - self.p).div_(1 - self.p)
        self.saved = input.shape, mask
        return input * mask

    def backward(self, grad):
        shape, mask = self.recall()
        return self.check_grad(grad, shape) * mask


class Sequential(Module):
    """The modules applied one after the other."""

    def __init__(self, *modules):
        if not all(isinstance(module, Module) for module in modules):
            raise ValueError(f'Sequential takes modules, got {", ".join(type(m).__name__ for m in modules)}')
        if len({id(module) for module in modules}) != len(modules):
            raise ValueError('Sequential: a module appears twice (each keeps what one forward needs for its backward)')
        self.modules = modules
        self.reversed = modules[::-1]

    def forward(self, input):
        for module in self.modules:
            input = module(input)
        self.saved = [module.saved for module in self.modules]
        return input

    def backward(self, grad):
        """The modules' backward passes in reverse order, once each module still holds what this forward
        saved (none has run another forward or its backward since): else nothing changes, RuntimeError."""
        saved = self.consume()
        if any(module.saved is not kept for module, kept in zip(self.modules, saved)):
            raise RuntimeError('Sequential: a module ran another forward or its backward since the forward')
        for module in self.reversed:
            grad = module.backward(grad)
        return grad

    def param(self):
        return [pair for module in self.modules for pair in module.param()]

    def named_tensors(self):
        return [(f'{index}.{name}', tensor) for index, module in enumerate(self.modules)
                for name, tensor in module.named_tensors()]

    def check_state(self, state_dict):
        for index, module in enumerate(self.modules):
            prefix = f'{index}.'
            module.check_state({name[len(prefix):]: value for name, value in state_dict.items() if name.startswith(prefix)})

    def train(self, mode=True):
        for module in self.modules:
            module.train(mode)
        return super().train(mode)
