"""Neural style transfer that works offline (Gatys et al. 2016), glass box.

- `losses.py`: content, Gram style and total-variation losses (normalisations stated).
- `gram.py`, `fft_conv.py`: the two ops style transfer leans on, forward and backward.
- `features*.py`: three feature extractors: random multi-scale filter banks (default),
  a random-weight VGG-like stack, and VGG-19 from a converted safetensors file.
- `transfer.py`: the optimisation (L-BFGS or Adam) from a content and a style picture.
- `images.py`: `sample:china`, `sample:flower`, PNG/JPEG in and out, sheets.
- `experiments.py`: reconstructions by depth and the weight sweep, as plain data (for the lab).
"""

from glassnet.style.extractors import make_features
from glassnet.style.features import FeatureExtractor, MultiScaleBanks
from glassnet.style.features_vgg import RandomVGG, VGGFeatures, load_vgg19
from glassnet.style.fft_conv import Conv2dFFT, Spectrum, conv2d_fft, fft_shape, weight_spectrum
from glassnet.style.gram import Gram, gram
from glassnet.style.images import ImageError, load_image, save_image, sheet
from glassnet.style.losses import content_loss, gram_matrix, style_loss, total_variation_loss
from glassnet.style.transfer import Objective, TransferResult, transfer
