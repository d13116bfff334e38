"""Learning-rate schedulers as torch.optim.lr_scheduler's: each takes any optimiser of the
framework, sets its `lr` when made (epoch 0) and at each `step()`, once an epoch; `last_epoch`
counts the steps and `get_last_lr()` is the learning rate set last, in a list as torch's."""
import math


class Scheduler:
    """Base class: `lr_at()` is the learning rate of epoch `last_epoch`, set by `step()`."""

    def __init__(self, optimizer):
        self.optimizer, self.base_lr, self.last_epoch = optimizer, optimizer.lr, 0

    def step(self):
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at()

    def lr_at(self):
        raise NotImplementedError

    def get_last_lr(self):
        return [self.optimizer.lr]

    def state_dict(self):
        """The scheduler's counters and settings, without the optimiser."""
        return {name: value for name, value in vars(self).items() if name != 'optimizer'}

    def load_state_dict(self, state_dict):
        vars(self).update(state_dict)


class LambdaLR(Scheduler):
    """lr = base_lr * lr_lambda(epoch), e.g. lambda epoch: 1 / (1 + decay * epoch) for a time decay."""

    def __init__(self, optimizer, lr_lambda):
        super().__init__(optimizer)
        self.lr_lambda = lr_lambda
        optimizer.lr = self.lr_at()

    def lr_at(self):
        return self.base_lr * self.lr_lambda(self.last_epoch)

    def state_dict(self):
        return {name: value for name, value in super().state_dict().items() if name != 'lr_lambda'}


class StepLR(Scheduler):
    """The learning rate multiplied by gamma every step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        if step_size < 1:
            raise ValueError(f'StepLR: step_size must be at least 1, got {step_size}')
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self):
        if self.last_epoch % self.step_size:
            return self.optimizer.lr
        return self.optimizer.lr * self.gamma


class ExponentialLR(Scheduler):
    """The learning rate multiplied by gamma every epoch."""

    def __init__(self, optimizer, gamma):
        super().__init__(optimizer)
        self.gamma = gamma

    def lr_at(self):
        return self.optimizer.lr * self.gamma


class CosineAnnealingLR(Scheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2 (Loshchilov and Hutter,
    2017, without restarts): from base_lr at epoch 0 to eta_min at epoch T_max, then back up."""

    def __init__(self, optimizer, T_max, eta_min=0.0):
        if T_max < 1:
            raise ValueError(f'CosineAnnealingLR: T_max must be at least 1, got {T_max}')
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2


class ReduceLROnPlateau(Scheduler):
    """The learning rate multiplied by factor (down to min_lr) once the metric passed to
    `step(metric)` has not improved for more than `patience` epochs; 'improved' means below
    best * (1 - threshold) (mode 'min', threshold_mode 'rel'), below best - threshold ('abs'),
    or above best * (1 + threshold) or best + threshold in mode 'max'. After a reduction,
    `cooldown` epochs pass before bad epochs count again; reductions smaller than eps are skipped."""

    def __init__(self, optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel',
                 cooldown=0, min_lr=0, eps=1e-8):
        if mode not in ('min', 'max') or threshold_mode not in ('rel', 'abs'):
            raise ValueError(f'ReduceLROnPlateau: mode {mode!r} must be min or max, threshold_mode '
                             f'{threshold_mode!r} rel or abs')
        if not factor < 1:
            raise ValueError(f'ReduceLROnPlateau: factor should be < 1.0, got {factor}')
        super().__init__(optimizer)
        self.mode, self.factor, self.patience, self.threshold = mode, factor, patience, threshold
        self.threshold_mode, self.cooldown, self.min_lr, self.eps = threshold_mode, cooldown, min_lr, eps
        self.best = math.inf if mode == 'min' else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0

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
