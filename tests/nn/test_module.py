"""Module: registration, naming, recursion, modes, dtype, errors and repr, against torch.nn.Module."""

from __future__ import annotations

import copy
import inspect

import numpy
import pytest
import torch
from nn_twins import make_net

import glassnet
from glassnet import nn
from glassnet.nn import Module, Parameter

# ------------------------------------------------------------------ registration and naming


def test_state_dict_keys_and_dtypes_equal_torch():
    ours, theirs = make_net(glassnet).state_dict(), make_net(torch).state_dict()
    assert list(ours) == list(theirs)
    assert "absent" not in ours and "layer1.0.scratch" not in ours
    for key in theirs:
        assert str(ours[key].dtype) == str(theirs[key].dtype).removeprefix("torch."), key
        assert tuple(ours[key].shape) == tuple(theirs[key].shape), key
    assert ours["layer1.1.num_batches_tracked"].dtype == glassnet.int64


@pytest.mark.parametrize(
    "method", ["named_parameters", "named_buffers", "named_modules", "named_children"]
)
def test_names_equal_torch(method):
    ours = [name for name, _ in getattr(make_net(glassnet), method)()]
    theirs = [name for name, _ in getattr(make_net(torch), method)()]
    assert ours == theirs
    assert len(ours) > 2


def test_named_parameters_prefix_and_no_recursion():
    net = make_net(glassnet)
    assert [n for n, _ in net.named_parameters(prefix="model")][:2] == [
        "model.stem",
        "model.layer1.0.weight",
    ]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["stem"]
    assert [n for n, _ in net.named_modules(prefix="m")][:3] == ["m", "m.layer1", "m.layer1.0"]


def test_attribute_assignment_registers_and_getattr_finds():
    class Toy(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(glassnet.zeros(2))
            self.child = nn.Sequential()
            self.register_buffer("count", glassnet.zeros(1))
            self.plain = glassnet.zeros(3)  # a plain tensor is only an attribute

    toy = Toy()
    assert (
        list(toy._parameters) == ["w"]
        and list(toy._modules) == ["child"]
        and list(toy._buffers) == ["count"]
    )
    assert (
        toy.w is toy._parameters["w"]
        and toy.child is toy._modules["child"]
        and toy.count is toy._buffers["count"]
    )
    assert [n for n, _ in toy.named_parameters()] == ["w"]
    assert "plain" not in toy.state_dict()
    toy.count = glassnet.ones(1)  # assigning a tensor to a buffer name replaces the buffer
    assert toy._buffers["count"].data[0] == 1
    toy.w = None  # a parameter can be set to None (declared but absent)
    assert toy._parameters["w"] is None and list(toy.parameters()) == []
    toy.child = nn.ModuleList()  # same name, a new module
    assert isinstance(toy._modules["child"], nn.ModuleList)
    toy.child = Parameter(glassnet.ones(1))  # a name moves from modules to parameters
    assert "child" not in toy._modules and "child" in toy._parameters


def test_delattr_removes_parameters_buffers_and_modules():
    net = make_net(glassnet)
    del net.stem, net.scale, net.extra
    assert "stem" not in dict(net.named_parameters())
    assert "scale" not in dict(net.named_buffers())
    assert "extra" not in dict(net.named_children())
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'stem'"):
        net.stem


def test_shared_parameters_and_modules_are_listed_once():
    class Shared(Module):
        def __init__(self):
            super().__init__()
            self.a = Parameter(glassnet.ones(2))
            self.b = self.a  # tied weights
            block = make_net(glassnet).extra[0]
            self.seq = nn.Sequential(block, block)

    model = Shared()
    assert [n for n, _ in model.named_parameters()] == ["a", "seq.0.weight"]
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "a",
        "b",
        "seq.0.weight",
        "seq.1.weight",
    ]
    assert [n for n, _ in model.named_modules()] == ["", "seq", "seq.0"]
    assert len(list(model.modules(remove_duplicate=False))) == 4
    assert list(model.state_dict()) == [
        "a",
        "b",
        "seq.0.weight",
        "seq.0.running_mean",
        "seq.0.num_batches_tracked",
        "seq.1.weight",
        "seq.1.running_mean",
        "seq.1.num_batches_tracked",
    ]
    assert len(list(model.seq.children())) == 1


def test_get_submodule_and_get_parameter():
    net = make_net(glassnet)
    assert net.get_submodule("heads.b") is net.heads["b"]
    assert net.get_submodule("") is net
    assert net.get_parameter("layer1.1.weight") is net.layer1[1].weight
    with pytest.raises(AttributeError, match="Net.layer1 has no submodule `7`"):
        net.get_submodule("layer1.7.conv")
    with pytest.raises(AttributeError, match="Block has no parameter `bias`"):
        net.get_parameter("layer1.0.bias")


# ------------------------------------------------------------------ errors


def test_unknown_attribute_names_class_and_attribute_and_suggests():
    net = make_net(glassnet)
    with pytest.raises(
        AttributeError, match=r"'Net' object has no attribute 'stme'; did you mean 'stem'\?"
    ):
        net.stme
    with pytest.raises(AttributeError, match=r"^'Net' object has no attribute 'zzz'$"):
        net.zzz


def test_forgetting_super_init_is_named():
    class Forgot(Module):
        def __init__(self):
            self.weight = Parameter(glassnet.ones(2))

    with pytest.raises(
        AttributeError,
        match=r"Forgot.weight: Module.__init__\(\) was not called; add super\(\).__init__\(\)",
    ):
        Forgot()

    class ForgotPlain(Module):
        def __init__(self):
            self.size = 3  # plain attributes are allowed before the call, as in torch

        def forward(self, x):
            return x

    model = ForgotPlain()
    with pytest.raises(
        AttributeError, match=r"ForgotPlain.__call__: Module.__init__\(\) was not called"
    ):
        model(glassnet.ones(1))
    with pytest.raises(
        AttributeError, match=r"ForgotPlain.training: Module.__init__\(\) was not called"
    ):
        model.training


def test_registration_errors_name_what_is_wrong():
    net = make_net(glassnet)
    with pytest.raises(
        TypeError,
        match=r"cannot assign 'Tensor' as parameter 'stem' of Net \(glassnet.nn.Parameter",
    ):
        net.stem = glassnet.ones(3)
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'layer1' of Net"):
        net.layer1 = 3
    with pytest.raises(TypeError, match=r"cannot assign 'list' as buffer 'scale' of Net"):
        net.scale = [1.0]
    with pytest.raises(TypeError, match=r"cannot assign 'ndarray' object to buffer 'x'"):
        net.register_buffer("x", numpy.zeros(2))
    with pytest.raises(TypeError, match=r"cannot assign 'Tensor' object to parameter 'p'"):
        net.register_parameter("p", glassnet.ones(1))
    with pytest.raises(KeyError, match=r'buffer name cannot contain ".", got: a.b'):
        net.register_buffer("a.b", glassnet.ones(1))
    with pytest.raises(KeyError, match="parameter name cannot be the empty string"):
        net.register_parameter("", None)
    with pytest.raises(KeyError, match=r"attribute 'stem' already exists on Net"):
        net.register_buffer("stem", glassnet.ones(1))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        net.add_module("m", 3)
    with pytest.raises(
        NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'
    ):
        Module()(glassnet.ones(1))


# ------------------------------------------------------------------ modes, gradients, dtype


def test_train_and_eval_propagate_to_every_descendant():
    net = make_net(glassnet)
    assert net.eval() is net
    assert not any(module.training for module in net.modules())
    net.layer1.train()
    assert [m.training for m in net.modules()][:4] == [False, True, True, True]
    net.train()
    assert all(module.training for module in net.modules())
    with pytest.raises(ValueError, match="mode is expected to be a bool, got str"):
        net.train("yes")


def test_zero_grad_sets_to_none_or_zeros():
    net = make_net(glassnet)
    for param in net.parameters():
        param.grad = glassnet.ones(param.shape)
    net.zero_grad(set_to_none=False)
    assert all(numpy.all(p.grad.data == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_false_freezes_every_parameter():
    net = make_net(glassnet).requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_double_keeps_parameter_objects_and_integer_buffers():
    net = make_net(glassnet)
    params_before = list(net.parameters())
    buffer_before = net.layer1[0].running_mean
    net.stem.grad = glassnet.ones(3)
    assert net.double() is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params_before]
    assert all(p.dtype == glassnet.float64 for p in net.parameters())
    assert net.stem.grad.dtype == glassnet.float64
    assert net.layer1[0].running_mean is buffer_before and buffer_before.dtype == glassnet.float64
    assert net.layer1[0].scratch.dtype == glassnet.float64
    assert net.layer1[0].num_batches_tracked.dtype == glassnet.int64
    net.to(dtype=glassnet.float32)
    assert net.stem.dtype == glassnet.float32
    net.to(torch.float64)
    assert net.stem.dtype == glassnet.float64
    net.to(glassnet.zeros(1, dtype=glassnet.float32)).to("cpu").float()
    assert net.heads["a"].weight.dtype == glassnet.float32


def test_to_refuses_integer_dtypes_and_missing_devices():
    net = make_net(glassnet)
    with pytest.raises(
        TypeError, match="Module.to only accepts floating point dtypes, but got desired dtype=int64"
    ):
        net.to(glassnet.int64)
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        net.to("cuda")


def test_apply_visits_children_before_parents_like_torch():
    ours, theirs = [], []
    make_net(glassnet).apply(lambda m: ours.append(type(m).__name__))
    make_net(torch).apply(lambda m: theirs.append(type(m).__name__))
    assert ours == theirs
    assert ours[-1] == "Net"


def test_deepcopy_gives_an_independent_module():
    net = make_net(glassnet)
    twin = copy.deepcopy(net)
    twin.stem.data[...] = 7
    assert numpy.all(net.stem.data == 1)
    assert isinstance(twin.stem, Parameter) and twin.stem.requires_grad
    assert list(twin.state_dict()) == list(net.state_dict())


def test_parameter_basics():
    param = Parameter(glassnet.tensor([1.0, 2.0]))
    assert param.requires_grad and param.is_leaf and isinstance(param, glassnet.Tensor)
    assert repr(param) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert Parameter().shape == (0,)
    assert not Parameter(glassnet.ones(2), requires_grad=False).requires_grad
    with pytest.raises(
        RuntimeError, match="only floating point tensors can require gradients, got dtype int64"
    ):
        Parameter(glassnet.tensor([1, 2]))


# ------------------------------------------------------------------ repr


def test_repr_layout_equals_torch():
    assert repr(make_net(glassnet)) == repr(make_net(torch))
    assert repr(Module()) == "Module()"


# ------------------------------------------------------------------ signatures

MODULE_METHODS = [
    "register_buffer",
    "register_parameter",
    "add_module",
    "register_module",
    "get_submodule",
    "get_parameter",
    "named_modules",
    "modules",
    "named_children",
    "children",
    "named_parameters",
    "parameters",
    "named_buffers",
    "buffers",
    "apply",
    "train",
    "eval",
    "requires_grad_",
    "zero_grad",
    "load_state_dict",
    "extra_repr",
    "register_forward_pre_hook",
    "register_forward_hook",
    "register_full_backward_pre_hook",
    "register_full_backward_hook",
    "float",
    "double",
    "cpu",
]


@pytest.mark.parametrize("name", MODULE_METHODS)
def test_module_method_signature_equals_torch(name):
    def described(function):
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
        ]

    assert described(getattr(Module, name)) == described(getattr(torch.nn.Module, name))


def test_state_dict_takes_torch_keywords():
    names = list(inspect.signature(Module.state_dict).parameters)
    assert names == ["self", "destination", "prefix", "keep_vars"]
    assert (
        list(make_net(glassnet).state_dict(destination=None, prefix="p.", keep_vars=True))[0]
        == "p.stem"
    )
