"""Sequential, ModuleList, ModuleDict: list/dict behaviour, registration, names and repr, against torch."""

from __future__ import annotations

import inspect
from collections import OrderedDict

import pytest
import torch

import glassnet
from glassnet import nn


def leaf_class(lib):
    """A tiny layer y = x * w + b in glassnet or torch, with a torch-style extra_repr."""

    class Affine(lib.nn.Module):
        def __init__(self, w, b=0.0):
            super().__init__()
            self.w = lib.nn.Parameter(lib.tensor([float(w)]))
            self.b = lib.nn.Parameter(lib.tensor([float(b)]))

        def forward(self, x):
            return x * self.w + self.b

        def extra_repr(self):
            return f"w={self.w.item()}, b={self.b.item()}"

    return Affine


Affine = leaf_class(glassnet)
TorchAffine = leaf_class(torch)


def weights(container):
    return [module.w.item() for module in container]


# ------------------------------------------------------------------ Sequential


def test_sequential_chains_forward_in_order():
    model = nn.Sequential(Affine(2.0), Affine(3.0, 1.0))
    assert model(glassnet.tensor([1.0])).item() == 7.0  # (1 * 2) * 3 + 1
    assert nn.Sequential()(glassnet.tensor([5.0])).item() == 5.0


def test_sequential_indexing_slicing_and_length():
    layers = [Affine(w) for w in (1, 2, 3, 4)]
    model = nn.Sequential(*layers)
    assert len(model) == 4
    assert model[0] is layers[0] and model[-1] is layers[3]
    part = model[1:3]
    assert isinstance(part, nn.Sequential) and list(part) == layers[1:3]
    assert list(part._modules) == ["1", "2"]  # slicing keeps the names, as in torch
    assert weights(model[::-1]) == [4, 3, 2, 1]
    with pytest.raises(IndexError, match="Sequential: index 4 is out of range for length 4"):
        model[4]
    with pytest.raises(IndexError, match="index -5 is out of range"):
        model[-5]


def test_sequential_append_insert_extend_pop_and_delete_renumber():
    model = nn.Sequential(Affine(1), Affine(2))
    assert model.append(Affine(3)) is model
    model.insert(0, Affine(0))
    model.insert(-1, Affine(2.5))
    assert weights(model) == [0, 1, 2, 2.5, 3]
    model.extend(nn.Sequential(Affine(4), Affine(5)))
    assert list(model._modules) == [str(i) for i in range(7)]
    assert model.pop(0).w.item() == 0
    del model[1:3]
    assert weights(model) == [1, 3, 4, 5]
    assert list(model._modules) == ["0", "1", "2", "3"]
    model[1] = Affine(9)
    assert weights(model) == [1, 9, 4, 5]
    assert weights(model + nn.Sequential(Affine(6))) == [1, 9, 4, 5, 6]
    with pytest.raises(IndexError, match="Sequential.insert: index 9 is out of range for length 4"):
        model.insert(9, Affine(0))
    with pytest.raises(TypeError, match="Sequential.insert: expected a Module, got int"):
        model.insert(0, 3)
    with pytest.raises(
        ValueError, match="add operator supports only Sequential, but list is given"
    ):
        model + [Affine(1)]


def test_sequential_from_ordered_dict_uses_the_names():
    model = nn.Sequential(OrderedDict([("scale", Affine(2)), ("shift", Affine(1, 5))]))
    assert [name for name, _ in model.named_children()] == ["scale", "shift"]
    assert model.scale.w.item() == 2
    assert list(model.state_dict()) == ["scale.w", "scale.b", "shift.w", "shift.b"]
    assert model(glassnet.tensor([1.0])).item() == 7.0
    with pytest.raises(ValueError, match="Sequential.insert needs the default names"):
        model.insert(0, Affine(1))


@pytest.mark.parametrize("named", [False, True])
def test_sequential_state_dict_keys_and_repr_equal_torch(named):
    def build(lib, cls):
        inner = lib.nn.Sequential(cls(1), cls(2))
        if named:
            return lib.nn.Sequential(
                OrderedDict([("first", cls(3)), ("block", inner), ("last", cls(4))])
            )
        return lib.nn.Sequential(cls(3), inner, cls(4))

    ours, theirs = build(glassnet, Affine), build(torch, TorchAffine)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    assert repr(ours[1:]) == repr(theirs[1:])


# ------------------------------------------------------------------ ModuleList


def test_module_list_registers_and_behaves_like_a_list():
    layers = nn.ModuleList([Affine(1), Affine(2)])
    layers.append(Affine(3))
    layers.extend([Affine(4)])
    layers.insert(1, Affine(1.5))
    layers.insert(-1, Affine(3.5))
    assert weights(layers) == [1, 1.5, 2, 3, 3.5, 4]
    assert len(layers) == 6 and layers[-1].w.item() == 4
    assert isinstance(layers[1:3], nn.ModuleList) and weights(layers[1:3]) == [1.5, 2]
    assert [name for name, _ in layers.named_parameters()][:4] == ["0.w", "0.b", "1.w", "1.b"]
    del layers[0]
    assert list(layers._modules) == [str(i) for i in range(5)]
    assert layers.pop(-1).w.item() == 4
    layers[0] = Affine(7)
    assert weights(layers) == [7, 2, 3, 3.5]
    layers += [Affine(8)]
    assert weights(layers + nn.ModuleList([Affine(9)])) == [7, 2, 3, 3.5, 8, 9]
    with pytest.raises(IndexError, match="ModuleList: index 5 is out of range for length 5"):
        layers[5]
    with pytest.raises(
        TypeError, match="ModuleList.extend should be called with an iterable, but got Affine"
    ):
        layers.extend(Affine(1))
    with pytest.raises(TypeError, match="list is not a Module subclass"):
        layers.append([Affine(1)])


def test_module_list_inside_a_module_exposes_parameters():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([Affine(2), Affine(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Stack()
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.w",
        "layers.0.b",
        "layers.1.w",
        "layers.1.b",
    ]
    assert model(glassnet.tensor([1.0])).item() == 6.0
    with pytest.raises(
        NotImplementedError, match=r'Module \[ModuleList\] is missing the required "forward"'
    ):
        model.layers(glassnet.tensor([1.0]))


def test_module_list_repr_compresses_repeats_like_torch():
    def build(lib, cls):
        return lib.nn.ModuleList(
            [cls(1), cls(1), cls(1), cls(2), lib.nn.Sequential(cls(3)), cls(1)]
        )

    assert repr(build(glassnet, Affine)) == repr(build(torch, TorchAffine))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"


# ------------------------------------------------------------------ ModuleDict


def test_module_dict_behaves_like_a_dict_and_keeps_order():
    heads = nn.ModuleDict({"b": Affine(2), "a": Affine(1)})
    heads["c"] = Affine(3)
    assert list(heads) == list(heads.keys()) == ["b", "a", "c"]
    assert "a" in heads and "z" not in heads and len(heads) == 3
    assert [m.w.item() for m in heads.values()] == [2, 1, 3]
    assert [k for k, _ in heads.items()] == ["b", "a", "c"]
    heads.update([("d", Affine(4)), ("a", Affine(10))])
    assert heads["a"].w.item() == 10 and list(heads) == ["b", "a", "c", "d"]
    assert heads.pop("b").w.item() == 2
    del heads["c"]
    assert list(heads.state_dict()) == ["a.w", "a.b", "d.w", "d.b"]
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == []


def test_module_dict_errors_name_the_problem():
    heads = nn.ModuleDict({"a": Affine(1)})
    with pytest.raises(KeyError, match=r"ModuleDict has no key 'b' \(keys: \['a'\]\)"):
        heads["b"]
    with pytest.raises(
        TypeError,
        match="ModuleDict.update should be called with an iterable of key/value pairs, but got int",
    ):
        heads.update(3)
    with pytest.raises(
        ValueError, match="ModuleDict update sequence element #0 has length 3; 2 is required"
    ):
        heads.update([("x", Affine(1), 3)])
    with pytest.raises(TypeError, match="ModuleDict update sequence element #0 should be a"):
        heads.update([Affine(1)])
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        heads["x"] = 3


def test_module_dict_keys_and_repr_equal_torch():
    def build(lib, cls):
        return lib.nn.ModuleDict({"head": cls(1), "aux": lib.nn.ModuleList([cls(2), cls(2)])})

    ours, theirs = build(glassnet, Affine), build(torch, TorchAffine)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


def test_containers_propagate_train_eval_and_dtype():
    model = nn.Sequential(Affine(1), nn.ModuleList([Affine(2)]), nn.ModuleDict({"a": Affine(3)}))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.double()
    assert {p.dtype for p in model.parameters()} == {glassnet.float64}
    assert len(list(model.parameters())) == 6


@pytest.mark.parametrize(
    "cls, method",
    [
        ("Sequential", "__init__"),
        ("Sequential", "append"),
        ("Sequential", "insert"),
        ("Sequential", "extend"),
        ("Sequential", "pop"),
        ("ModuleList", "__init__"),
        ("ModuleList", "append"),
        ("ModuleList", "extend"),
        ("ModuleList", "insert"),
        ("ModuleList", "pop"),
        ("ModuleDict", "__init__"),
        ("ModuleDict", "update"),
        ("ModuleDict", "pop"),
    ],
)
def test_container_signatures_equal_torch(cls, method):
    def described(function):
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
        ]

    assert described(getattr(getattr(nn, cls), method)) == described(
        getattr(getattr(torch.nn, cls), method)
    )
