"""The machine line that each benchmark prints first: an absolute time means nothing without it."""
import platform

import torch


def cpu_model():
    """The CPU's model name, as lscpu prints it (read from /proc/cpuinfo), else what platform knows."""
    try:
        with open('/proc/cpuinfo') as f:
            names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
    except OSError:
        names = []
    return names[0] if names else platform.processor() or 'unknown CPU'


def machine_line():
    """CPU model, torch's thread count and version, and the GPU when there is one."""
    gpu = f', GPU {torch.cuda.get_device_name()}' if torch.cuda.is_available() else ''
    return f'{cpu_model()}, {torch.get_num_threads()} threads, torch {torch.__version__}{gpu}'
