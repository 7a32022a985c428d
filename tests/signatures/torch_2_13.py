"""PyTorch 2.13.0+cpu signatures, every documented overload: (name, kind, default). Made by generate.py; do not edit."""

SIGNATURES = {
    "torch.add": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ]
    ],
    "torch.sub": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ]
    ],
    "torch.mul": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.div": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("rounding_mode", "keyword", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.neg": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.pow": [
        [
            ("input", "positional", "<required>"),
            ("exponent", "positional", "<required>"),
            ("out", "keyword", None),
        ],
        [
            ("self", "positional", "<required>"),
            ("exponent", "positional", "<required>"),
            ("out", "keyword", None),
        ],
    ],
    "torch.exp": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.log": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.sqrt": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.abs": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.clamp": [
        [
            ("input", "positional", "<required>"),
            ("min", "positional", None),
            ("max", "positional", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.clip": [
        [
            ("input", "positional", "<required>"),
            ("min", "positional", None),
            ("max", "positional", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.maximum": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.minimum": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.where": [
        [
            ("condition", "positional", "<required>"),
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ],
        [("condition", "positional", "<required>")],
    ],
    "torch.eq": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.ne": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.lt": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.le": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.gt": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.ge": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.sum": [
        [("input", "positional", "<required>"), ("dtype", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("dtype", "keyword", None),
        ],
    ],
    "torch.mean": [
        [("input", "positional", "<required>"), ("dtype", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("dtype", "keyword", None),
            ("out", "keyword", None),
        ],
    ],
    "torch.prod": [
        [("input", "positional", "<required>"), ("dtype", "keyword", "<required>")],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("dtype", "keyword", None),
        ],
    ],
    "torch.var": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("correction", "keyword", 1),
            ("keepdim", "keyword", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.std": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("correction", "keyword", 1),
            ("keepdim", "keyword", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.max": [
        [("input", "positional", "<required>"), ("out", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ],
    ],
    "torch.min": [
        [("input", "positional", "<required>"), ("out", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ],
    ],
    "torch.argmax": [
        [("input", "positional", "<required>")],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
        ],
    ],
    "torch.argmin": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("keepdim", "positional", False),
        ]
    ],
    "torch.logsumexp": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.matmul": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.mm": [
        [
            ("input", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("out_dtype", "positional", "<required>"),
            ("out", "keyword", None),
        ],
    ],
    "torch.bmm": [
        [
            ("input", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("out_dtype", "positional", "<required>"),
            ("out", "keyword", None),
        ],
    ],
    "torch.reshape": [
        [("input", "positional", "<required>"), ("shape", "positional", "<required>")]
    ],
    "torch.transpose": [
        [
            ("input", "positional", "<required>"),
            ("dim0", "positional", "<required>"),
            ("dim1", "positional", "<required>"),
        ]
    ],
    "torch.permute": [
        [("input", "positional", "<required>"), ("dims", "positional", "<required>")]
    ],
    "torch.flatten": [
        [
            ("input", "positional", "<required>"),
            ("start_dim", "positional", 0),
            ("end_dim", "positional", -1),
        ]
    ],
    "torch.squeeze": [[("input", "positional", "<required>"), ("dim", "positional", "<required>")]],
    "torch.unsqueeze": [
        [("input", "positional", "<required>"), ("dim", "positional", "<required>")]
    ],
    "torch.cat": [
        [
            ("tensors", "positional", "<required>"),
            ("dim", "positional", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.stack": [
        [
            ("tensors", "positional", "<required>"),
            ("dim", "positional", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.split": [
        [
            ("tensor", "positional", "<required>"),
            ("split_size_or_sections", "positional", "<required>"),
            ("dim", "positional", 0),
        ]
    ],
    "torch.chunk": [
        [
            ("input", "positional", "<required>"),
            ("chunks", "positional", "<required>"),
            ("dim", "positional", 0),
        ]
    ],
    "torch.unbind": [[("input", "positional", "<required>"), ("dim", "positional", 0)]],
    "torch.broadcast_to": [
        [("input", "positional", "<required>"), ("shape", "positional", "<required>")]
    ],
    "torch.t": [[("input", "positional", "<required>")]],
    "torch.tensor": [
        [
            ("data", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("pin_memory", "keyword", False),
        ]
    ],
    "torch.as_tensor": [
        [
            ("data", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("device", "keyword", "<required>"),
        ]
    ],
    "torch.from_numpy": [[("ndarray", "positional", "<required>")]],
    "torch.zeros": [
        [
            ("size", "varargs", "<required>"),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.ones": [
        [
            ("size", "varargs", "<required>"),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.empty": [
        [
            ("size", "varargs", "<required>"),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("pin_memory", "keyword", False),
            ("memory_format", "keyword", "torch.contiguous_format"),
        ]
    ],
    "torch.full": [
        [
            ("size", "positional", "<required>"),
            ("fill_value", "positional", "<required>"),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.arange": [
        [
            ("start", "positional", 0),
            ("end", "positional", "<required>"),
            ("step", "positional", 1),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.linspace": [
        [
            ("start", "positional", "<required>"),
            ("end", "positional", "<required>"),
            ("steps", "positional", "<required>"),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.eye": [
        [
            ("n", "positional", "<required>"),
            ("m", "positional", None),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.zeros_like": [
        [
            ("input", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("layout", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.ones_like": [
        [
            ("input", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("layout", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.empty_like": [
        [
            ("input", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("layout", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.full_like": [
        [
            ("input", "positional", "<required>"),
            ("fill_value", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.rand": [
        [
            ("size", "varargs", "<required>"),
            ("generator", "keyword", None),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("pin_memory", "keyword", False),
        ]
    ],
    "torch.randn": [
        [
            ("size", "varargs", "<required>"),
            ("generator", "keyword", None),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("pin_memory", "keyword", False),
        ]
    ],
    "torch.randint": [
        [
            ("low", "positional", 0),
            ("high", "positional", "<required>"),
            ("size", "positional", "<required>"),
            ("generator", "keyword", None),
            ("out", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
        ]
    ],
    "torch.randperm": [
        [
            ("n", "positional", "<required>"),
            ("generator", "keyword", None),
            ("out", "keyword", None),
            ("dtype", "keyword", "torch.int64"),
            ("layout", "keyword", "torch.strided"),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("pin_memory", "keyword", False),
        ]
    ],
    "torch.rand_like": [
        [
            ("input", "positional", "<required>"),
            ("generator", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.randn_like": [
        [
            ("input", "positional", "<required>"),
            ("generator", "keyword", None),
            ("dtype", "keyword", None),
            ("layout", "keyword", None),
            ("device", "keyword", None),
            ("requires_grad", "keyword", False),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.sigmoid": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.tanh": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.result_type": [
        [("tensor1", "positional", "<required>"), ("tensor2", "positional", "<required>")]
    ],
    "torch.square": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.reciprocal": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.rsqrt": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.sin": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.cos": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.log1p": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.expm1": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.lerp": [
        [
            ("input", "positional", "<required>"),
            ("end", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.nan_to_num": [
        [
            ("input", "positional", "<required>"),
            ("nan", "positional", 0.0),
            ("posinf", "positional", None),
            ("neginf", "positional", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.floor": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.ceil": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.trunc": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.sign": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.round": [
        [
            ("input", "positional", "<required>"),
            ("decimals", "keyword", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.isnan": [[("input", "positional", "<required>")]],
    "torch.isinf": [[("input", "positional", "<required>")]],
    "torch.isfinite": [[("input", "positional", "<required>")]],
    "torch.logical_and": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.logical_or": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.logical_xor": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", "<required>"),
        ]
    ],
    "torch.logical_not": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.all": [
        [("input", "positional", "<required>"), ("out", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ],
    ],
    "torch.any": [
        [("input", "positional", "<required>"), ("out", "keyword", "<required>")],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ],
    ],
    "torch.sort": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", -1),
            ("descending", "positional", False),
            ("stable", "keyword", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.argsort": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", -1),
            ("descending", "positional", False),
            ("stable", "keyword", False),
        ]
    ],
    "torch.topk": [
        [
            ("input", "positional", "<required>"),
            ("k", "positional", "<required>"),
            ("dim", "positional", None),
            ("largest", "positional", True),
            ("sorted", "positional", True),
            ("out", "keyword", None),
        ]
    ],
    "torch.gather": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("sparse_grad", "keyword", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.scatter": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("src", "positional", "<required>"),
        ]
    ],
    "torch.scatter_add": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("src", "positional", "<required>"),
        ]
    ],
    "torch.index_select": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.cumsum": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.cumprod": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("dtype", "keyword", None),
            ("out", "keyword", None),
        ]
    ],
    "torch.tile": [[("input", "positional", "<required>"), ("dims", "positional", "<required>")]],
    "torch.roll": [
        [
            ("input", "positional", "<required>"),
            ("shifts", "positional", "<required>"),
            ("dims", "positional", None),
        ]
    ],
    "torch.flip": [[("input", "positional", "<required>"), ("dims", "positional", "<required>")]],
    "torch.tril": [
        [
            ("input", "positional", "<required>"),
            ("diagonal", "positional", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.triu": [
        [
            ("input", "positional", "<required>"),
            ("diagonal", "positional", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.einsum": [
        [("equation", "positional", "<required>"), ("operands", "varargs", "<required>")]
    ],
    "torch.outer": [
        [
            ("input", "positional", "<required>"),
            ("vec2", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.amax": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.amin": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.norm": [
        [
            ("input", "positional", "<required>"),
            ("p", "positional", "fro"),
            ("dim", "positional", None),
            ("keepdim", "positional", False),
            ("out", "positional", None),
            ("dtype", "positional", None),
        ]
    ],
    "torch.clone": [
        [
            ("input", "positional", "<required>"),
            ("memory_format", "keyword", "torch.preserve_format"),
        ]
    ],
    "torch.tan": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.sinh": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.cosh": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.asin": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.acos": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.atan": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.log2": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.log10": [[("input", "positional", "<required>"), ("out", "keyword", "<required>")]],
    "torch.exp2": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.erf": [[("input", "positional", "<required>"), ("out", "keyword", None)]],
    "torch.narrow": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("start", "positional", "<required>"),
            ("length", "positional", "<required>"),
        ]
    ],
    "torch.select": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
        ]
    ],
    "torch.masked_select": [
        [
            ("input", "positional", "<required>"),
            ("mask", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.repeat_interleave": [
        [
            ("input", "positional", "<required>"),
            ("repeats", "positional", "<required>"),
            ("dim", "positional", None),
            ("output_size", "keyword", None),
        ],
        [("repeats", "positional", "<required>")],
    ],
    "torch.nonzero": [
        [
            ("input", "positional", "<required>"),
            ("out", "keyword", None),
            ("as_tuple", "keyword", False),
        ]
    ],
    "torch.argwhere": [[("input", "positional", "<required>")]],
    "torch.fmod": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.remainder": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.diag": [
        [
            ("input", "positional", "<required>"),
            ("diagonal", "positional", 0),
            ("out", "keyword", None),
        ]
    ],
    "torch.diff": [
        [
            ("input", "positional", "<required>"),
            ("n", "positional", 1),
            ("dim", "positional", -1),
            ("prepend", "positional", None),
            ("append", "positional", None),
        ]
    ],
    "torch.addmm": [
        [
            ("input", "positional", "<required>"),
            ("mat1", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("beta", "keyword", 1),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("mat1", "positional", "<required>"),
            ("mat2", "positional", "<required>"),
            ("out_dtype", "positional", "<required>"),
            ("beta", "keyword", 1),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ],
    ],
    "torch.baddbmm": [
        [
            ("input", "positional", "<required>"),
            ("batch1", "positional", "<required>"),
            ("batch2", "positional", "<required>"),
            ("beta", "keyword", 1),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ],
        [
            ("input", "positional", "<required>"),
            ("batch1", "positional", "<required>"),
            ("batch2", "positional", "<required>"),
            ("out_dtype", "positional", "<required>"),
            ("beta", "keyword", 1),
            ("alpha", "keyword", 1),
            ("out", "keyword", None),
        ],
    ],
    "torch.kthvalue": [
        [
            ("input", "positional", "<required>"),
            ("k", "positional", "<required>"),
            ("dim", "positional", None),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ]
    ],
    "torch.median": [
        [("input", "positional", "<required>")],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", -1),
            ("keepdim", "positional", False),
            ("out", "keyword", None),
        ],
    ],
    "torch.unique": [
        [
            ("input", "positional", "<required>"),
            ("sorted", "positional", True),
            ("return_inverse", "positional", False),
            ("return_counts", "positional", False),
            ("dim", "positional", None),
        ]
    ],
    "torch.index_add": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("source", "positional", "<required>"),
            ("alpha", "keyword", 1),
            ("out", "keyword", "<required>"),
        ]
    ],
    "torch.atan2": [
        [
            ("input", "positional", "<required>"),
            ("other", "positional", "<required>"),
            ("out", "keyword", "<required>"),
        ]
    ],
    "torch.float_power": [
        [
            ("input", "positional", "<required>"),
            ("exponent", "positional", "<required>"),
            ("out", "keyword", None),
        ]
    ],
    "torch.nansum": [
        [("input", "positional", "<required>"), ("dtype", "keyword", None)],
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("keepdim", "positional", False),
            ("dtype", "keyword", None),
        ],
    ],
    "torch.index_copy": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", "<required>"),
            ("index", "positional", "<required>"),
            ("source", "positional", "<required>"),
            ("out", "keyword", "<required>"),
        ]
    ],
    "torch.nn.functional.sigmoid": [[("input", "positional", "<required>")]],
    "torch.nn.functional.tanh": [[("input", "positional", "<required>")]],
    "torch.nn.functional.relu": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.leaky_relu": [
        [
            ("input", "positional", "<required>"),
            ("negative_slope", "positional", 0.01),
            ("inplace", "positional", False),
        ]
    ],
    "torch.nn.functional.elu": [
        [
            ("input", "positional", "<required>"),
            ("alpha", "positional", 1.0),
            ("inplace", "positional", False),
        ]
    ],
    "torch.nn.functional.gelu": [
        [("input", "positional", "<required>"), ("approximate", "positional", "none")]
    ],
    "torch.nn.functional.silu": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.softplus": [
        [
            ("input", "positional", "<required>"),
            ("beta", "positional", 1),
            ("threshold", "positional", 20),
        ]
    ],
    "torch.nn.functional.prelu": [
        [("input", "positional", "<required>"), ("weight", "positional", "<required>")]
    ],
    "torch.nn.functional.hardtanh": [
        [
            ("input", "positional", "<required>"),
            ("min_val", "positional", -1.0),
            ("max_val", "positional", 1.0),
            ("inplace", "positional", False),
        ]
    ],
    "torch.nn.functional.softmax": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("_stacklevel", "positional", 3),
            ("dtype", "positional", None),
        ]
    ],
    "torch.nn.functional.log_softmax": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("_stacklevel", "positional", 3),
            ("dtype", "positional", None),
        ]
    ],
    "torch.nn.functional.linear": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("bias", "positional", None),
        ]
    ],
    "torch.nn.functional.conv1d": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("bias", "positional", None),
            ("stride", "positional", 1),
            ("padding", "positional", 0),
            ("dilation", "positional", 1),
            ("groups", "positional", 1),
        ]
    ],
    "torch.nn.functional.conv2d": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("bias", "positional", None),
            ("stride", "positional", 1),
            ("padding", "positional", 0),
            ("dilation", "positional", 1),
            ("groups", "positional", 1),
        ]
    ],
    "torch.nn.functional.max_pool1d": [
        [
            ("input", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("stride", "positional", None),
            ("padding", "positional", 0),
            ("dilation", "positional", 1),
            ("ceil_mode", "positional", False),
            ("return_indices", "positional", False),
        ]
    ],
    "torch.nn.functional.max_pool2d": [
        [
            ("input", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("stride", "positional", None),
            ("padding", "positional", 0),
            ("dilation", "positional", 1),
            ("ceil_mode", "positional", False),
            ("return_indices", "positional", False),
        ]
    ],
    "torch.nn.functional.avg_pool1d": [
        [
            ("input", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("stride", "positional", None),
            ("padding", "positional", 0),
            ("ceil_mode", "positional", False),
            ("count_include_pad", "positional", True),
        ]
    ],
    "torch.nn.functional.avg_pool2d": [
        [
            ("input", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("stride", "positional", None),
            ("padding", "positional", 0),
            ("ceil_mode", "positional", False),
            ("count_include_pad", "positional", True),
            ("divisor_override", "positional", None),
        ]
    ],
    "torch.nn.functional.adaptive_avg_pool1d": [
        [("input", "positional", "<required>"), ("output_size", "positional", "<required>")]
    ],
    "torch.nn.functional.adaptive_avg_pool2d": [
        [("input", "positional", "<required>"), ("output_size", "positional", "<required>")]
    ],
    "torch.nn.functional.dropout": [
        [
            ("input", "positional", "<required>"),
            ("p", "positional", 0.5),
            ("training", "positional", True),
            ("inplace", "positional", False),
        ]
    ],
    "torch.nn.functional.batch_norm": [
        [
            ("input", "positional", "<required>"),
            ("running_mean", "positional", "<required>"),
            ("running_var", "positional", "<required>"),
            ("weight", "positional", None),
            ("bias", "positional", None),
            ("training", "positional", False),
            ("momentum", "positional", 0.1),
            ("eps", "positional", 1e-05),
        ]
    ],
    "torch.nn.functional.layer_norm": [
        [
            ("input", "positional", "<required>"),
            ("normalized_shape", "positional", "<required>"),
            ("weight", "positional", None),
            ("bias", "positional", None),
            ("eps", "positional", 1e-05),
        ]
    ],
    "torch.nn.functional.group_norm": [
        [
            ("input", "positional", "<required>"),
            ("num_groups", "positional", "<required>"),
            ("weight", "positional", None),
            ("bias", "positional", None),
            ("eps", "positional", 1e-05),
        ]
    ],
    "torch.nn.functional.embedding": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("padding_idx", "positional", None),
            ("max_norm", "positional", None),
            ("norm_type", "positional", 2.0),
            ("scale_grad_by_freq", "positional", False),
            ("sparse", "positional", False),
        ]
    ],
    "torch.nn.functional.pad": [
        [
            ("input", "positional", "<required>"),
            ("pad", "positional", "<required>"),
            ("mode", "positional", "constant"),
            ("value", "positional", None),
        ]
    ],
    "torch.nn.functional.cross_entropy": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("weight", "positional", None),
            ("size_average", "positional", None),
            ("ignore_index", "positional", -100),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("label_smoothing", "positional", 0.0),
        ]
    ],
    "torch.nn.functional.nll_loss": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("weight", "positional", None),
            ("size_average", "positional", None),
            ("ignore_index", "positional", -100),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
        ]
    ],
    "torch.nn.functional.mse_loss": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("weight", "positional", None),
        ]
    ],
    "torch.nn.functional.l1_loss": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("weight", "positional", None),
        ]
    ],
    "torch.nn.functional.smooth_l1_loss": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("beta", "positional", 1.0),
        ]
    ],
    "torch.nn.functional.binary_cross_entropy": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("weight", "positional", None),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
        ]
    ],
    "torch.nn.functional.binary_cross_entropy_with_logits": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("weight", "positional", None),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("pos_weight", "positional", None),
        ]
    ],
    "torch.nn.functional.kl_div": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
            ("log_target", "positional", False),
        ]
    ],
    "torch.nn.functional.one_hot": [
        [("tensor", "positional", "<required>"), ("num_classes", "positional", -1)]
    ],
    "torch.nn.functional.conv_transpose1d": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("bias", "positional", None),
            ("stride", "positional", 1),
            ("padding", "positional", 0),
            ("output_padding", "positional", 0),
            ("groups", "positional", 1),
            ("dilation", "positional", 1),
        ]
    ],
    "torch.nn.functional.conv_transpose2d": [
        [
            ("input", "positional", "<required>"),
            ("weight", "positional", "<required>"),
            ("bias", "positional", None),
            ("stride", "positional", 1),
            ("padding", "positional", 0),
            ("output_padding", "positional", 0),
            ("groups", "positional", 1),
            ("dilation", "positional", 1),
        ]
    ],
    "torch.nn.functional.interpolate": [
        [
            ("input", "positional", "<required>"),
            ("size", "positional", None),
            ("scale_factor", "positional", None),
            ("mode", "positional", "nearest"),
            ("align_corners", "positional", None),
            ("recompute_scale_factor", "positional", None),
            ("antialias", "positional", False),
        ]
    ],
    "torch.nn.functional.pixel_shuffle": [
        [("input", "positional", "<required>"), ("upscale_factor", "positional", "<required>")]
    ],
    "torch.nn.functional.pixel_unshuffle": [
        [("input", "positional", "<required>"), ("downscale_factor", "positional", "<required>")]
    ],
    "torch.nn.functional.unfold": [
        [
            ("input", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("dilation", "positional", 1),
            ("padding", "positional", 0),
            ("stride", "positional", 1),
        ]
    ],
    "torch.nn.functional.fold": [
        [
            ("input", "positional", "<required>"),
            ("output_size", "positional", "<required>"),
            ("kernel_size", "positional", "<required>"),
            ("dilation", "positional", 1),
            ("padding", "positional", 0),
            ("stride", "positional", 1),
        ]
    ],
    "torch.nn.functional.relu6": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.selu": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.celu": [
        [
            ("input", "positional", "<required>"),
            ("alpha", "positional", 1.0),
            ("inplace", "positional", False),
        ]
    ],
    "torch.nn.functional.mish": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.hardswish": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.hardsigmoid": [
        [("input", "positional", "<required>"), ("inplace", "positional", False)]
    ],
    "torch.nn.functional.glu": [[("input", "positional", "<required>"), ("dim", "positional", -1)]],
    "torch.nn.functional.logsigmoid": [[("input", "positional", "<required>")]],
    "torch.nn.functional.softmin": [
        [
            ("input", "positional", "<required>"),
            ("dim", "positional", None),
            ("_stacklevel", "positional", 3),
            ("dtype", "positional", None),
        ]
    ],
    "torch.nn.functional.normalize": [
        [
            ("input", "positional", "<required>"),
            ("p", "positional", 2.0),
            ("dim", "positional", 1),
            ("eps", "positional", 1e-12),
            ("out", "positional", None),
        ]
    ],
    "torch.nn.functional.cosine_similarity": [
        [
            ("x1", "positional", "<required>"),
            ("x2", "positional", "<required>"),
            ("dim", "positional", 1),
            ("eps", "positional", 1e-08),
        ]
    ],
    "torch.nn.functional.pairwise_distance": [
        [
            ("x1", "positional", "<required>"),
            ("x2", "positional", "<required>"),
            ("p", "positional", 2.0),
            ("eps", "positional", 1e-06),
            ("keepdim", "positional", False),
        ]
    ],
    "torch.nn.functional.instance_norm": [
        [
            ("input", "positional", "<required>"),
            ("running_mean", "positional", None),
            ("running_var", "positional", None),
            ("weight", "positional", None),
            ("bias", "positional", None),
            ("use_input_stats", "positional", True),
            ("momentum", "positional", 0.1),
            ("eps", "positional", 1e-05),
        ]
    ],
    "torch.nn.functional.huber_loss": [
        [
            ("input", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("reduction", "positional", "mean"),
            ("delta", "positional", 1.0),
            ("weight", "positional", None),
        ]
    ],
    "torch.nn.functional.margin_ranking_loss": [
        [
            ("input1", "positional", "<required>"),
            ("input2", "positional", "<required>"),
            ("target", "positional", "<required>"),
            ("margin", "positional", 0),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
        ]
    ],
    "torch.nn.functional.triplet_margin_loss": [
        [
            ("anchor", "positional", "<required>"),
            ("positive", "positional", "<required>"),
            ("negative", "positional", "<required>"),
            ("margin", "positional", 1.0),
            ("p", "positional", 2),
            ("eps", "positional", 1e-06),
            ("swap", "positional", False),
            ("size_average", "positional", None),
            ("reduce", "positional", None),
            ("reduction", "positional", "mean"),
        ]
    ],
    "torch.nn.functional.scaled_dot_product_attention": [
        [
            ("query", "positional", "<required>"),
            ("key", "positional", "<required>"),
            ("value", "positional", "<required>"),
            ("attn_mask", "positional", None),
            ("dropout_p", "positional", 0.0),
            ("is_causal", "positional", False),
            ("scale", "positional", None),
            ("enable_gqa", "positional", False),
        ]
    ],
}
