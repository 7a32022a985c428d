"""Regenerate `torch_2_13.py`, the frozen table of PyTorch signatures: `python tests/signatures/generate.py`.

Python-level torch functions give their signature to `inspect`; builtins give it in
the first line of their docstring (which may continue on the next lines).
"""

from __future__ import annotations

import pprint
import re
import sys
from pathlib import Path

import torch
import torch.nn.functional

sys.path.insert(0, str(Path(__file__).parent))
from parse import describe, parse

TORCH_NAMES = """add sub mul div neg pow exp log sqrt abs clamp clip maximum minimum where eq ne lt le gt ge
sum mean prod var std max min argmax argmin logsumexp matmul mm bmm reshape transpose permute flatten squeeze
unsqueeze cat stack split chunk unbind broadcast_to t tensor as_tensor from_numpy zeros ones empty full arange
linspace eye zeros_like ones_like empty_like full_like rand randn randint randperm rand_like randn_like
sigmoid tanh result_type
square reciprocal rsqrt sin cos log1p expm1 lerp nan_to_num floor ceil trunc sign round isnan isinf isfinite
logical_and logical_or logical_xor logical_not all any sort argsort topk gather scatter scatter_add index_select
cumsum cumprod tile roll flip tril triu einsum outer amax amin norm clone tan sinh cosh asin acos atan log2 log10
exp2 erf narrow select masked_select repeat_interleave nonzero argwhere fmod remainder diag diff addmm baddbmm
kthvalue median unique index_add atan2 float_power nansum index_copy""".split()

FUNCTIONAL_NAMES = """sigmoid tanh relu leaky_relu elu gelu silu softplus prelu hardtanh softmax log_softmax linear
conv1d conv2d max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool1d adaptive_avg_pool2d dropout
batch_norm layer_norm group_norm embedding pad cross_entropy nll_loss mse_loss l1_loss smooth_l1_loss
binary_cross_entropy binary_cross_entropy_with_logits kl_div one_hot
conv_transpose1d conv_transpose2d interpolate pixel_shuffle pixel_unshuffle unfold fold relu6 selu celu mish
hardswish hardsigmoid glu logsigmoid softmin normalize cosine_similarity pairwise_distance instance_norm
huber_loss margin_ranking_loss triplet_margin_loss scaled_dot_product_attention""".split()


def torch_signatures(function, name: str) -> list[list]:
    """Every overload: inspect's signature, else each `name(...)` line of the docstring."""
    try:
        described = describe(function)
        if not any(kind == "varargs" and pname == "args" for pname, kind, _ in described):
            return [described]
    except (ValueError, TypeError):
        pass
    overloads = []
    lines = (function.__doc__ or "").splitlines()
    for index, line in enumerate(lines):
        following = iter(lines[index + 1 :])
        while line.count("(") > line.count(")"):  # a signature continued on the next lines
            line += " " + next(following, ")").strip()
        line = line.strip().removeprefix(".. function::").strip().rstrip(":")
        if re.match(rf"{name}\(.*\)", line):
            signature = parse(line)
            if not all(pname.isidentifier() for pname, _, _ in signature):
                continue  # an example such as tensor([0, 1]), not a signature
            if signature not in overloads:
                overloads.append(signature)
    if not overloads:
        raise LookupError(f"no signature for {name}")
    return overloads


def build() -> dict[str, list]:
    table = {}
    for name in TORCH_NAMES:
        table[f"torch.{name}"] = torch_signatures(getattr(torch, name), name)
    for name in FUNCTIONAL_NAMES:
        table[f"torch.nn.functional.{name}"] = torch_signatures(
            getattr(torch.nn.functional, name), name
        )
    return table


if __name__ == "__main__":
    target = Path(__file__).with_name("torch_2_13.py")
    body = pprint.pformat(build(), width=110, sort_dicts=False)
    target.write_text(
        f'"""PyTorch {torch.__version__} signatures, every documented overload: (name, kind, default). Made by generate.py; do not edit."""\n\n'
        f"SIGNATURES = {body}\n"
    )
    print(f"wrote {target}")
