"""A grader's stand-in for torchvision's CIFAR10: random images through the given transform, each call recorded.
`FakeCIFAR10` is found only where `root` holds a cifar-10-batches-py folder, as torchvision's class;
`FakeCIFAR10Anywhere` needs nothing on disk."""
import os

import torch
from PIL import Image


class FakeCIFAR10(torch.utils.data.Dataset):
    calls = []

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        FakeCIFAR10.calls.append((root, train, download))
        if not self.found(root):
            raise RuntimeError('Dataset not found or corrupted.')
        generator = torch.Generator().manual_seed(int(train))
        self.images = torch.randint(0, 256, (300 if train else 100, 32, 32, 3), dtype=torch.uint8,
                                    generator=generator).numpy()
        self.labels = torch.randint(0, 10, (len(self.images),), generator=generator).tolist()
        self.transform = transform

    @staticmethod
    def found(root):
        return os.path.isdir(os.path.join(root, 'cifar-10-batches-py'))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.transform(Image.fromarray(self.images[index])), self.labels[index]


class FakeCIFAR10Anywhere(FakeCIFAR10):
    @staticmethod
    def found(root):
        return True
