"""The optimisers, with torch.optim's arguments, defaults and update rules. Each gathers the
parameters into flat tensors, one per run of parameters of one dtype and device, and the
gradients likewise, so that a step costs a few tensor operations whatever the depth."""
import math

from .checks import count, fraction, non_negative, number


def continues(previous, tensor):
    """Whether `tensor` can join the flat run that `previous` ends: of the same dtype and device,
    and both not yet gathered, or `tensor` right after `previous` in the storage that an
    optimiser gathered them into."""
    if tensor.dtype != previous.dtype or tensor.device != previous.device:
        return False
    if not hasattr(previous, 'gathered') and not hasattr(tensor, 'gathered'):
        return True
    return (hasattr(previous, 'gathered') and hasattr(tensor, 'gathered')
            and tensor.untyped_storage().data_ptr() == previous.untyped_storage().data_ptr()
            and tensor.storage_offset() == previous.storage_offset() + previous.numel())


def flat_view(run):
    """One flat tensor whose elements are those of the tensors of `run`. Tensors that an
    optimiser gathered before are viewed where they are (so that every optimiser over them
    updates the same memory); the others are copied into a new storage and made views of it,
    marked `gathered` (the modules keep their tensor objects and see every in-place update of
    the flat one)."""
    first, size = run[0], sum(tensor.numel() for tensor in run)
    if hasattr(first, 'gathered'):
        return first.new_empty(0).set_(first.untyped_storage(), first.storage_offset(), (size,))
    flat = first.new_empty(size)
    offset = 0
    for tensor in run:
        flat[offset:offset + tensor.numel()].copy_(tensor.reshape(-1))
        tensor.set_(flat.untyped_storage(), offset, tensor.shape)
        tensor.gathered = True
        offset += tensor.numel()
    return flat


def gathered(param):
    """The (flat parameters, flat gradients) pairs of the (parameter, gradient) list `param`,
    one per run of pairs that `continues` on both sides."""
    seen = set()
    for pair in param:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(hasattr(t, 'is_floating_point') for t in pair)):
            raise ValueError(f'param must list (parameter, gradient) pairs of tensors, as Module.param() does, got '
                             f'a {type(pair).__name__}')
        if not pair[0].is_floating_point():
            raise ValueError(f'a parameter of {pair[0].dtype}: an optimiser moves floating-point parameters only')
    for parameter, gradient in param:
        if id(parameter) in seen:
            raise ValueError(f'a parameter of shape {tuple(parameter.shape)} is listed twice')
        seen.add(id(parameter))
        if (parameter.shape, parameter.dtype, parameter.device) != (gradient.shape, gradient.dtype, gradient.device):
            raise ValueError(f'parameter ({tuple(parameter.shape)}, {parameter.dtype}, {parameter.device}) and its '
                             f'gradient ({tuple(gradient.shape)}, {gradient.dtype}, {gradient.device}) differ')
    runs = [[param[0]]]
    for pair in param[1:]:
        previous = runs[-1][-1]
        if continues(previous[0], pair[0]) and continues(previous[1], pair[1]):
            runs[-1].append(pair)
        else:
            runs.append([pair])
    return [(flat_view([p for p, _ in run]), flat_view([g for _, g in run])) for run in runs]


def flag(value):
    return isinstance(value, bool)


def betas(value):
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(number(beta) and 0 <= beta < 1 for beta in value))


RULES = {non_negative: 'a finite number >= 0', fraction: 'a number in [0, 1]', flag: 'True or False',
         betas: 'two numbers in [0, 1)', number: 'a finite number'}


class Optimizer:
    """Base class: `step()` updates the parameters from their gradients, `zero_grad()` zeroes
    the gradients. `param` is a list of (parameter, gradient) pairs, as `Module.param()` gives;
    any number of optimisers may share them. `lr` may be changed between steps (schedulers do).

    `rules` names each hyperparameter's check (as torch.optim's, NaN and infinities refused too);
    a constructor and `load_state_dict` check every hyperparameter before they change anything."""

    rules = {'lr': non_negative, 'weight_decay': non_negative}

    def __init__(self, param, lr, weight_decay, **hyperparameters):
        self.hyperparameters = dict(lr=lr, weight_decay=weight_decay, **hyperparameters)
        self.check(self.hyperparameters)
        param = list(param)
        if not param:
            raise ValueError(f'{type(self).__name__} got no parameters')
        self.groups = gathered(param)
        self.state = [{} for _ in self.groups]  # per group: name -> tensor of the group's size
        for name, value in self.hyperparameters.items():
            setattr(self, name, value)
        self.steps = 0

    def check(self, hyperparameters):
        """Raise ValueError naming the first hyperparameter of the dict `hyperparameters` that breaks its rule."""
        for name, rule in self.rules.items():
            if not rule(hyperparameters[name]):
                raise ValueError(f'{type(self).__name__}: invalid {name}: {hyperparameters[name]!r} '
                                 f'(expected {RULES[rule]})')

    def state_names(self, hyperparameters, steps):
        """The names of the state tensors of each group after `steps` steps with `hyperparameters`."""
        raise NotImplementedError

    def zero_grad(self):
        for _, gradients in self.groups:
            gradients.zero_()

    def gradient(self, parameters, gradients):
        """The gradient plus the weight decay term (an L2 penalty of weight_decay / 2)."""
        if self.weight_decay:
            return gradients.add(parameters, alpha=self.weight_decay)
        return gradients

    def step(self):
        self.steps += 1
        for (parameters, gradients), state in zip(self.groups, self.state):
            self.update(parameters, self.gradient(parameters, gradients), state)

    def update(self, parameters, gradient, state):
        """Updates the flat `parameters` in place, from their `gradient` and the group's `state`."""
        raise NotImplementedError

    def state_dict(self):
        """The hyperparameters (with the current lr), the step count and copies of the state."""
        return {**{name: getattr(self, name) for name in self.hyperparameters}, 'steps': self.steps,
                'state': [{name: tensor.clone() for name, tensor in state.items()} for state in self.state]}

    def load_state_dict(self, state_dict):
        """Takes the hyperparameters, step count and state of `state_dict` (from an optimiser of
        the same kind over parameters of the same sizes), all checked before any is taken."""
        kind, expected = type(self).__name__, set(self.hyperparameters) | {'steps', 'state'}
        if (not isinstance(state_dict, dict) or set(state_dict) != expected
                or not isinstance(state_dict['state'], list) or len(state_dict['state']) != len(self.groups)):
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f'{kind}: a state dict with keys {sorted(expected)} and {len(self.groups)} '
                             f'group(s) expected, got {keys}')
        self.check(state_dict)
        steps = state_dict['steps']
        if not count(steps):
            raise ValueError(f'{kind}: invalid steps: {steps!r} (expected an integer >= 0)')
        names = self.state_names(state_dict, steps)
        for (parameters, _), state in zip(self.groups, state_dict['state']):
            if not isinstance(state, dict) or set(state) != names:
                found = sorted(state) if isinstance(state, dict) else type(state).__name__
                raise ValueError(f'{kind}: a group state with {sorted(names)} expected, got {found}')
            for name, tensor in state.items():
                if not hasattr(tensor, 'is_floating_point') or not tensor.is_floating_point():
                    raise ValueError(f'{kind}: state {name!r} is not a floating-point tensor')
                if tensor.shape != parameters.shape:
                    raise ValueError(f'{kind}: state {name!r} of shape {tuple(tensor.shape)}, '
                                     f'expected {tuple(parameters.shape)}')
        for name in self.hyperparameters:
            setattr(self, name, state_dict[name])
        self.steps = steps
        self.state = [{name: tensor.to(parameters.device, parameters.dtype, copy=True)
                       for name, tensor in state.items()}
                      for (parameters, _), state in zip(self.groups, state_dict['state'])]


class SGD(Optimizer):
    """Stochastic gradient descent as torch.optim.SGD: with momentum, velocity = momentum *
    velocity + (1 - dampening) * gradient (the gradient alone at the first step), and the step
    is -lr * velocity, or -lr * (gradient + momentum * velocity) with Nesterov's momentum."""

    rules = {**Optimizer.rules, 'momentum': non_negative, 'dampening': number, 'nesterov': flag}

    def __init__(self, param, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__(param, lr, weight_decay, momentum=momentum, dampening=dampening, nesterov=nesterov)

    def check(self, hyperparameters):
        super().check(hyperparameters)
        if hyperparameters['nesterov'] and (hyperparameters['momentum'] <= 0 or hyperparameters['dampening'] != 0):
            raise ValueError('SGD: Nesterov momentum requires a momentum and zero dampening')

    def state_names(self, hyperparameters, steps):
        return {'velocity'} if hyperparameters['momentum'] and steps > 0 else set()

    def update(self, parameters, gradient, state):
        if self.momentum:
            if 'velocity' not in state:
                state['velocity'] = gradient.clone()
            else:
                state['velocity'].mul_(self.momentum).add_(gradient, alpha=1 - self.dampening)
            if self.nesterov:
                gradient = gradient.add(state['velocity'], alpha=self.momentum)
            else:
                gradient = state['velocity']
        parameters.add_(gradient, alpha=-self.lr)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with the bias corrections, L2 weight decay and AMSGrad
    variant of torch.optim.Adam."""

    rules = {**Optimizer.rules, 'betas': betas, 'eps': non_negative, 'amsgrad': flag}

    def __init__(self, param, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        super().__init__(param, lr, weight_decay, betas=betas, eps=eps, amsgrad=amsgrad)
        for (parameters, _), state in zip(self.groups, self.state):
            state['mean'] = parameters.new_zeros(parameters.shape)
            state['square'] = parameters.new_zeros(parameters.shape)
            if amsgrad:
                state['max_square'] = parameters.new_zeros(parameters.shape)

    def state_names(self, hyperparameters, steps):
        return {'mean', 'square'} | ({'max_square'} if hyperparameters['amsgrad'] else set())

    def update(self, parameters, gradient, state):
        beta1, beta2 = self.betas
        state['mean'].lerp_(gradient, 1 - beta1)
        square = state['square'].mul_(beta2).addcmul_(gradient, gradient, value=1 - beta2)
        if self.amsgrad:
            square = state['max_square'].copy_(state['max_square'].maximum(square))
        denominator = (square.sqrt() / math.sqrt(1 - beta2 ** self.steps)).add_(self.eps)
        parameters.addcdiv_(state['mean'], denominator, value=-self.lr / (1 - beta1 ** self.steps))


class RMSprop(Optimizer):
    """RMSprop as torch.optim.RMSprop: square = alpha * square + (1 - alpha) * gradient^2, the
    step -lr * gradient / (sqrt(square) + eps), with square less the squared running mean of
    the gradient if centered, through a momentum buffer if momentum > 0."""

    rules = {**Optimizer.rules, 'alpha': fraction, 'eps': non_negative, 'momentum': non_negative, 'centered': flag}

    def __init__(self, param, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        super().__init__(param, lr, weight_decay, alpha=alpha, eps=eps, momentum=momentum, centered=centered)
        for (parameters, _), state in zip(self.groups, self.state):
            state['square'] = parameters.new_zeros(parameters.shape)
            if centered:
                state['mean'] = parameters.new_zeros(parameters.shape)
            if momentum > 0:
                state['velocity'] = parameters.new_zeros(parameters.shape)

    def state_names(self, hyperparameters, steps):
        return ({'square'} | ({'mean'} if hyperparameters['centered'] else set())
                | ({'velocity'} if hyperparameters['momentum'] > 0 else set()))

    def update(self, parameters, gradient, state):
        square = state['square'].mul_(self.alpha).addcmul_(gradient, gradient, value=1 - self.alpha)
        if self.centered:
            mean = state['mean'].lerp_(gradient, 1 - self.alpha)
            root = square.addcmul(mean, mean, value=-1).sqrt_().add_(self.eps)
        else:
            root = square.sqrt().add_(self.eps)
        if self.momentum > 0:
            parameters.add_(state['velocity'].mul_(self.momentum).addcdiv_(gradient, root), alpha=-self.lr)
        else:
            parameters.addcdiv_(gradient, root, value=-self.lr)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011) as torch.optim.Adagrad: sum += gradient^2, the step at step t
    -lr / (1 + (t - 1) lr_decay) * gradient / (sqrt(sum) + eps)."""

    rules = {**Optimizer.rules, 'lr_decay': non_negative, 'initial_accumulator_value': non_negative,
             'eps': non_negative}

    def __init__(self, param, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        super().__init__(param, lr, weight_decay, lr_decay=lr_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)
        for (parameters, _), state in zip(self.groups, self.state):
            state['sum'] = parameters.new_full(parameters.shape, initial_accumulator_value)

    def state_names(self, hyperparameters, steps):
        return {'sum'}

    def update(self, parameters, gradient, state):
        root = state['sum'].addcmul_(gradient, gradient, value=1).sqrt().add_(self.eps)
        parameters.addcdiv_(gradient, root, value=-self.lr / (1 + (self.steps - 1) * self.lr_decay))


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012) as torch.optim.Adadelta: running means of the squared gradients
    and of the squared updates, the update gradient * sqrt(updates + eps) / sqrt(squares + eps),
    scaled by lr."""

    rules = {**Optimizer.rules, 'rho': fraction, 'eps': non_negative}

    def __init__(self, param, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0):
        super().__init__(param, lr, weight_decay, rho=rho, eps=eps)
        for (parameters, _), state in zip(self.groups, self.state):
            state['square'] = parameters.new_zeros(parameters.shape)
            state['delta'] = parameters.new_zeros(parameters.shape)

    def state_names(self, hyperparameters, steps):
        return {'square', 'delta'}

    def update(self, parameters, gradient, state):
        square = state['square'].mul_(self.rho).addcmul_(gradient, gradient, value=1 - self.rho)
        delta = state['delta'].add(self.eps).sqrt_().div_(square.add(self.eps).sqrt_()).mul_(gradient)
        state['delta'].mul_(self.rho).addcmul_(delta, delta, value=1 - self.rho)
        parameters.add_(delta, alpha=-self.lr)
