"""The handout's data and network, and mini-batch training and evaluation helpers."""
import math

from torch import empty

from .modules import Linear, ReLU, Sequential


def generate_disc_set(nb, dtype=None, device=None):
    """`nb` points uniform in [0, 1]^2 (nb x 2) and their targets (nb x 1): 1 inside the disk
    of centre (0.5, 0.5) and radius 1 / sqrt(2 pi), whose area is 1/2, 0 outside."""
    input = empty(nb, 2, dtype=dtype, device=device).uniform_()
    inside = (input - 0.5).square().sum(1, keepdim=True) < 1 / (2 * math.pi)
    return input, inside.to(input.dtype)


def disc_network(init='he', dtype=None, device=None):
    """The handout's network: two inputs, three hidden ReLU layers of 25 units, one output."""
    return Sequential(Linear(2, 25, init, dtype, device), ReLU(),
                      Linear(25, 25, init, dtype, device), ReLU(),
                      Linear(25, 25, init, dtype, device), ReLU(),
                      Linear(25, 1, init, dtype, device))


def standardiser(train_input):
    """The function that centres and scales inputs by the mean and standard deviation of the
    columns of `train_input`."""
    mean, std = train_input.mean(0), train_input.std(0)
    return lambda input: (input - mean) / std


def shuffled(tensors):
    """The tensors with their rows in one new random order."""
    order = tensors[0].new_empty(tensors[0].shape[0]).uniform_().argsort()
    return [tensor[order] for tensor in tensors]


def train(model, criterion, optimizer, input, target, epochs, batch_size, lr_schedule=None, log_every=0):
    """Trains `model` for `epochs` passes over the data, in mini-batches of a new random order
    each epoch, with the learning rate `lr_schedule(epoch)` (epochs count from 1) if given,
    printing the mean loss every `log_every` epochs (never if 0); returns the list of each
    epoch's mean loss."""
    model.train()
    losses = []
    for epoch in range(1, epochs + 1):
        if lr_schedule:
            optimizer.lr = lr_schedule(epoch)
        input_batches, target_batches = (rows.split(batch_size) for rows in shuffled([input, target]))
        total = 0
        for input_batch, target_batch in zip(input_batches, target_batches):
            total += criterion.forward(model.forward(input_batch), target_batch).item() * input_batch.shape[0]
            optimizer.zero_grad()
            model.backward(criterion.backward())
            optimizer.step()
        losses.append(total / input.shape[0])
        if log_every and epoch % log_every == 0:
            print(f'epoch {epoch:4d} loss {losses[-1]:.5f}', flush=True)
    return losses


def error_rate(model, input, target, threshold=0.5):
    """Fraction of the samples whose output, thresholded, is not their 0/1 target, in
    evaluation mode."""
    model.eval()
    errors = ((model.forward(input) > threshold) != (target > 0.5)).sum().item()
    model.train()
    return errors / input.shape[0]
