"""Classification metrics: accuracy, top-k accuracy, precision / recall / F-beta, confusion matrix.

PyTorch has no metrics; their standard home is `sklearn.metrics`, so the names,
argument names, defaults and results here are scikit-learn's (tested against it).
Inputs are glassnet Tensors, NumPy arrays, torch tensors or lists of *class indices*
0..C-1; wherever a prediction is expected, (N, C) scores (logits or probabilities)
are accepted too and mean their argmax. Everything is counted with `bincount`:

    confusion matrix  M[i, j] = #{samples with true class i predicted as j}
    per class c       tp = M[c, c],  predicted = sum_i M[i, c],  true (support) = sum_j M[c, j]
    precision = tp / predicted,  recall = tp / true,
    F_beta = (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp)
           = (1 + beta^2) tp / (beta^2 true + predicted)

Averages: 'macro' (mean over classes: each class counts the same), 'weighted' (mean
weighted by support), 'micro' (pool tp/predicted/true over classes first: equals
accuracy for single-label multiclass data), None (one value per class), 'binary' (the
class `pos_label` only). A 0/0 becomes `zero_division` (0, 1 or nan; "warn" gives 0
and warns), exactly as in scikit-learn.
"""

from glassnet.metrics.accuracy import accuracy, accuracy_score, top_k_accuracy_score
from glassnet.metrics.confusion import confusion_matrix
from glassnet.metrics.precision_recall import (
    AVERAGES,
    UndefinedMetricWarning,
    f1_score,
    fbeta_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from glassnet.metrics.report import classification_report

__all__ = [
    "AVERAGES",
    "UndefinedMetricWarning",
    "accuracy",
    "accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "top_k_accuracy_score",
]
