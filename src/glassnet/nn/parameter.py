"""`Parameter`: a Tensor that a Module registers as one of its learnable weights.

Assigning a Parameter to a Module attribute (`self.weight = Parameter(...)`) is what
puts it into `module.parameters()`, the list an optimiser updates and `state_dict()`
saves. Apart from that it is an ordinary leaf Tensor that requires grad by default.
"""

from __future__ import annotations

from typing import Any

from glassnet.tensor import Tensor, to_array


class Parameter(Tensor):
    """A leaf Tensor registered by the Module it is assigned to; `requires_grad=True` by default.

    `Parameter(tensor)` shares the tensor's array (no copy), as in PyTorch; a tensor
    that is part of a graph is detached first. `Parameter()` holds an empty tensor.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = to_array([], None, "Parameter")
        elif isinstance(data, Tensor):
            array = data.data
        else:
            array = to_array(data, None, "Parameter")
        if requires_grad and array.dtype.kind != "f":
            raise RuntimeError(
                f"Parameter: only floating point tensors can require gradients, got dtype {array.dtype}; "
                "pass requires_grad=False for an integer parameter"
            )
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
