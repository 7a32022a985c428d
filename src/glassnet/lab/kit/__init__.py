"""The lab's kit: what every topic trains and measures with, written once.

- `data`: one `Split` (train / validation / test arrays), one `carve` that decides the
  validation rows, the MNIST-1D and 8x8-digits loaders;
- `clock`: one `Clock` (wall and CPU seconds, the same API everywhere);
- `loop`: one textbook training loop, `train_loop`, with hooks before and after the
  update, and the samplers that choose each batch's rows;
- `evaluate`: logits without autograd, cross-entropy and accuracy from them;
- `stats`: mean and spread over seeds, printed one way;
- `machine`: the one-BLAS-thread setting and the load average.

Import the module you need (`from glassnet.lab.kit.loop import train_loop`); this package
file imports nothing, so a kit module never pulls in the others.
"""
