"""Project 2 (issue 20): every optimiser and scheduler against torch.optim step by step, the
optimisers' state dicts, early stopping and the validation split.

Optimisers: both sides start from the same float64 weights and, at every step, get the same
gradients (the framework's, copied into the torch parameters' .grad), so that only the update
rules are compared. The parameters must agree after every step to 1e-12 relative to their
largest value: float64 rounds at 1.1e-16 per operation and the two sides order a few of their
operations differently (Adam's bias corrections, the divisions by the roots), which over 12
steps stays well below 1e-13, while any difference in a rule moves the parameters by a
fraction of the learning rate (1e-4 or more here)."""
import math

import pytest
import torch

from benchmarks.references import torch_twin
from proj2 import framework
from proj2.disc import disc_network, generate_disc_set
from proj2.framework import EarlyStopping, LossCrossEntropy, LossMSE, Sequential, train, validation_split

DOUBLE = torch.float64


def small_convnet():
    return Sequential(framework.Conv2d(1, 3, 3, dtype=DOUBLE), framework.BatchNorm2d(3, dtype=DOUBLE),
                      framework.ReLU(), framework.MaxPool2d(2), framework.Flatten(),
                      framework.Linear(12, 4, dtype=DOUBLE))


OPTIMISERS = {
    'sgd': dict(lr=0.05),
    'sgd-momentum-dampening-decay': dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    'sgd-nesterov': dict(lr=0.05, momentum=0.8, nesterov=True),
    'adam': dict(lr=0.01),
    'adam-amsgrad-decay': dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True),
    'rmsprop': dict(),
    'rmsprop-centered-momentum-decay': dict(lr=0.001, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1),
    'adagrad': dict(),
    'adagrad-decays-initial': dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2),
    'adadelta': dict(),
    'adadelta-settings': dict(lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.1),
}
CLASSES = {'sgd': 'SGD', 'adam': 'Adam', 'rmsprop': 'RMSprop', 'adagrad': 'Adagrad', 'adadelta': 'Adadelta'}


@pytest.mark.parametrize('name', OPTIMISERS)
def test_optimisers_follow_torch_optim_step_by_step(name):
    torch.manual_seed(0)
    settings, kind = OPTIMISERS[name], CLASSES[name.split('-')[0]]
    model = small_convnet()
    twin = torch_twin(model)
    optimizer = getattr(framework, kind)(model.param(), **settings)
    reference = getattr(torch.optim, kind)(twin.parameters(), **settings)
    criterion = LossCrossEntropy()
    start = [parameter.clone() for parameter, _ in model.param()]
    for step in range(12):
        input, target = torch.randn(8, 1, 6, 6, dtype=DOUBLE), torch.randint(0, 4, (8,))
        criterion(model(input), target)
        optimizer.zero_grad()
        model.backward(criterion.backward())
        optimizer.step()
        for (_, grad), parameter in zip(model.param(), twin.parameters()):
            parameter.grad = grad.clone()
        reference.step()
        for (parameter, _), expected in zip(model.param(), twin.parameters()):
            expected = expected.detach()
            assert (parameter - expected).abs().max() <= 1e-12 * expected.abs().max(), (name, step)
    assert max((parameter - old).abs().max() for (parameter, _), old in zip(model.param(), start)) > 1e-3


def test_optimiser_defaults_are_torch_optim_defaults():
    model = disc_network()
    for kind in CLASSES.values():
        ours, theirs = getattr(framework, kind)(model.param()), getattr(torch.optim, kind)([torch.zeros(1)])
        for setting, value in ours.hyperparameters.items():
            expected = theirs.defaults[setting]
            assert value == (tuple(expected) if isinstance(expected, tuple) else expected), (kind, setting)


SCHEDULERS = {
    'step': (lambda o: framework.StepLR(o, step_size=4, gamma=0.5),
             lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5)),
    'exponential': (lambda o: framework.ExponentialLR(o, gamma=0.9),
                    lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    'cosine': (lambda o: framework.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
               lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    'lambda-time-decay': (lambda o: framework.LambdaLR(o, lambda epoch: 1 / (1 + 0.5 * epoch)),
                          lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda epoch: 1 / (1 + 0.5 * epoch))),
}
# a validation loss that falls, stalls, falls by less than the threshold, rises: each rule of ReduceLROnPlateau acts
METRICS = [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.69999, 0.6, 0.6, 0.6, 0.6, 0.61, 0.62, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
PLATEAUS = [dict(), dict(patience=2), dict(patience=1, cooldown=2, factor=0.5, min_lr=0.004),
            dict(mode='max', patience=2, threshold=0.05, threshold_mode='abs'),
            dict(patience=0, threshold=0.2, threshold_mode='rel', eps=0.05)]


def test_schedulers_follow_torch_lr_scheduler_epoch_by_epoch():
    """StepLR, ExponentialLR, LambdaLR and ReduceLROnPlateau compute as torch does, exactly; CosineAnnealingLR
    by its closed form, where torch recurs on the previous rate: to 1e-12 relative."""
    model = disc_network()
    for name, (make, make_reference) in SCHEDULERS.items():
        optimizer = framework.SGD(model.param(), lr=0.1)
        reference_optimizer = torch.optim.SGD([torch.zeros(1)], lr=0.1)
        scheduler, reference = make(optimizer), make_reference(reference_optimizer)
        for epoch in range(30):
            tolerance = 1e-12 if name == 'cosine' else 0
            assert scheduler.get_last_lr() == pytest.approx(reference.get_last_lr(), rel=tolerance)
            reference_optimizer.step()
            scheduler.step()
            reference.step()
    for settings in PLATEAUS:
        optimizer = framework.SGD(model.param(), lr=0.1)
        reference_optimizer = torch.optim.SGD([torch.zeros(1)], lr=0.1)
        scheduler = framework.ReduceLROnPlateau(optimizer, **settings)
        reference = torch.optim.lr_scheduler.ReduceLROnPlateau(reference_optimizer, **settings)
        lrs = []
        for metric in METRICS:
            scheduler.step(metric)
            reference.step(metric)
            lrs.append(optimizer.lr)
            assert optimizer.lr == reference_optimizer.param_groups[0]['lr'], (settings, lrs)
        assert len(set(lrs)) > 1 or settings == {}, settings


def disc_data(size=200):
    input, target = generate_disc_set(size, dtype=DOUBLE)
    return framework.standardiser(input)(input), target


def test_train_steps_a_scheduler_each_epoch():
    torch.manual_seed(0)
    model = disc_network(dtype=DOUBLE)
    optimizer = framework.SGD(model.param(), lr=0.01)
    train(model, LossMSE(), optimizer, *disc_data(), 7, 50, scheduler=framework.StepLR(optimizer, 3, gamma=0.5))
    assert optimizer.lr == 0.01 * 0.5 * 0.5
    plateau = framework.ReduceLROnPlateau(optimizer, patience=0, threshold=0.9)  # no epoch improves by 90%
    train(model, LossMSE(), optimizer, *disc_data(), 2, 50, scheduler=plateau)
    assert optimizer.lr == pytest.approx(0.0025 * 0.1)


def test_optimiser_state_dict_resumes_a_training(tmp_path):
    """Three steps, state saved with torch.save, a fresh model and optimiser loaded: three more steps on both
    give the same weights."""
    torch.manual_seed(0)
    input, target = disc_data()
    criterion = LossMSE()

    def steps(model, optimizer, count):
        for _ in range(count):
            criterion(model(input), target)
            optimizer.zero_grad()
            model.backward(criterion.backward())
            optimizer.step()

    for kind, settings in [('Adam', dict(lr=0.01, amsgrad=True)), ('SGD', dict(lr=0.01, momentum=0.9)),
                           ('RMSprop', dict(centered=True)), ('Adagrad', dict()), ('Adadelta', dict())]:
        model = disc_network(dtype=DOUBLE)
        optimizer = getattr(framework, kind)(model.param(), **settings)
        steps(model, optimizer, 3)
        torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict()}, tmp_path / 'checkpoint.pt')
        resumed = disc_network(dtype=DOUBLE)
        resumed_optimizer = getattr(framework, kind)(resumed.param(), **settings)
        checkpoint = torch.load(tmp_path / 'checkpoint.pt')
        resumed.load_state_dict(checkpoint['model'])
        resumed_optimizer.load_state_dict(checkpoint['optimizer'])
        steps(model, optimizer, 3)
        steps(resumed, resumed_optimizer, 3)
        for name, tensor in model.state_dict().items():
            assert torch.equal(resumed.state_dict()[name], tensor), (kind, name)
    with pytest.raises(ValueError, match='state dict with keys'):
        framework.SGD(model.param()).load_state_dict(optimizer.state_dict())


def test_early_stopping_stops_and_restores_the_best_weights():
    """Validated on the opposite labels, the loss is best after the first few epochs and then rises: training
    stops `patience` epochs after the best one and ends with its weights."""
    torch.manual_seed(0)
    input, target = disc_data(400)
    (train_input, train_target), (validation_input, validation_target) = validation_split(input, target, 0.25)
    assert train_input.shape == (300, 2) and validation_target.shape == (100, 1)
    model = disc_network(dtype=DOUBLE)
    criterion = LossMSE()
    stopping = EarlyStopping(validation_input, 1 - validation_target, patience=3)
    losses = train(model, criterion, framework.Adam(model.param(), lr=0.01), train_input, train_target, 50, 20,
                   early_stopping=stopping)
    assert stopping.best_epoch <= 3 and len(losses) == len(stopping.losses) == stopping.best_epoch + 3
    assert stopping.losses[stopping.best_epoch - 1] == min(stopping.losses) < stopping.losses[-1]
    model.eval()
    assert criterion(model(validation_input), 1 - validation_target).item() == stopping.best_loss


def test_early_stopping_on_a_real_split_keeps_the_best_of_all_epochs():
    torch.manual_seed(1)
    input, target = disc_data(400)
    (train_input, train_target), validation = validation_split(input, target)
    model = disc_network(dtype=DOUBLE)
    stopping = EarlyStopping(*validation, patience=5)
    losses = train(model, LossMSE(), framework.SGD(model.param(), lr=0.05, momentum=0.9), train_input, train_target,
                   40, 10, early_stopping=stopping)
    assert stopping.best_epoch + 5 == len(losses) < 40  # stopped early, the last epochs worse than the best
    assert stopping.best_loss == min(stopping.losses) and math.isfinite(stopping.best_loss)
    model.eval()
    assert LossMSE()(model(validation[0]), validation[1]).item() == stopping.best_loss
