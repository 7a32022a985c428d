"""einsum and outer: sums of products named by subscripts.

y = einsum("ij,jk->ik", A, B) multiplies every pair of entries whose shared letters
agree and sums over the letters missing from the output. Its gradient with respect
to one operand is the same kind of sum: the output gradient times every other
operand, summed down to that operand's letters, e.g. dL/dA = einsum("ik,jk->ij",
dL/dy, B). A letter only that operand holds was summed away in the forward, so its
gradient is broadcast back along it; a size-1 dim that broadcast against a longer one
(as in PyTorch and NumPy) gets the sum of the gradient along it.
"""

from __future__ import annotations

import string
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote
from glassnet.tensor import Tensor


class Einsum(Function):
    """y = einsum(equation, *x);  dL/dx_k = einsum(output and the other operands' letters
    -> x_k's letters) of dL/dy and the other x_j, broadcast along letters only x_k holds."""

    def forward(self, *operands: Array, inputs: list[str], output: str) -> Array:
        self.letters, self.output = inputs, output
        self.save(*operands)
        return self.xp.asarray(self.xp.einsum(f"{','.join(inputs)}->{output}", *operands))

    def backward(self, grad: Array) -> tuple[Array | None, ...]:
        operands, xp = self.saved, self.xp
        grads: list[Array | None] = []
        for k, (letters, operand) in enumerate(zip(self.letters, operands)):
            if not self.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(self.letters[j], operands[j]) for j in range(len(operands)) if j != k]
            known = set(self.output).union(*(set(s) for s, _ in others))
            kept = "".join(letter for letter in letters if letter in known)
            terms = [self.output] + [s for s, _ in others]
            partial = xp.einsum(f"{','.join(terms)}->{kept}", grad, *(a for _, a in others))
            own = [operand.shape[letters.index(letter)] for letter in kept]
            widened = tuple(i for i, n in enumerate(own) if n == 1 and partial.shape[i] != 1)
            partial = partial.sum(axis=widened, keepdims=True) if widened else partial
            shape = [operand.shape[i] if letter in known else 1 for i, letter in enumerate(letters)]
            grads.append(xp.broadcast_to(partial.reshape(shape), operand.shape).copy())
        return tuple(grads)


def _explicit(equation: str, ranks: list[int]) -> tuple[list[str], str]:
    """The equation with '...' spelled out as letters and the output made explicit."""
    equation = equation.replace(" ", "")
    left, arrow, right = equation.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(ranks):
        raise ValueError(
            f"einsum: the equation {equation!r} names {len(inputs)} operands, got {len(ranks)}"
        )
    unused = [c for c in string.ascii_letters if c not in equation]
    ellipsis = max(
        (rank - len(s.replace("...", "")) for s, rank in zip(inputs, ranks) if "..." in s),
        default=0,
    )
    spelled = "".join(unused[:ellipsis])
    for position, (letters, rank) in enumerate(zip(inputs, ranks)):
        if "..." in letters:
            own = rank - len(letters.replace("...", ""))
            letters = letters.replace("...", spelled[ellipsis - own :] if own else "")
        if len(letters) != rank or not letters.isalpha():
            raise ValueError(
                f"einsum: subscripts {inputs[position]!r} do not fit operand {position} with {rank} dims"
            )
        inputs[position] = letters
    if arrow:
        output = right.replace("...", spelled)
    else:
        counts = {c: sum(s.count(c) for s in inputs) for c in set("".join(inputs))}
        output = spelled + "".join(
            sorted(c for c, n in counts.items() if n == 1 and c not in spelled)
        )
    return inputs, output


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the letters of `equation` ("ij,jk->ik" is a matrix product).

    The operands may also be given as one list, as torch.einsum allows. A letter repeated
    inside one operand (a diagonal, "ii->i") is not supported.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = list(promote(*operands))
    inputs, output = _explicit(equation, [t.ndim for t in tensors])
    for letters in inputs:
        if len(set(letters)) != len(letters):
            raise ValueError(
                f"einsum: a letter repeated inside one operand ({letters!r} in {equation!r}) "
                "is not supported"
            )
    for position, letters in enumerate(inputs):
        for letter, size in zip(letters, tensors[position].shape):
            for other, other_letters in enumerate(inputs):
                if letter in other_letters:
                    other_size = tensors[other].shape[other_letters.index(letter)]
                    if other_size != size and 1 not in (size, other_size):  # size 1 broadcasts
                        raise ValueError(
                            f"einsum: letter {letter!r} has size {size} in operand {position} "
                            f"but {other_size} in operand {other} ({equation!r})"
                        )
    return Einsum.apply(*tensors, inputs=inputs, output=output)


class Outer(Function):
    """y_ij = a_i b_j;  dL/da_i = sum_j dL/dy_ij b_j,  dL/db_j = sum_i dL/dy_ij a_i."""

    def forward(self, a: Array, b: Array) -> Array:
        self.save(a, b)
        return self.xp.multiply.outer(a, b)

    def backward(self, grad: Array) -> tuple[Array, Array]:
        a, b = self.saved
        return grad @ b, a @ grad


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors: (n,) x (m,) -> (n, m)."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise ValueError(
            f"outer: both inputs must be 1-D, got shapes {input.shape} and {vec2.shape}"
        )
    a, b = promote(input, vec2)
    return Outer.apply(a, b)


__all__ = ["einsum", "outer"]

Tensor.define_methods(outer=outer, ger=outer)
