"""Batch normalisation (Ioffe and Szegedy, 2015) as torch.nn.BatchNorm1d and BatchNorm2d: in
training mode each channel is normalised by the mean and biased variance of its values in the
batch, and the running statistics move towards them (the variance unbiased); in evaluation
mode the running statistics normalise."""
from torch import empty

from .checks import fraction, number
from .modules import Module


class BatchNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per channel (dimension 1), over the
    other dimensions; running = (1 - momentum) * running + momentum * batch statistic, or the
    cumulative average of the batch statistics if momentum is None."""
    shapes = {}  # number of input dimensions: the shape, in words

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, dtype=None, device=None):
        self.check_sizes(num_features=num_features)
        if not (number(eps) and eps > 0):
            raise ValueError(f'{type(self).__name__}: eps must be a finite number > 0, got {eps!r}')
        if not (momentum is None or fraction(momentum)):
            raise ValueError(f'{type(self).__name__}: momentum must be None or a number in [0, 1], got {momentum!r}')
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.running_mean = empty(num_features, dtype=dtype, device=device).zero_()
        self.running_var = self.running_mean.new_ones(num_features)
        self.num_batches_tracked = self.running_mean.new_zeros(()).long()
        if affine:
            self.weight, self.bias = self.running_mean.new_ones(num_features), self.running_mean.new_zeros(num_features)
            self.weight_grad, self.bias_grad = self.weight.new_zeros(num_features), self.bias.new_zeros(num_features)

    def check(self, input):
        channels = self.running_mean.shape[0]
        if input.dim() not in self.shapes or input.shape[1] != channels:
            expected = ' or '.join(shape.format(C=channels) for shape in self.shapes.values())
            raise ValueError(f'{self} expects input of shape {expected}, got {tuple(input.shape)}')
        if (input.dtype, input.device) != (self.running_mean.dtype, self.running_mean.device):
            raise ValueError(f'{self} holds {self.running_mean.dtype} on {self.running_mean.device}, '
                             f'got input of {input.dtype} on {input.device}')

    def forward(self, input):
        self.check(input)
        axes = [0] + list(range(2, input.dim()))  # all but the channels
        shape = [1, -1] + [1] * (input.dim() - 2)  # per-channel values broadcast over the others
        if self.training:
            count = input.numel() // input.shape[1]
            if count < 2:
                raise ValueError(f'{self}: expected more than 1 value per channel when training, '
                                 f'got input of shape {tuple(input.shape)}')
            mean = input.mean(axes)
            centred = self.scratch('normalised', input, input.shape).copy_(input).sub_(mean.view(shape))
            # biased, as the normalisation uses: the norms along the last axis, squared, need no copy of the input
            var = centred.reshape(input.shape[0], input.shape[1], -1).norm(dim=2).square_().sum(0) / count
            self.num_batches_tracked += 1
            factor = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
            self.running_mean.lerp_(mean, factor)
            self.running_var.lerp_(var * (count / (count - 1)), factor)
        else:
            centred = self.scratch('normalised', input, input.shape).copy_(input).sub_(self.running_mean.view(shape))
            var = self.running_var
        inverse_std = (var + self.eps).rsqrt()
        normalised = centred.mul_(inverse_std.view(shape))
        self.saved = normalised, inverse_std, axes, shape, self.training
        if self.affine:
            return (normalised * self.weight.view(shape)).add_(self.bias.view(shape))
        return normalised

    def backward(self, grad):
        normalised, inverse_std, axes, shape, training = self.recall()
        if grad.shape != normalised.shape:
            raise ValueError(f'{self} expects a gradient of shape {tuple(normalised.shape)}, got {tuple(grad.shape)}')
        product = self.scratch('product', grad, grad.shape).copy_(grad).mul_(normalised)  # g x_hat
        grad_sum, grad_normalised_sum = grad.sum(axes), product.sum(axes)
        if self.affine:
            self.weight_grad.add_(grad_normalised_sum)
            self.bias_grad.add_(grad_sum)
        scale = inverse_std * self.weight if self.affine else inverse_std  # d output / d input at fixed statistics
        if not training:  # the statistics are constants
            return grad * scale.view(shape)
        # the mean and variance depend on the input: dx = scale (g - mean(g) - x_hat mean(g x_hat)), one pass
        count = normalised.numel() // normalised.shape[1]
        return ((grad * scale.view(shape)).addcmul_(normalised, (-scale * grad_normalised_sum / count).view(shape))
                .add_((-scale * grad_sum / count).view(shape)))

    def param(self):
        return [(self.weight, self.weight_grad), (self.bias, self.bias_grad)] if self.affine else []

    def check_state(self, state_dict):
        mean, var, count = (state_dict[name] for name in ('running_mean', 'running_var', 'num_batches_tracked'))
        if not (mean.isfinite().all() and var.isfinite().all() and (var >= 0).all() and count >= 0):
            raise ValueError(f'{self}: running statistics that no data gives (not finite, a negative variance or '
                             'count)')

    def named_tensors(self):
        return ([('weight', self.weight), ('bias', self.bias)] if self.affine else []) + [
            ('running_mean', self.running_mean), ('running_var', self.running_var),
            ('num_batches_tracked', self.num_batches_tracked)]

    def __repr__(self):
        return f'{type(self).__name__}({self.running_mean.shape[0]})'


class BatchNorm1d(BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs."""
    shapes = {2: '(N, {C})', 3: '(N, {C}, L)'}


class BatchNorm2d(BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs."""
    shapes = {4: '(N, {C}, H, W)'}
