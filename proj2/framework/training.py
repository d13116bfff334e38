"""Mini-batch training and evaluation: the loop, early stopping, and the helpers around them."""
import math

from .checks import integer, non_negative, number, positive_count
from .losses import check_tensors
from .schedulers import ReduceLROnPlateau, Scheduler


def standardiser(train_input):
    """The function that centres and scales inputs by the mean and standard deviation of the
    columns of `train_input`."""
    mean, std = train_input.mean(0), train_input.std(0)
    return lambda input: (input - mean) / std


def shuffled(tensors):
    """The tensors with their rows in one new random order."""
    order = tensors[0].new_empty(tensors[0].shape[0]).uniform_().argsort()
    return [tensor[order] for tensor in tensors]


def validation_split(input, target, fraction=0.2):
    """((train input, train target), (validation input, validation target)): the samples in a
    new random order, the last `fraction` of them for validation."""
    check_samples('validation_split', input, target)
    if not (number(fraction) and 0 < fraction < 1):
        raise ValueError(f'validation_split: fraction must be a number in (0, 1), got {fraction!r}')
    size = round(fraction * input.shape[0])
    if not 0 < size < input.shape[0]:
        raise ValueError(f'validation_split: a fraction of {fraction} of {input.shape[0]} samples leaves a part empty')
    input, target = shuffled([input, target])
    return (input[:-size], target[:-size]), (input[-size:], target[-size:])


def check_samples(name, input, target):
    """An error unless input and target are tensors with the same number of samples, at least one."""
    check_tensors(name, input=input, target=target)
    if input.dim() == 0 or target.dim() == 0 or input.shape[0] != target.shape[0]:
        raise ValueError(f'{name}: input of shape {tuple(input.shape)} and target of shape {tuple(target.shape)} '
                         f'do not have the same number of samples')
    if input.shape[0] == 0:
        raise ValueError(f'{name}: no samples (input of shape {tuple(input.shape)})')


class Diverged(ArithmeticError):
    """Training stopped on a loss that is not finite."""


class EarlyStopping:
    """Given to `train`: evaluates the model's loss on the validation samples after each epoch
    (in evaluation mode), stops the training once it has not fallen below the best by more
    than min_delta for `patience` epochs, and restores the weights (the whole state_dict) of the
    best epoch. `losses`, `best_epoch` and `best_loss` tell what happened."""

    def __init__(self, input, target, patience=10, min_delta=0):
        check_samples('EarlyStopping', input, target)
        if not positive_count(patience):
            raise ValueError(f'EarlyStopping: patience must be an integer >= 1, got {patience!r}')
        if not non_negative(min_delta):
            raise ValueError(f'EarlyStopping: min_delta must be a finite number >= 0, got {min_delta!r}')
        self.input, self.target, self.patience, self.min_delta = input, target, patience, min_delta
        self.losses, self.best_epoch, self.best_loss, self.best_state = [], 0, math.inf, None

    def should_stop(self, model, criterion, epoch):
        """Records the validation loss of `epoch`, keeps the state if it is the best; whether to stop."""
        model.eval()
        loss = criterion(model(self.input), self.target).item()
        model.train()
        if not math.isfinite(loss):
            raise Diverged(f'diverged at epoch {epoch}: validation loss {loss}')
        self.losses.append(loss)
        if loss < self.best_loss - self.min_delta:
            self.best_epoch, self.best_loss, self.best_state = epoch, loss, model.state_dict()
        return epoch - self.best_epoch >= self.patience

    def restore(self, model):
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def train(model, criterion, optimizer, input, target, epochs, batch_size, lr_schedule=None, log_every=0,
          scheduler=None, early_stopping=None):
    """Trains `model` for `epochs` passes over the data, in mini-batches of a new random order
    each epoch, printing the mean loss every `log_every` epochs (never if 0); returns the list
    of each epoch's mean loss. The learning rate is `lr_schedule(epoch)` (epochs count from 1)
    if given; a `scheduler` steps after each epoch (ReduceLROnPlateau on the validation loss of
    `early_stopping` if given, else on the training loss). With an EarlyStopping, the training
    may stop before `epochs` and ends with the best epoch's weights. Raises Diverged, "diverged
    at epoch k: loss nan", as soon as an epoch's loss is not finite."""
    check_samples('train', input, target)
    for name, value, low in (('epochs', epochs, 1), ('batch_size', batch_size, 1), ('log_every', log_every, 0)):
        if not (integer(value) and value >= low):
            raise ValueError(f'train: {name} must be an integer >= {low}, got {value!r}')
    if not (lr_schedule is None or callable(lr_schedule)):
        raise ValueError(f'train: lr_schedule must be a function of the epoch, got {type(lr_schedule).__name__}')
    if not (scheduler is None or isinstance(scheduler, Scheduler)):
        raise ValueError(f'train: scheduler must be a scheduler of the framework, got {type(scheduler).__name__}')
    if not (early_stopping is None or isinstance(early_stopping, EarlyStopping)):
        raise ValueError(f'train: early_stopping must be an EarlyStopping, got {type(early_stopping).__name__}')
    model.train()
    losses = []
    for epoch in range(1, epochs + 1):
        if lr_schedule:
            lr = lr_schedule(epoch)
            if not non_negative(lr):
                raise ValueError(f'train: lr_schedule({epoch}) is {lr!r}, not a finite number >= 0')
            optimizer.lr = lr
        input_batches, target_batches = (rows.split(batch_size) for rows in shuffled([input, target]))
        total = 0
        for input_batch, target_batch in zip(input_batches, target_batches):
            total += criterion(model(input_batch), target_batch).item() * input_batch.shape[0]
            optimizer.zero_grad()
            model.backward(criterion.backward())
            try:
                optimizer.step()
            except RuntimeError as error:  # a step that the parameters' dtype cannot hold (lr 1e38 in Adam)
                if 'overflow' not in str(error):
                    raise
                raise Diverged(f'diverged at epoch {epoch}: the optimiser\'s step overflows') from None
        losses.append(total / input.shape[0])
        if not math.isfinite(losses[-1]):
            raise Diverged(f'diverged at epoch {epoch}: loss {losses[-1]}')
        if log_every and epoch % log_every == 0:
            print(f'epoch {epoch:4d} loss {losses[-1]:.5f}', flush=True)
        stop = early_stopping is not None and early_stopping.should_stop(model, criterion, epoch)
        if scheduler is not None:
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(early_stopping.losses[-1] if early_stopping is not None else losses[-1])
            else:
                scheduler.step()
        if stop:
            break
    if early_stopping is not None:
        early_stopping.restore(model)
    return losses


def error_rate(model, input, target, threshold=0.5):
    """Fraction of the samples misclassified by `model`, in evaluation mode: for outputs of the
    shape of the targets, an output above `threshold` means class 1, a target above 0.5 too;
    for outputs (N, C) and integer targets (N,), the class is the output's largest. Raises Diverged
    when an output is not finite (a NaN is no class)."""
    check_tensors('error_rate', input=input, target=target)
    if input.dim() == 0 or input.shape[0] == 0:
        raise ValueError(f'error_rate: no samples (input of shape {tuple(input.shape)})')
    if not number(threshold):
        raise ValueError(f'error_rate: threshold must be a finite number, got {threshold!r}')
    training = model.training
    output = model.eval()(input)
    model.train(training)
    if not output.isfinite().all():
        raise Diverged('diverged: the outputs are not finite')
    if output.shape == target.shape:
        wrong = (output > threshold) != (target > 0.5)
    elif (output.dim() == 2 and output.shape[1] > 1 and target.shape == output.shape[:1]
          and not target.is_floating_point()):
        wrong = output.argmax(1) != target
    else:
        raise ValueError(f'error_rate: output of shape {tuple(output.shape)} and target of shape '
                         f'{tuple(target.shape)} do not match (same shapes, or (N, C) and (N,) class indices)')
    return wrong.sum().item() / input.shape[0]
