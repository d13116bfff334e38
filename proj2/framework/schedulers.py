"""Learning-rate schedulers as torch.optim.lr_scheduler's: each takes any optimiser of the
framework, sets its `lr` when made (epoch 0) and at each `step()`, once an epoch; `last_epoch`
counts the steps and `get_last_lr()` is the learning rate set last, in a list as torch's.

Every setting is checked when made and when loaded (`load_state_dict` takes all or nothing), and
a learning rate that is not a finite number >= 0 is refused before it reaches the optimiser."""
import math

from .checks import count, fraction, non_negative, positive_count
from .optim import Optimizer


def below_one(value):
    return non_negative(value) and value < 1


def mode(value):
    return value in ('min', 'max')


def threshold_mode(value):
    return value in ('rel', 'abs')


def metric(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


RULES = {non_negative: 'a finite number >= 0', fraction: 'a number in [0, 1]', count: 'an integer >= 0',
         positive_count: 'an integer >= 1', below_one: 'a number in [0, 1)', mode: "'min' or 'max'",
         threshold_mode: "'rel' or 'abs'", metric: 'a number'}


class Scheduler:
    """Base class: `lr_at(epoch)` is the learning rate of `epoch`, set by `step()`; `rules` names
    each setting's check."""

    rules = {'base_lr': non_negative, 'last_epoch': count}

    def __init__(self, optimizer):
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f'{type(self).__name__}: optimizer must be an optimiser of the framework, '
                             f'got {type(optimizer).__name__}')
        self.optimizer, self.base_lr, self.last_epoch = optimizer, optimizer.lr, 0

    def check(self, settings):
        """Raise ValueError naming the first entry of the dict `settings` that breaks its rule."""
        for name, rule in self.rules.items():
            if not rule(settings[name]):
                raise ValueError(f'{type(self).__name__}: invalid {name}: {settings[name]!r} '
                                 f'(expected {RULES[rule]})')

    def set_lr(self, epoch):
        """Give the optimiser the learning rate of `epoch`, if it is one that it can take."""
        lr = self.lr_at(epoch)
        if not non_negative(lr):
            raise ValueError(f'{type(self).__name__}: the learning rate of epoch {epoch} is {lr!r}, '
                             f'not a finite number >= 0')
        self.optimizer.lr = lr

    def step(self):
        self.set_lr(self.last_epoch + 1)
        self.last_epoch += 1

    def lr_at(self, epoch):
        raise NotImplementedError

    def get_last_lr(self):
        return [self.optimizer.lr]

    def state_dict(self):
        """The scheduler's counters and settings, without the optimiser."""
        return {name: value for name, value in vars(self).items() if name != 'optimizer'}

    def load_state_dict(self, state_dict):
        """Take the counters and settings of `state_dict` (from a scheduler of the same kind), all
        checked before any is taken."""
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f'{type(self).__name__}: a state dict with keys {sorted(expected)} expected, got {keys}')
        self.check(state_dict)
        vars(self).update(state_dict)


class LambdaLR(Scheduler):
    """lr = base_lr * lr_lambda(epoch), e.g. lambda epoch: 1 / (1 + decay * epoch) for a time decay."""

    def __init__(self, optimizer, lr_lambda):
        if not callable(lr_lambda):
            raise ValueError(f'LambdaLR: lr_lambda must be a function of the epoch, got {type(lr_lambda).__name__}')
        super().__init__(optimizer)
        self.lr_lambda = lr_lambda
        self.set_lr(0)

    def lr_at(self, epoch):
        return self.base_lr * self.lr_lambda(epoch)

    def state_dict(self):
        return {name: value for name, value in super().state_dict().items() if name != 'lr_lambda'}


class StepLR(Scheduler):
    """The learning rate multiplied by gamma every step_size epochs."""

    rules = {**Scheduler.rules, 'step_size': positive_count, 'gamma': non_negative}

    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma
        self.check(vars(self))

    def lr_at(self, epoch):
        if epoch % self.step_size:
            return self.optimizer.lr
        return self.optimizer.lr * self.gamma


class ExponentialLR(Scheduler):
    """The learning rate multiplied by gamma every epoch."""

    rules = {**Scheduler.rules, 'gamma': non_negative}

    def __init__(self, optimizer, gamma):
        super().__init__(optimizer)
        self.gamma = gamma
        self.check(vars(self))

    def lr_at(self, epoch):
        return self.optimizer.lr * self.gamma


class CosineAnnealingLR(Scheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2 (Loshchilov and Hutter,
    2017, without restarts): from base_lr at epoch 0 to eta_min at epoch T_max, then back up."""

    rules = {**Scheduler.rules, 'T_max': positive_count, 'eta_min': non_negative}

    def __init__(self, optimizer, T_max, eta_min=0.0):
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min
        self.check(vars(self))

    def lr_at(self, epoch):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class ReduceLROnPlateau(Scheduler):
    """The learning rate multiplied by factor (down to min_lr) once the metric passed to
    `step(metric)` has not improved for more than `patience` epochs; 'improved' means below
    best * (1 - threshold) (mode 'min', threshold_mode 'rel'), below best - threshold ('abs'),
    or above best * (1 + threshold) or best + threshold in mode 'max'. After a reduction,
    `cooldown` epochs pass before bad epochs count again; reductions smaller than eps are skipped."""

    rules = {**Scheduler.rules, 'mode': mode, 'factor': below_one, 'patience': count, 'threshold': non_negative,
             'threshold_mode': threshold_mode, 'cooldown': count, 'min_lr': non_negative, 'eps': non_negative,
             'best': metric, 'num_bad_epochs': count, 'cooldown_counter': count}

    def __init__(self, optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel',
                 cooldown=0, min_lr=0, eps=1e-8):
        super().__init__(optimizer)
        self.mode, self.factor, self.patience, self.threshold = mode, factor, patience, threshold
        self.threshold_mode, self.cooldown, self.min_lr, self.eps = threshold_mode, cooldown, min_lr, eps
        self.best = math.inf if mode == 'min' else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0
        self.check(vars(self))

    def is_better(self, value):
        relative = self.threshold_mode == 'rel'
        if self.mode == 'min':
            return value < (self.best * (1 - self.threshold) if relative else self.best - self.threshold)
        return value > (self.best * (1 + self.threshold) if relative else self.best + self.threshold)

    def step(self, metric):
        value = float(metric)
        self.last_epoch += 1
        if self.is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            lr = max(self.optimizer.lr * self.factor, self.min_lr)
            if self.optimizer.lr - lr > self.eps:
                self.optimizer.lr = lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
