"""The deciding numbers of the cost claims: each activation's arithmetic per element (CPU time,
1e6 elements, one thread) and its operation count; glassnet's forward + backward and the MLP's
training step beside them, not deciding."""

from __future__ import annotations

from typing import Any

from glassnet.lab.kit import activations as T
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.activations.measure import Context
from glassnet.lab.topics.activations.numbers import L
from glassnet.lab.topics.activations.settings import ACTIVATION_SIZE, ARITHMETIC_SIZE
from glassnet.lab.topics.activations.timing import OPERATIONS


def timing_note(result: Result, c: Context) -> Text:
    """The fixed note on timings, then what this run measured for Leaky ReLU and ELU."""
    measured = result.say(
        "relu_family_cost",
        leaky_over_relu=c.arith("leaky_relu") / c.arith("relu"),
        elu_over_relu=c.arith("elu") / c.arith("relu"),
    )
    fixed = result.text("timing_note")
    return Text(fixed.en + measured.en, fixed.zh + measured.zh)


def operations(name: str) -> str:
    """'4 (1 exp)': operations per element of the in-place formula, and the exps among them."""
    count, exps = OPERATIONS[name]
    return f"{count} ({exps} exp)"


def arithmetic_numbers(c: Context, names: tuple[str, ...]) -> dict[Any, Any]:
    """The deciding cost numbers: CPU ns per element of the arithmetic and its operation count."""
    numbers: dict[Any, Any] = {}
    for name in names:
        numbers[
            Text(
                f"{L(name)} arithmetic, CPU ns/element ({ARITHMETIC_SIZE:,})",
                f"{L(name)} 运算,CPU ns/元素({ARITHMETIC_SIZE:,})",
            )
        ] = round(c.arith(name), 3)
        numbers[Text(f"{L(name)} operations per element", f"{L(name)} 每元素运算数")] = operations(
            name
        )
    return numbers


def beside_numbers(c: Context, name: str) -> dict[Any, Any]:
    """glassnet's whole forward + backward, and the MLP's step, against ReLU: reported, not deciding."""
    small = c.costs[ACTIVATION_SIZE]
    numbers: dict[Any, Any] = {
        Text(
            f"{L(name)} / ReLU, glassnet fwd+bwd at {ACTIVATION_SIZE:,} (not deciding)",
            f"{L(name)} / ReLU,glassnet 前向+反向,{ACTIVATION_SIZE:,}(不参与判定)",
        ): round(small[name]["forward_backward"] / small["relu"]["forward_backward"], 2),
    }
    for size, timing in c.costs.items():
        if size != ACTIVATION_SIZE:
            numbers[
                Text(
                    f"{L(name)} / ReLU, glassnet fwd+bwd at {size:,} (not deciding)",
                    f"{L(name)} / ReLU,glassnet 前向+反向,{size:,}(不参与判定)",
                )
            ] = round(timing[name]["forward_backward"] / timing["relu"]["forward_backward"], 2)
    numbers[
        Text(
            f"MLP training step, {L(name)} / ReLU (not deciding)",
            f"MLP 训练步耗时,{L(name)} / ReLU(不参与判定)",
        )
    ] = round(c.steps[name] / c.steps["relu"], 3)
    return numbers


def cost_numbers(c: Context, exp_ratio: float, formula_ratio: float) -> dict[Any, Any]:
    return {
        **arithmetic_numbers(c, ("sigmoid", "relu")),
        Text("exp alone, CPU ns/element", "exp 单独,CPU ns/元素"): round(c.arith("exp"), 3),
        Text(
            "copy (one pass, no arithmetic), CPU ns/element", "复制(一遍,无运算),CPU ns/元素"
        ): round(c.arith("copy"), 3),
        Text("(A) sigmoid / ReLU arithmetic", "(A) sigmoid / ReLU 运算"): round(formula_ratio, 2),
        Text("(B) exp alone / ReLU arithmetic", "(B) exp 单独 / ReLU 运算"): round(exp_ratio, 2),
        **beside_numbers(c, "sigmoid"),
    }


def cheap_numbers(c: Context) -> dict[Any, Any]:
    numbers = arithmetic_numbers(c, T.ACTIVATIONS)
    numbers[
        Text(
            "ReLU / cheaper of sigmoid and tanh, arithmetic",
            "ReLU / sigmoid 与 tanh 中较便宜者,运算",
        )
    ] = round(c.arith("relu") / min(c.arith("sigmoid"), c.arith("tanh")), 3)
    for name in ("sigmoid", "tanh"):
        numbers[
            Text(
                f"{L(name)} fwd+bwd ns/element, glassnet at {ACTIVATION_SIZE:,} (not deciding)",
                f"{L(name)} 前向+反向 ns/元素,glassnet,{ACTIVATION_SIZE:,}(不参与判定)",
            )
        ] = round(c.cost(name), 3)
    numbers[
        Text(
            f"ReLU fwd+bwd ns/element, glassnet at {ACTIVATION_SIZE:,} (not deciding)",
            f"ReLU 前向+反向 ns/元素,glassnet,{ACTIVATION_SIZE:,}(不参与判定)",
        )
    ] = round(c.cost("relu"), 3)
    numbers[
        Text("MLP training step ms, ReLU (not deciding)", "MLP 训练步毫秒,ReLU(不参与判定)")
    ] = round(c.steps["relu"] * 1e3, 3)
    numbers[
        Text("MLP training step ms, sigmoid (not deciding)", "MLP 训练步毫秒,sigmoid(不参与判定)")
    ] = round(c.steps["sigmoid"] * 1e3, 3)
    return numbers
