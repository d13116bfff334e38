"""EE-559 practical 3: a multi-layer perceptron written from scratch, trained on MNIST.

A 784-50-10 tanh network, trained by full-batch gradient descent on the squared error
to 0.9-scaled one-hot targets, with the forward and backward passes written by hand.

    python practical3_mlp.py                      # the handout: 1,000 steps, every step printed
    python practical3_mlp.py --print-every 100    # the same, printed every 100 steps
    python practical3_mlp.py --per-sample         # the handout's literal loop over the samples
    python practical3_mlp.py --full --print-every 100

The handout's functions below take one sample (vectors), as the handout writes them, or a
batch (one sample per row), whose gradients `backward_pass` sums. The default engine
(`batched_training`) calls them once per step on the whole sets; `--per-sample`
(`per_sample_training`) once per sample, as the handout's loop. Both print the same numbers
to float rounding, which this training amplifies: after some hundred steps the printed
errors of two engines, or of one engine on 1 and on 2 threads, drift apart by points (see
README.md), while their averages over many steps agree (tests/test_practical3.py compares the
engines over 10 steps and averages the test error of the last 100 of 1,000).
"""
import argparse
import collections
import sys

import torch

import dlc_practical_prologue as prologue

######################################################################
# The handout's functions


def sigma(x):
    """The activation, tanh, component-wise."""
    return x.tanh()


def dsigma(x):
    """The derivative of tanh, 1 - tanh(x)^2, component-wise."""
    tanh = x.tanh()
    return 1 - tanh * tanh


def loss(v, t):
    """The squared L2 norm of t - v (summed over every sample of a batch)."""
    return (v - t).pow(2).sum()


def dloss(v, t):
    """The gradient of `loss` with respect to v."""
    return 2 * (v - t)


def forward_pass(w1, b1, w2, b2, x):
    """Return `(x0, s1, x1, s2, x2)`, the inputs, pre-activations and activations of each layer,
    of one sample (vectors) or of a batch (one sample per row)."""
    x0 = x
    s1 = x0.matmul(w1.t()) + b1
    x1 = sigma(s1)
    s2 = x1.matmul(w2.t()) + b2
    x2 = sigma(s2)
    return x0, s1, x1, s2, x2


def as_rows(x):
    """`x` as a matrix of one sample per row (a vector is one sample)."""
    return x.view(-1, x.size(-1))


def backward_pass(w1, b1, w2, b2, t, x, s1, x1, s2, x2, dl_dw1, dl_db1, dl_dw2, dl_db2):
    """Add the gradients of `loss(x2, t)` with respect to w1, b1, w2, b2 into dl_dw1, ..., dl_db2.

    On a batch, what it adds is the sum of its samples' gradients.
    """
    x0 = x
    dl_dx2 = dloss(x2, t)
    dl_ds2 = dsigma(s2) * dl_dx2
    dl_dx1 = dl_ds2.matmul(w2)
    dl_ds1 = dsigma(s1) * dl_dx1

    dl_dw2.addmm_(as_rows(dl_ds2).t(), as_rows(x1))
    dl_db2.add_(dl_ds2.sum_to_size(dl_db2.size()))
    dl_dw1.addmm_(as_rows(dl_ds1).t(), as_rows(x0))
    dl_db1.add_(dl_ds1.sum_to_size(dl_db1.size()))

######################################################################
# Training


def init_parameters(nb_inputs, nb_hidden, nb_outputs, epsilon=1e-6, device='cpu'):
    """`[w1, b1, w2, b2]` drawn from a normal of mean 0 and standard deviation `epsilon`."""
    if min(nb_inputs, nb_hidden, nb_outputs) < 1:
        raise ValueError(f'a network needs at least one unit per layer, got nb_inputs={nb_inputs}, '
                         f'nb_hidden={nb_hidden}, nb_outputs={nb_outputs}')
    sizes = [(nb_hidden, nb_inputs), (nb_hidden,), (nb_outputs, nb_hidden), (nb_outputs,)]
    return [torch.empty(size).normal_(0, epsilon).to(device) for size in sizes]


def propagate(params, input, target, grads=None, per_sample=False):
    """The outputs x2 of every sample of `input`, one per row; with `grads`, add the gradients into them.

    `per_sample` runs the passes on one sample at a time, as the handout's loop; otherwise on
    the whole set at once.
    """
    outputs = []
    for x, t in zip(input, target) if per_sample else [(input, target)]:
        x0, s1, x1, s2, x2 = forward_pass(*params, x)
        if grads is not None:
            backward_pass(*params, t, x0, s1, x1, s2, x2, *grads)
        outputs.append(as_rows(x2))
    return torch.cat(outputs)


class Diverged(ArithmeticError):
    """A training whose outputs are no longer finite."""


def misclassified(output, classes):
    """A boolean per row: is its maximum response (the first, on a tie) off its class? Outputs that are not
    finite have no class: Diverged."""
    if not output.isfinite().all():
        raise Diverged('diverged: the outputs are not finite')
    return output.max(1).indices != classes


def error_rate(output, target):
    """The percentage of rows whose maximum response is not on their target class."""
    return percentage(misclassified(output, target.argmax(1)))


def percentage(flags):
    """The percentage of true values among the booleans `flags`."""
    return 100 * flags.count_nonzero().item() / flags.numel()


def descend(params, grads, eta):
    """Move each parameter by -eta times its gradient, then zero the gradient for the next step."""
    for p, g in zip(params, grads):
        p.sub_(g.mul_(eta))
        g.zero_()


def training(params, train_input, train_target, test_input, test_target, nb_steps, per_sample=False):
    """Run the handout's gradient descent on `params` in place; yield after each step its
    `(step, train loss, train error, test error)`, in %.

    Each step zeroes the gradients, sums them over all the training samples and moves by
    0.1 / (number of training samples) times them. As in the handout, the training loss and
    error are those of the parameters before the step, the test error that of the ones after.
    `per_sample` runs the handout's loop over the samples (`per_sample_training`); otherwise
    the batched engine runs (`batched_training`), which yields the same numbers to float rounding.
    Outputs no longer finite raise Diverged (`misclassified`).
    """
    engine = per_sample_training if per_sample else batched_training
    return engine(params, train_input, train_target, test_input, test_target, nb_steps)


def per_sample_training(params, train_input, train_target, test_input, test_target, nb_steps):
    """`training` as the handout writes it: at each step, `forward_pass` and `backward_pass` on
    one training sample at a time, then `forward_pass` on one test sample at a time."""
    eta = 1e-1 / train_input.size(0)
    grads = [torch.zeros_like(p) for p in params]
    for k in range(nb_steps):
        output = propagate(params, train_input, train_target, grads, per_sample=True)
        descend(params, grads, eta)
        test_output = propagate(params, test_input, test_target, per_sample=True)
        yield k, loss(output, train_target).item(), error_rate(output, train_target), error_rate(test_output, test_target)


def batched_training(params, train_input, train_target, test_input, test_target, nb_steps):
    """`training` with one `forward_pass` and one `backward_pass` a step, on whole sets. The test
    pass after step k and the training pass of step k + 1 see the same parameters: one
    `forward_pass` takes both sets, stacked, and serves both."""
    n = train_input.size(0)
    eta = 1e-1 / n
    grads = [torch.zeros_like(p) for p in params]
    x = torch.cat([train_input, test_input])  # (train + test) x 784, the training samples first
    classes = torch.cat([train_target, test_target]).argmax(1)
    x0, s1, x1, s2, x2 = forward_pass(*params, x)
    wrong = misclassified(x2, classes)
    for k in range(nb_steps):
        train_loss, train_error = loss(x2[:n], train_target).item(), percentage(wrong[:n])
        backward_pass(*params, train_target, x0[:n], s1[:n], x1[:n], s2[:n], x2[:n], *grads)
        descend(params, grads, eta)
        x0, s1, x1, s2, x2 = forward_pass(*params, x)
        wrong = misclassified(x2, classes)
        yield k, train_loss, train_error, percentage(wrong[n:])


def positive_int(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive integer')
    return value


def hidden_units(text):
    """argparse type of --hidden: from 1 to 10,000 units (at 10,000 a step's activations take about 0.5 GB)."""
    value = positive_int(text)
    if value > 10_000:
        raise argparse.ArgumentTypeError(f'{text} hidden units: at most 10000')
    return value


def device_option(text):
    """argparse type of --device: cpu, cuda or cuda:N, CUDA only where it is available."""
    try:
        device = torch.device(text)
    except RuntimeError:
        device = None
    if device is None or device.type not in ('cpu', 'cuda'):
        raise argparse.ArgumentTypeError(f'{text!r} is not a device (cpu, cuda or cuda:N)')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f'{text}: CUDA is not available here')
    return text


def load_mnist(device='cpu', zeta=0.9):
    """The handout's data: normalised MNIST with one-hot targets scaled by `zeta`, on `device`."""
    train_input, train_target, test_input, test_target = prologue.load_data(one_hot_labels=True, normalize=True)
    if not (train_input.isfinite().all() and test_input.isfinite().all()):
        raise prologue.DataUnavailableError(f'MNIST in {prologue.data_dir()}: the normalised images are not finite '
                                            '(training images of standard deviation 0): a damaged copy')
    return [train_input.to(device), zeta * train_target.to(device), test_input.to(device), zeta * test_target.to(device)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, parents=[prologue.parser], conflict_handler='resolve',
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=positive_int, default=1000, help='gradient steps (default 1000)')
    parser.add_argument('--hidden', type=hidden_units, default=50, help='hidden units, 1 to 10000 (default 50)')
    parser.add_argument('--per-sample', action='store_true', help="the handout's loop over the samples (slow)")
    parser.add_argument('--print-every', type=positive_int, default=1,
                        help='print every N steps, and the last one (default 1)')
    parser.add_argument('--device', type=device_option, default='cpu', help='cpu, cuda or cuda:N (default cpu)')
    options = parser.parse_args()
    if options.full and options.tiny:
        parser.error('--full and --tiny exclude each other')

    data = load_mnist(options.device)
    params = init_parameters(data[0].size(1), options.hidden, data[1].size(1), device=options.device)
    last_test_errors = collections.deque(maxlen=100)
    for k, train_loss, train_error, test_error in training(params, *data, options.steps, options.per_sample):
        last_test_errors.append(test_error)
        if k % options.print_every == 0 or k == options.steps - 1:
            print(f'{k:d} acc_train_loss {train_loss:.02f} acc_train_error {train_error:.02f}% '
                  f'test_error {test_error:.02f}%')
    train_error = error_rate(propagate(params, data[0], data[1]), data[1])
    print(f'final after {options.steps} steps: train error {train_error:.2f}%, test error {test_error:.2f}% '
          f'(mean over the last {len(last_test_errors)} steps {sum(last_test_errors) / len(last_test_errors):.2f}%)')


if __name__ == '__main__':
    try:
        main()
    except (prologue.DataUnavailableError, Diverged) as error:
        sys.exit(f'error: {error}')
