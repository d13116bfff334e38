"""The image layers, on (N, C, H, W) tensors: a convolution as one matrix product over the
unfolded windows of its input (im2col), and max pooling."""
import math

from torch import empty

from .modules import Module


def pair(value, name):
    """(value, value) for an int, the pair itself for a pair of ints."""
    if isinstance(value, int):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f'{name} must be an int or a pair of ints, got {value!r}')
    return tuple(value)


def windows(input, kernel_size, stride):
    """The view (N, C, OH, OW, kh, kw) of the kh x kw windows of `input` (N, C, H, W), `stride`
    apart: window (i, j) starts at row i * stride[0], column j * stride[1]."""
    return input.unfold(2, kernel_size[0], stride[0]).unfold(3, kernel_size[1], stride[1])


def add_to_windows(target, values, kernel_size, stride):
    """Adds `values` (N, C, OH, OW, kh, kw) to the windows of `target` (N, C, H, W), where
    windows overlap too (the reverse of `windows`, col2im): one in-place addition per kernel
    row and column along which windows overlap, one for all the others."""
    view = windows(target, kernel_size, stride)
    rows = [slice(i, i + 1) for i in range(kernel_size[0])] if stride[0] < kernel_size[0] else [slice(None)]
    columns = [slice(j, j + 1) for j in range(kernel_size[1])] if stride[1] < kernel_size[1] else [slice(None)]
    for row in rows:
        for column in columns:
            view[..., row, column].add_(values[..., row, column])


def output_size(name, input, kernel_size, stride, padding=(0, 0)):
    """(OH, OW) of the windows of (N, C, H, W) `input`, or an error if the padded input is
    smaller than the kernel."""
    height, width = input.shape[2] + 2 * padding[0], input.shape[3] + 2 * padding[1]
    if height < kernel_size[0] or width < kernel_size[1]:
        raise ValueError(f'{name}: input of shape {tuple(input.shape)} (padded to {height} x {width}) is smaller than '
                         f'the kernel {kernel_size[0]} x {kernel_size[1]}')
    return (height - kernel_size[0]) // stride[0] + 1, (width - kernel_size[1]) // stride[1] + 1


class Conv2d(Module):
    """2-D convolution (cross-correlation, as torch.nn.Conv2d) of weight (out_channels,
    in_channels, kh, kw) and bias (out_channels), zero padding. output[n, o] = bias[o] +
    sum over c, i, j of weight[o, c, i, j] * padded[n, c, stride * y + i, stride * x + j].
    Weight and bias are uniform in +-1/sqrt(in_channels kh kw), torch's default bounds."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=None, device=None):
        self.kernel_size, self.stride, self.padding = (pair(kernel_size, 'kernel_size'), pair(stride, 'stride'),
                                                       pair(padding, 'padding'))
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f'Conv2d: kernel_size {kernel_size} and stride {stride} must be positive, '
                             f'padding {padding} non-negative')
        self.check_sizes(in_channels=in_channels, out_channels=out_channels)
        self.weight = empty(out_channels, in_channels, *self.kernel_size, dtype=dtype, device=device)
        bound = 1 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.weight.uniform_(-bound, bound)
        self.weight_grad = self.weight.new_zeros(self.weight.shape)
        self.bias = self.weight.new_empty(out_channels).uniform_(-bound, bound) if bias else None
        self.bias_grad = self.bias.new_zeros(out_channels) if bias else None

    def forward(self, input):
        self.check_input_kind(input, self.weight)
        out_channels, in_channels, kh, kw = self.weight.shape
        if input.dim() != 4 or input.shape[1] != in_channels:
            raise ValueError(f'{self} expects input of shape (N, {in_channels}, H, W), got {tuple(input.shape)}')
        height, width = output_size(repr(self), input, self.kernel_size, self.stride, self.padding)
        (ph, pw), batch = self.padding, input.shape[0]
        if ph or pw:  # the borders of this buffer stay zero: only its interior is written
            padded_shape = (batch, in_channels, input.shape[2] + 2 * ph, input.shape[3] + 2 * pw)
            padded = self.scratch('padded', input, padded_shape)
            padded[:, :, ph:ph + input.shape[2], pw:pw + input.shape[3]] = input
        else:
            padded = input
        # the windows (N, C, OH, OW, kh, kw) as (N, C kh kw, OH OW), the rows in the order of weight's columns
        columns = self.scratch('columns', input, (batch, in_channels * kh * kw, height * width))
        columns.view(batch, in_channels, kh, kw, height, width).copy_(
            windows(padded, self.kernel_size, self.stride).permute(0, 1, 4, 5, 2, 3))
        self.saved = input.shape, padded.shape, columns, (height, width)
        output = self.weight.view(out_channels, -1).matmul(columns)  # (N, out, OH OW)
        if self.bias is not None:
            output += self.bias.view(1, -1, 1)
        return output.view(batch, out_channels, height, width)

    def backward(self, grad):
        input_shape, padded_shape, columns, size = self.recall()
        out_channels, in_channels, kh, kw = self.weight.shape
        batch, length = columns.shape[0], columns.shape[2]
        if grad.shape != (batch, out_channels, *size):
            raise ValueError(f'{self} expects a gradient of shape {(batch, out_channels, *size)}, '
                             f'got {tuple(grad.shape)}')
        self.check_kind(grad, columns)
        self.consume()  # checked: now spent (a second forward would also have overwritten the columns)
        grad = grad.reshape(batch, out_channels, length)
        # sum over the batch of grad[n] @ columns[n].T, (out, C kh kw)
        self.weight_grad.view(out_channels, -1).addbmm_(grad, columns.transpose(1, 2))
        if self.bias is not None:
            self.bias_grad.add_(grad.sum((0, 2)))
        # weight.T @ grad[n] for each n, (N, C kh kw, OH OW)
        columns_grad = self.scratch('columns_grad', grad, columns.shape).baddbmm_(
            self.weight.view(out_channels, -1).t().expand(batch, -1, -1), grad, beta=0)
        padded_grad = grad.new_zeros(padded_shape)
        add_to_windows(padded_grad, columns_grad.view(batch, in_channels, kh, kw, *size).permute(0, 1, 4, 5, 2, 3),
                       self.kernel_size, self.stride)
        (ph, pw), (height, width) = self.padding, input_shape[2:]
        return padded_grad[:, :, ph:ph + height, pw:pw + width]

    def param(self):
        if self.bias is None:
            return [(self.weight, self.weight_grad)]
        return [(self.weight, self.weight_grad), (self.bias, self.bias_grad)]

    def named_tensors(self):
        return [('weight', self.weight)] + ([] if self.bias is None else [('bias', self.bias)])

    def __repr__(self):
        out_channels, in_channels = self.weight.shape[:2]
        return (f'Conv2d({in_channels}, {out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, '
                f'padding={self.padding})')


class MaxPool2d(Module):
    """The maximum of each kh x kw window, `stride` apart (default: kernel_size), no padding,
    as torch.nn.MaxPool2d: a running maximum over the kh kw strided slices of the input (the
    elements at offset (i, j) of every window). Where several elements of a window share its
    maximum, the gradient goes to the first in row-major order, as torch's CPU kernel does;
    overlapping windows add their gradients."""

    def __init__(self, kernel_size, stride=None):
        self.kernel_size = pair(kernel_size, 'kernel_size')
        self.stride = self.kernel_size if stride is None else pair(stride, 'stride')
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError(f'MaxPool2d: kernel_size {kernel_size} and stride {stride} must be positive')

    def parts(self, input, size):
        """The slices (N, C, OH, OW) of `input`, one per offset (i, j) in the window, row-major, and their offsets."""
        (sh, sw), (height, width) = self.stride, size
        return [((i, j), input[:, :, i:i + sh * (height - 1) + 1:sh, j:j + sw * (width - 1) + 1:sw])
                for i in range(self.kernel_size[0]) for j in range(self.kernel_size[1])]

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f'{self} expects input of shape (N, C, H, W), got {tuple(input.shape)}')
        size = output_size(repr(self), input, self.kernel_size, self.stride)
        parts = self.parts(input, size)
        output = parts[0][1].clone()
        for _, part in parts[1:]:
            output.clamp_(min=part)  # the element-wise maximum, NaN propagating
        self.saved = input, output
        return output

    def backward(self, grad):
        input, output = self.recall()
        if grad.shape != output.shape:
            raise ValueError(f'{self} expects a gradient of shape {tuple(output.shape)}, got {tuple(grad.shape)}')
        # each window's gradient to its first element equal to the maximum: `free` marks the windows not yet served
        covered = (self.stride == self.kernel_size
                   and all(input.shape[d + 2] == output.shape[d + 2] * self.kernel_size[d] for d in range(2)))
        input_grad = grad.new_empty(input.shape) if covered else grad.new_zeros(input.shape)
        free = None
        for (i, j), part in self.parts(input, output.shape[2:]):
            winner = (part == output).to(grad.dtype) if free is None else (part == output) * free
            free = 1 - winner if free is None else free.sub_(winner)
            target = input_grad[:, :, i:i + part.shape[2] * self.stride[0]:self.stride[0],
                                j:j + part.shape[3] * self.stride[1]:self.stride[1]]
            if covered:  # every input element in exactly one window
                target.copy_(grad * winner)
            else:
                target.add_(grad * winner)
        return input_grad

    def __repr__(self):
        return f'MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})'
