"""The losses: `forward(prediction, target)` returns the mean loss as a 0-dimensional tensor,
`backward()` the gradient of that mean with respect to the prediction."""
from .modules import Module


def check_tensors(name, **tensors):
    """A ValueError naming the first of `tensors` (name=value) that is not a tensor."""
    for argument, value in tensors.items():
        if not hasattr(value, 'is_floating_point'):
            raise ValueError(f'{name}: {argument} must be a tensor, got {type(value).__name__}')


class Loss(Module):
    """A loss: prediction and target must be tensors of the same shape."""

    def check(self, prediction, target):
        check_tensors(type(self).__name__, prediction=prediction, target=target)
        if prediction.shape != target.shape:
            raise ValueError(f'{type(self).__name__}: prediction of shape {tuple(prediction.shape)} '
                             f'and target of shape {tuple(target.shape)} differ')
        if prediction.numel() == 0:
            raise ValueError(f'{type(self).__name__}: empty batch (prediction of shape {tuple(prediction.shape)})')


class LossMSE(Loss):
    """Mean over all elements of (prediction - target)^2."""

    def forward(self, prediction, target):
        self.check(prediction, target)
        self.saved = prediction - target
        return self.saved.square().mean()

    def backward(self):
        difference = self.recall()
        return difference * (2 / difference.numel())


class LossBCE(Loss):
    """Binary cross-entropy on logits x with targets t in [0, 1]: the mean of
    log(1 + exp(x)) - t x, computed as max(x, 0) - t x + log(1 + exp(-|x|)) so that no
    exponential overflows."""

    def forward(self, logits, target):
        self.check(logits, target)
        self.saved = logits, target
        return (logits.clamp(min=0) - logits * target + logits.abs().neg_().exp_().log1p_()).mean()

    def backward(self):
        logits, target = self.recall()
        return (logits.sigmoid() - target) / logits.numel()


class LossCrossEntropy(Loss):
    """Cross-entropy on logits (N, C) as torch's cross_entropy: the mean over the samples of
    log(sum_k exp(x_k)) - x_target for integer class targets (N,), or of
    -sum_k t_k log softmax(x)_k for class probabilities t (N, C). The log-sum-exp is taken
    after subtracting each row's maximum, so that no exponential overflows."""

    def forward(self, logits, target):
        check_tensors('LossCrossEntropy', logits=logits, target=target)
        if logits.dim() != 2 or logits.shape[0] == 0:
            raise ValueError(f'LossCrossEntropy: logits of shape (N, C) with N > 0 expected, got {tuple(logits.shape)}')
        shifted = logits - logits.max(1, keepdim=True).values
        log_probabilities = shifted - shifted.exp().sum(1, keepdim=True).log()  # (N, C)
        if target.shape == logits.shape and target.is_floating_point():
            self.saved = log_probabilities, target
            return -(log_probabilities * target).sum() / logits.shape[0]
        if target.shape != logits.shape[:1] or target.is_floating_point():
            raise ValueError(f'LossCrossEntropy: targets of shape ({logits.shape[0]},) (class indices) or '
                             f'{tuple(logits.shape)} (probabilities) expected for logits of shape '
                             f'{tuple(logits.shape)}, got {tuple(target.shape)} of {target.dtype}')
        if target.min() < 0 or target.max() >= logits.shape[1]:
            raise ValueError(f'LossCrossEntropy: class indices in [0, {logits.shape[1]}) expected, got '
                             f'{target.min().item()} to {target.max().item()}')
        one_hot = logits.new_zeros(logits.shape).scatter_(1, target.view(-1, 1), 1)
        self.saved = log_probabilities, one_hot
        return -log_probabilities.gather(1, target.view(-1, 1)).mean()

    def backward(self):
        log_probabilities, target = self.recall()
        # d/dx of -sum_k t_k log softmax(x)_k is softmax(x) sum_k t_k - t
        return (log_probabilities.exp() * target.sum(1, keepdim=True) - target) / log_probabilities.shape[0]
