"""scaled_dot_product_attention: torch parity (forward and every gradient), gradcheck, dropout
through an injected mask, and errors."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from glassnet.ops.attention import attention
from helpers import assert_gradcheck, assert_parity

R = numpy.random.default_rng(3)
Q, K, V = (
    R.standard_normal((2, 3, 4, 5)),
    R.standard_normal((2, 3, 6, 5)),
    R.standard_normal((2, 3, 6, 7)),
)
BOOL = R.random((3, 4, 6)) > 0.4
BOOL[1, 2] = (
    False  # a query that may attend to nothing: weights and output 0 (torch's safe softmax)
)

SDPA = {
    "plain": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
        [Q, K, V],
    ),
    "unbatched": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
        [Q[0, 0], K[0, 0], V[0, 0]],
    ),
    "float_mask_gets_gradient": (
        lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=m
        ),
        [Q, K, V, R.standard_normal((4, 6))],
    ),
    "float_mask_per_batch": (
        lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, m),
        [Q, K, V, R.standard_normal((2, 1, 4, 6))],
    ),
    "bool_mask": (
        lambda lib, q, k, v, m: lib.nn.functional.scaled_dot_product_attention(q, k, v, m),
        [Q, K, V, BOOL],
    ),
    "causal": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, is_causal=True
        ),
        [Q, K, V],
    ),
    "causal_square": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(
            q, k, v, is_causal=True
        ),
        [Q, K[:, :, :4], V[:, :, :4]],
    ),
    "scale": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, scale=0.3),
        [Q, K, V],
    ),
    "broadcast_heads": (
        lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v),
        [Q, K[:, :1], V[:, :1]],
    ),
}


@pytest.mark.parametrize("name", SDPA)
def test_sdpa_matches_torch(name):
    fn, arrays = SDPA[name]
    assert_parity(fn, arrays)
    assert_parity(fn, arrays, dtype="float32")


@pytest.mark.parametrize("name", SDPA)
def test_sdpa_gradcheck(name):
    fn, arrays = SDPA[name]
    assert_gradcheck(fn, arrays)


KEEP = R.random((2, 3, 4, 6)) > 0.25


def _dropped(lib, q, k, v, p=0.25):
    """glassnet's attention with an injected keep-mask, and torch's math written out with the same mask."""
    if lib is glassnet:
        return attention(q, k, v, dropout_p=p, dropout_mask=KEEP)
    weights = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
    dropped = weights * torch.tensor(KEEP) / (1 - p)
    return dropped @ v, dropped


def test_dropout_through_an_injected_mask_matches_torchs_math():
    assert_parity(_dropped, [Q, K, V])
    assert_gradcheck(lambda lib, q, k, v: _dropped(lib, q, k, v)[0], [Q, K, V])


def test_sdpa_dropout_draws_from_glassnets_generator():
    q, k, v = (glassnet.tensor(a) for a in (Q, K, numpy.ones((2, 3, 6, 7))))
    glassnet.manual_seed(0)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).data
    glassnet.manual_seed(0)
    numpy.testing.assert_array_equal(
        first, F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).data
    )
    _, weights = attention(q, k, v, dropout_p=0.5)
    assert 0.3 < (weights.data == 0).mean() < 0.7  # about half of the weights dropped
    assert not numpy.allclose(first, F.scaled_dot_product_attention(q, k, v).data)


def test_fully_masked_query_gives_zero_output_and_no_gradient():
    q = glassnet.tensor(Q, requires_grad=True)
    out = F.scaled_dot_product_attention(
        q, glassnet.tensor(K), glassnet.tensor(V), glassnet.tensor(BOOL)
    )
    assert not out.data[:, 1, 2].any()
    out.sum().backward()
    assert not q.grad.data[:, 1, 2].any()


ERRORS = [
    (
        lambda: F.scaled_dot_product_attention(
            glassnet.ones(2, 3, 4), glassnet.ones(2, 5, 3), glassnet.ones(2, 5, 2)
        ),
        r"query \(\.\.\., L, E\), key \(\.\.\., S, E\) and value",
    ),
    (
        lambda: F.scaled_dot_product_attention(
            glassnet.ones(2, 3), glassnet.ones(4, 3), glassnet.ones(4, 2), glassnet.ones(3, 3)
        ),
        r"attn_mask shape \(3, 3\) does not broadcast to the attention weights' shape \(2, 4\)",
    ),
    (
        lambda: F.scaled_dot_product_attention(
            glassnet.ones(2, 3),
            glassnet.ones(4, 3),
            glassnet.ones(4, 2),
            glassnet.ones(2, 4),
            is_causal=True,
        ),
        r"give either attn_mask or is_causal=True, not both",
    ),
    (
        lambda: F.scaled_dot_product_attention(
            glassnet.ones(2, 3), glassnet.ones(4, 3), glassnet.ones(4, 2), dropout_p=1.0
        ),
        r"dropout_p must be in \[0, 1\)",
    ),
    (
        lambda: F.scaled_dot_product_attention(
            glassnet.ones(2, 3), glassnet.ones(4, 3), glassnet.ones(4, 2), enable_gqa=True
        ),
        r"enable_gqa=True is not supported",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises(ValueError, match=pattern):
        call()
