"""The losses: `forward(prediction, target)` returns the mean loss as a 0-dimensional tensor,
`backward()` the gradient of that mean with respect to the prediction."""
from .modules import Module


class Loss(Module):
    """A loss: prediction and target must have the same shape."""

    def check(self, prediction, target):
        if prediction.shape != target.shape:
            raise ValueError(f'{type(self).__name__}: prediction of shape {tuple(prediction.shape)} '
                             f'and target of shape {tuple(target.shape)} differ')


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
