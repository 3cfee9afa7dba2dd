"""nn: neurons, layers and MLPs built on autograd_lite (see the nn issue)."""

from . import datasets as datasets
