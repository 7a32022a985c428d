"""The `activations` topic's thresholds, rules in words, deciding numbers, tables and figures.

The verdicts themselves are decided in `judge`; this module holds what they print,
so the thresholds and the sentences that state them sit side by side.
"""

from __future__ import annotations

from typing import Any

from glassnet.lab.kit import activations as T
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.stats import mean_std
from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result
from glassnet.lab.text import Text
from glassnet.lab.topics.activations.measure import Context, Mechanics, Plan
from glassnet.lab.topics.activations.settings import (
    ACTIVATION_SIZE,
    CENTRED,
    COMMON_LR,
    COSTLY,
    FACTOR_CLOSE,
    FACTOR_SAME,
    HIDDEN,
    OFF_CENTRE,
    SATURATED,
    STACK_DEPTH,
    VANISH,
)


def L(name: str) -> str:
    return T.LABELS[name]


def setup_text(plan: Plan, data: Split, seeds: list[int]) -> Text:
    lrs = ", ".join(f"{lr:g}" for lr in plan.lrs)
    return Text(
        f"MNIST-1D ({data.describe()}, 40 features). Mechanics: each glassnet op and its autograd derivative on "
        f"600,001 float32 points in [-30, 30]. Gradients: an MLP with {STACK_DEPTH} hidden layers of "
        f"{plan.stack_width} units at initialisation, one backward pass on the 500 val samples, "
        f"{plan.stack_seeds} seed(s), with each activation's fan-in init N(0, gain^2/fan_in) (gain: sigmoid 1, "
        f"tanh 5/3, ReLU family sqrt 2) and with PyTorch's default init. Training: 40-{HIDDEN[0]}-{HIDDEN[1]}-10 "
        f"with the fan-in init, SGD momentum 0.9, batch 100, {plan.epochs} epochs, lr in {{{lrs}}}, seeds {seeds} "
        f"(a seed fixes the init draws and the batch order, so activations are compared seed by seed); also "
        f"sigmoid(x) - 0.5, which has sigmoid's slope and a zero-mean output. Convergence = the mean training "
        f"loss over the epochs (area under the curve; lower = faster); the best lr of an activation is the grid "
        f"lr with the lowest mean area. Update ratio = ||W_after - W_before|| / ||W_before|| of every 5th step, "
        f"averaged over the weight matrices. Timings: best of {plan.repeats} runs, single BLAS thread.",
        f"MNIST-1D({data.describe()},40 个特征)。机制:每个 glassnet 算子及其自动求导的导数,在 [-30, 30] 上 600,001 个 "
        f"float32 点上计算。梯度:{STACK_DEPTH} 个隐藏层、每层 {plan.stack_width} 个单元的 MLP,初始化后在 500 个验证样本上做"
        f"一次反向传播,{plan.stack_seeds} 个种子;分别用各激活函数自己的 fan-in 初始化 N(0, gain^2/fan_in)(gain:sigmoid 1,"
        f"tanh 5/3,ReLU 族 sqrt 2)与 PyTorch 默认初始化。训练:40-{HIDDEN[0]}-{HIDDEN[1]}-10,fan-in 初始化,SGD 动量 0.9,"
        f"批大小 100,{plan.epochs} 轮,学习率取 {{{lrs}}},种子 {seeds}(种子固定初始化与批次顺序,因此按种子逐一配对比较);"
        f"另加 sigmoid(x) - 0.5:斜率与 sigmoid 相同,输出零均值。收敛速度 = 各轮训练损失的平均(损失曲线下面积,越低越快);"
        f"某激活函数的最佳学习率是网格中平均面积最低者。更新比 = 每 5 步测一次 ||W后 - W前|| / ||W前||,对各权重矩阵取平均。"
        f"计时:{plan.repeats} 次中最快的一次,单 BLAS 线程。",
    )


def _pm(values: list[float], digits: int = 3) -> str:
    return pm(values, digits, ddof=1, finite_only=True)


# -- sigmoid --------------------------------------------------------------------------------------
RANGE_RULE = Text(
    "range: every output in [0, 1] and both ends reached within 1e-3 on the grid; the 'advantage' in hidden layers: "
    "holds when the centred variant sigmoid - 0.5 (same slope, output in (-0.5, 0.5)) does not converge faster than "
    "sigmoid, each at its best lr; partly when the range is right but the centred variant converges faster (lower "
    "loss area in every seed and by at least 5% on average); does not hold when the range is wrong",
    "值域:网格上所有输出都在 [0, 1] 内且两端都在 1e-3 以内达到;隐藏层中的'优点':若居中版本 sigmoid - 0.5(斜率相同,输出在 "
    "(-0.5, 0.5))在各自最佳学习率下收敛并不更快则成立;值域正确但居中版本收敛更快(每个种子的损失面积都更低且平均至少低 5%)"
    "为部分成立;值域错误则不成立",
)
RANGE_NOTE = Text(
    "The range is exact, and closed in float32: sigmoid rounds to exactly 1.0 and 0.0 beyond the x shown (glassnet "
    "computes it as (1 + tanh(x/2)) / 2, which cannot overflow). Its real use is as "
    "an output read as a probability (binary classification, gates); in hidden layers the same range puts every "
    "output on one side of zero, which the centred variant isolates. Suggested wording: 'Sigmoid's output lies in "
    "(0, 1), so it can be read as a probability (useful in the output layer)'.",
    "值域结论是精确的,且在 float32 中为闭区间:超过表中的 x 后 sigmoid 舍入为恰好 1.0 和 0.0(glassnet 用 (1 + tanh(x/2)) / 2 "
    "计算,不会溢出)。它真正的用处是作为可解读为概率的输出"
    "(二分类、门控);在隐藏层中,同样的值域使所有输出都在零的一侧,居中版本正是把这一点单独分离出来。建议改写为:"
    "'sigmoid 的输出在 (0, 1) 内,可解读为概率(适合输出层)'。",
)


def range_numbers(c: Context, m: Mechanics, gap: float) -> dict[Any, Any]:
    return {
        Text("min output", "最小输出"): m.low,
        Text("max output", "最大输出"): m.high,
        Text(
            "smallest x with sigmoid(x) == 1.0 in float32", "float32 中 sigmoid(x) == 1.0 的最小 x"
        ): m.exact_one_at,
        Text(
            "largest x with sigmoid(x) == 0.0 in float32", "float32 中 sigmoid(x) == 0.0 的最大 x"
        ): m.exact_zero_at,
        Text("loss area, sigmoid (best lr)", "损失面积,sigmoid(最佳学习率)"): _pm(
            c.area("sigmoid")
        ),
        Text("loss area, sigmoid - 0.5 (best lr)", "损失面积,sigmoid - 0.5(最佳学习率)"): _pm(
            c.area("centred_sigmoid")
        ),
        Text("centred variant's mean relative gain", "居中版本的平均相对提升"): round(gap, 4),
    }


VANISHING_RULE = Text(
    f"in the {STACK_DEPTH}-hidden-layer stack with each activation's fan-in init: holds when sigmoid's first-to-last "
    f"weight-gradient ratio (geometric mean over seeds) is below {VANISH:g} and at most 1/10 of ReLU's; partly when "
    f"one of the two; does not hold when neither",
    f"在 {STACK_DEPTH} 个隐藏层、各用自身 fan-in 初始化的网络中:sigmoid 第一层与最后一层权重梯度之比(种子几何平均)低于 "
    f"{VANISH:g} 且不超过 ReLU 的 1/10 则成立;满足其一为部分成立;都不满足则不成立",
)


def _ratios(c: Context, init: str | None) -> dict[Any, Any]:
    tag = (
        ("fan-in init", "fan-in 初始化") if init else ("PyTorch default init", "PyTorch 默认初始化")
    )
    return {
        Text(
            f"first/last weight gradient, {L(name)}, {tag[0]}",
            f"第一层/最后一层权重梯度,{L(name)},{tag[1]}",
        ): c.ratio(name, init)
        for name in ("sigmoid", "tanh", "relu")
    }


def vanishing_numbers(c: Context) -> dict[Any, Any]:
    m = c.grid["sigmoid"]
    return {
        Text("max sigmoid'(x)", "sigmoid'(x) 最大值"): m.max_grad,
        **_ratios(c, "kaiming"),
        **_ratios(c, None),
    }


SATURATION_RULE = Text(
    f"saturated = outputs below 0.01 or above 0.99 (diagnose's threshold, where the gradient is under 4% of its "
    f"maximum), averaged over the hidden layers of the 40-100-100-10 MLP: holds when at least {SATURATED:.0%} saturate "
    f"at init or after training at the best lr; partly when that happens only with too-large N(0, 1) weights; does "
    f"not hold otherwise",
    f"饱和 = 输出低于 0.01 或高于 0.99(diagnose 的阈值,此处梯度不到最大值的 4%),对 40-100-100-10 MLP 的隐藏层取平均:"
    f"初始化时或以最佳学习率训练后至少 {SATURATED:.0%} 饱和则成立;只有在权重过大(N(0, 1))时才如此为部分成立;否则不成立",
)
SATURATION_NOTE = Text(
    "The notes' interval (-0.9~0.9) is not where sigmoid saturates: at x = 0.9 its gradient is still most of its "
    "maximum (see the numbers); it falls below 10% of the maximum only beyond the |x| shown.",
    "笔记中的区间 (-0.9~0.9) 并不是 sigmoid 的饱和区:在 x = 0.9 处梯度仍是最大值的大部分(见数字);"
    "只有 |x| 超过表中所示的值后,梯度才低于最大值的 10%。",
)


def saturation_numbers(c: Context, name: str) -> dict[Any, Any]:
    init, trained, large = c.saturation(name)
    m = c.grid[name]
    return {
        Text("saturated at init (fan-in init)", "初始化时饱和比例(fan-in 初始化)"): round(init, 4),
        Text(
            f"saturated after training (lr {c.best[name]:g})",
            f"训练后饱和比例(学习率 {c.best[name]:g})",
        ): round(trained, 4),
        Text("saturated at init, N(0, 1) weights", "初始化时饱和比例,N(0, 1) 权重"): round(
            large, 4
        ),
        Text("gradient at x = 0.9 / max", "x = 0.9 处梯度 / 最大值"): round(m.grad_at_09, 3),
        Text("|x| where the gradient falls to 10% of max", "梯度降到最大值 10% 的 |x|"): round(
            m.active_edge, 2
        ),
    }


EXP_COST_RULE = Text(
    f"glassnet's forward + backward per element on {ACTIVATION_SIZE:,} float32 values (the MLP's activation size): "
    f"holds when sigmoid costs at least {COSTLY:g}x ReLU and makes a whole training step of the MLP at least 10% "
    f"slower; partly when only the first; does not hold when sigmoid costs under {COSTLY:g}x ReLU",
    f"glassnet 在 {ACTIVATION_SIZE:,} 个 float32 值(MLP 中一次激活的规模)上每个元素的前向 + 反向耗时:sigmoid 至少是 ReLU 的 "
    f"{COSTLY:g} 倍、且使 MLP 的整个训练步慢至少 10% 则成立;只满足前者为部分成立;不到 ReLU 的 {COSTLY:g} 倍则不成立",
)


def timing_note(result: Result, c: Context) -> Text:
    """The fixed note on timings, then what this run measured for Leaky ReLU and ELU."""
    small = c.costs[ACTIVATION_SIZE]
    relu = small["relu"]["forward_backward"]
    measured = result.say(
        "relu_family_cost",
        leaky_over_relu=small["leaky_relu"]["forward_backward"] / relu,
        elu_over_relu=small["elu"]["forward_backward"] / relu,
    )
    fixed = result.text("timing_note")
    return Text(fixed.en + measured.en, fixed.zh + measured.zh)


def cost_numbers(c: Context, name: str) -> dict[Any, Any]:
    small = c.costs[ACTIVATION_SIZE]
    numbers: dict[Any, Any] = {
        Text(f"{L(name)} fwd+bwd ns/element", f"{L(name)} 前向+反向 ns/元素"): round(
            small[name]["forward_backward"], 3
        ),
        Text("ReLU fwd+bwd ns/element", "ReLU 前向+反向 ns/元素"): round(
            small["relu"]["forward_backward"], 3
        ),
        Text(
            f"{L(name)} / ReLU (glassnet fwd+bwd)", f"{L(name)} / ReLU(glassnet 前向+反向)"
        ): round(small[name]["forward_backward"] / small["relu"]["forward_backward"], 2),
        Text(f"{L(name)} / ReLU (NumPy formula)", f"{L(name)} / ReLU(NumPy 公式)"): round(
            small[name]["numpy"] / small["relu"]["numpy"], 2
        ),
    }
    for size, timing in c.costs.items():
        if size != ACTIVATION_SIZE:
            numbers[
                Text(
                    f"{L(name)} / ReLU at {size:,} elements", f"{size:,} 个元素时 {L(name)} / ReLU"
                )
            ] = round(timing[name]["forward_backward"] / timing["relu"]["forward_backward"], 2)
    numbers[Text(f"MLP training step, {L(name)} / ReLU", f"MLP 训练步耗时,{L(name)} / ReLU")] = (
        round(c.steps[name] / c.steps["relu"], 3)
    )
    return numbers


# -- tanh -------------------------------------------------------------------------------------------
ZERO_MEAN_RULE = Text(
    f"offset = |a unit's mean| / its RMS over the training samples, averaged over units and hidden layers (0: "
    f"centred, 1: one sign): a stage agrees when tanh's offset is at most {CENTRED:g} and sigmoid's at least "
    f"{OFF_CENTRE:g}; holds when both stages (at init; after training at the best lr) agree, partly when one does, "
    f"does not hold when neither",
    f"偏移 = 单元在训练样本上的 |均值| / 均方根,对单元和隐藏层取平均(0:居中,1:全同号):tanh 的偏移不超过 {CENTRED:g} "
    f"且 sigmoid 的至少 {OFF_CENTRE:g} 则该阶段一致;两个阶段(初始化时、以最佳学习率训练后)都一致则成立,一个一致为部分成立,"
    f"都不一致则不成立",
)


def zero_mean_numbers(c: Context, stages: list[tuple[float, float, bool]]) -> dict[Any, Any]:
    (tanh0, sig0, _), (tanh1, sig1, _) = stages
    mean = {
        name: mean_std([s.layer_mean for s in c.init_stats[name]], ddof=1, finite_only=True)[0]
        for name in ("tanh", "sigmoid")
    }
    return {
        Text("tanh offset at init", "tanh 初始化时偏移"): round(tanh0, 3),
        Text("sigmoid offset at init", "sigmoid 初始化时偏移"): round(sig0, 3),
        Text("tanh offset after training", "tanh 训练后偏移"): round(tanh1, 3),
        Text("sigmoid offset after training", "sigmoid 训练后偏移"): round(sig1, 3),
        Text("tanh layer mean at init", "tanh 初始化时层均值"): round(mean["tanh"], 3),
        Text("sigmoid layer mean at init", "sigmoid 初始化时层均值"): round(mean["sigmoid"], 3),
    }


CONVERGENCE_RULE = Text(
    "two comparisons, each activation at its best grid lr, seed by seed: (A) sigmoid - 0.5 against sigmoid (the "
    "same slope, so only the mean differs), (B) tanh against sigmoid; 'faster' = lower loss area in every seed and "
    "at least 5% lower on average. Holds when both A and B are faster, partly when one is, does not hold when neither",
    "两组比较,各自用网格中的最佳学习率,按种子配对:(A) sigmoid - 0.5 对 sigmoid(斜率相同,只有均值不同),(B) tanh 对 sigmoid;"
    "'更快' = 每个种子的损失面积都更低且平均至少低 5%。A、B 都更快则成立,一个更快为部分成立,都不是则不成立",
)
CONVERGENCE_NOTE = Text(
    "tanh(x) = 2 sigmoid(2x) - 1: besides being centred it is four times steeper at 0, and its fan-in init is 5/3 "
    "larger. Comparison A removes everything but the mean; if B is faster and A is not, tanh's speed comes from its "
    "slope, not from the zero mean.",
    "tanh(x) = 2 sigmoid(2x) - 1:除了居中之外,它在 0 处的斜率是 sigmoid 的 4 倍,fan-in 初始化也大 5/3 倍。比较 A 排除了均值以外"
    "的所有差别;若 B 更快而 A 不快,那么 tanh 的速度来自斜率而不是零均值。",
)


def convergence_numbers(c: Context, gap_centred: float, gap_tanh: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {}
    for name in ("sigmoid", "centred_sigmoid", "tanh"):
        numbers[
            Text(
                f"loss area, {L(name)} (lr {c.best[name]:g})",
                f"损失面积,{L(name)}(学习率 {c.best[name]:g})",
            )
        ] = _pm(c.area(name))
    numbers[Text("(A) relative gain of sigmoid - 0.5", "(A) sigmoid - 0.5 的相对提升")] = round(
        gap_centred, 4
    )
    numbers[Text("(B) relative gain of tanh", "(B) tanh 的相对提升")] = round(gap_tanh, 4)
    for name in ("sigmoid", "centred_sigmoid", "tanh"):
        numbers[
            Text(
                f"loss area at lr {COMMON_LR:g}, {L(name)}",
                f"学习率 {COMMON_LR:g} 时损失面积,{L(name)}",
            )
        ] = _pm(c.area(name, COMMON_LR))
    return numbers


SAME_CONS_RULE = Text(
    f"sigmoid's three cons checked on tanh with the thresholds used for sigmoid: vanishing (first/last ratio below "
    f"{VANISH:g} in the stack), saturation (at least {SATURATED:.0%} of outputs with |y| > 0.99 at init or after "
    f"training), cost (fwd+bwd at least {COSTLY:g}x ReLU). Holds when all three are present, partly when one or two, "
    f"does not hold when none",
    f"用判定 sigmoid 的同样阈值检查 tanh 是否有 sigmoid 的三个缺点:梯度消失(网络中第一层/最后一层之比低于 {VANISH:g})、"
    f"饱和(初始化时或训练后至少 {SATURATED:.0%} 的输出 |y| > 0.99)、计算代价(前向+反向至少是 ReLU 的 {COSTLY:g} 倍)。"
    f"三个都有则成立,有一两个为部分成立,都没有则不成立",
)


SAME_CONS_NOTE = Text(
    "tanh's slope at 0 is 1, four times sigmoid's, which is why a deep tanh stack keeps its gradient where sigmoid's "
    "vanishes; its outputs do saturate more often than sigmoid's in the same network (numbers), so 'the same cons' "
    "is a matter of degree, and timing depends on the machine.",
    "tanh 在 0 处的斜率是 1,是 sigmoid 的 4 倍,所以深层 tanh 网络能保住梯度,而 sigmoid 的梯度消失了;在同样的网络中 tanh 的输出"
    "确实比 sigmoid 更常饱和(见数字),所以'一样的缺点'是程度问题,而计时取决于机器。",
)


def same_cons_numbers(c: Context, cons: dict[str, bool]) -> dict[Any, Any]:
    init, trained, large = c.saturation("tanh")
    return {
        Text("first/last weight gradient, tanh", "第一层/最后一层权重梯度,tanh"): c.ratio("tanh"),
        Text("first/last weight gradient, sigmoid", "第一层/最后一层权重梯度,sigmoid"): c.ratio(
            "sigmoid"
        ),
        Text("tanh saturated at init", "tanh 初始化时饱和比例"): round(init, 4),
        Text(
            f"tanh saturated after training (lr {c.best['tanh']:g})",
            f"tanh 训练后饱和比例(学习率 {c.best['tanh']:g})",
        ): round(trained, 4),
        Text(
            "tanh saturated at init, N(0, 1) weights (not in the rule)",
            "tanh 初始化时饱和比例,N(0, 1) 权重(不计入规则)",
        ): round(large, 4),
        Text(
            "sigmoid saturated after training (not in the rule)",
            "sigmoid 训练后饱和比例(不计入规则)",
        ): round(c.saturation("sigmoid")[1], 4),
        Text("tanh / ReLU cost (fwd+bwd)", "tanh / ReLU 耗时(前向+反向)"): round(
            c.cost("tanh") / c.cost("relu"), 2
        ),
        Text("cons present", "具有的缺点"): ", ".join(
            name for name, present in cons.items() if present
        )
        or "none",
    }


# -- ReLU family -------------------------------------------------------------------------------------
CHEAP_RULE = Text(
    "glassnet's forward + backward per element: holds when ReLU costs at most half of both sigmoid and tanh; partly "
    "when it is cheaper than both but not by 2x; does not hold otherwise",
    "glassnet 每个元素的前向 + 反向耗时:ReLU 不超过 sigmoid 和 tanh 的一半则成立;比两者都便宜但不到 2 倍为部分成立;否则不成立",
)


def cheap_numbers(c: Context) -> dict[Any, Any]:
    small = c.costs[ACTIVATION_SIZE]
    numbers: dict[Any, Any] = {
        Text(f"{L(name)} fwd+bwd ns/element", f"{L(name)} 前向+反向 ns/元素"): round(
            small[name]["forward_backward"], 3
        )
        for name in T.ACTIVATIONS
    }
    numbers[Text("MLP training step ms, ReLU", "MLP 训练步毫秒,ReLU")] = round(
        c.steps["relu"] * 1e3, 3
    )
    numbers[Text("MLP training step ms, sigmoid", "MLP 训练步毫秒,sigmoid")] = round(
        c.steps["sigmoid"] * 1e3, 3
    )
    return numbers


EXACT_MARGIN = Text(
    "exact on the grid: one point that disagrees changes the verdict",
    "在网格上精确成立:只要一个点不符合,结论就会改变",
)
VALUE_ONE_RULE = Text(
    "holds when relu(x) == 1 for every grid x > 0; does not hold otherwise",
    "网格上每个 x > 0 都有 relu(x) == 1 则成立;否则不成立",
)
VALUE_ONE_NOTE = Text(
    "Above 0 the value is x and the derivative is 1 (the notes' own next section says 'the "
    "derivative is 1'). Suggested wording: 'above 0 the derivative is 1'.",
    "大于 0 时激活值是 x,导数才是 1(笔记下一节自己也写了'导数均为1')。建议改写为:'大于0则导数为1'。",
)


def value_one_numbers(m: Mechanics) -> dict[Any, Any]:
    return {
        Text("max |relu(x) - x|, x > 0", "max |relu(x) - x|,x > 0"): m.value_error_pos,
        Text("max |relu(x) - 1|, x > 0", "max |relu(x) - 1|,x > 0"): m.one_error_pos,
        Text("min relu'(x), x > 0", "min relu'(x),x > 0"): m.grad_pos[0],
        Text("max relu'(x), x > 0", "max relu'(x),x > 0"): m.grad_pos[1],
    }


DEAD_RULE = Text(
    "holds when relu(x) and its gradient are exactly 0 at every grid x < 0 and, after training at the largest grid "
    "lr that stays finite, at least 1% of the hidden units are dead (input <= 0 for every training sample); partly "
    "when only the first; does not hold when the first fails",
    "网格上每个 x < 0 处 relu(x) 与其梯度都恰好为 0,且以网格中仍保持有限的最大学习率训练后至少 1% 的隐藏单元死亡(对每个训练"
    "样本输入都 <= 0)则成立;只满足前者为部分成立;前者不满足则不成立",
)


def dead_numbers(c: Context, m: Mechanics, lr: float | None, dead: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text("share of x < 0 with relu(x) == 0", "x < 0 中 relu(x) == 0 的比例"): m.zeros_neg,
        Text("max |relu'(x)|, x < 0", "max |relu'(x)|,x < 0"): m.min_grad_neg,
        Text("dead units at init", "初始化时死亡单元比例"): round(
            mean_std([s.never_positive for s in c.init_stats["relu"]], ddof=1, finite_only=True)[0],
            4,
        ),
    }
    for grid_lr in c.plan.lrs:
        numbers[
            Text(
                f"dead units after training, lr {grid_lr:g}",
                f"训练后死亡单元比例,学习率 {grid_lr:g}",
            )
        ] = round(
            mean_std(
                [s.never_positive for s in c.trained["relu", grid_lr].after],
                ddof=1,
                finite_only=True,
            )[0],
            4,
        )
    numbers[Text("deciding lr", "用于判定的学习率")] = "-" if lr is None else lr
    return numbers


UPDATES_RULE = Text(
    f"at the shared lr {COMMON_LR:g}: (1) ReLU's mean update ratio in the last quarter of the epochs is larger than "
    f"in the first quarter; (2) it is at least 1.5x tanh's in the last quarter. Holds when both, partly when one, "
    f"does not hold when neither",
    f"在共同学习率 {COMMON_LR:g} 下:(1) ReLU 最后四分之一轮次的平均更新比大于最初四分之一;(2) 它至少是 tanh 最后四分之一的 "
    f"1.5 倍。两者都满足则成立,满足其一为部分成立,都不满足则不成立",
)


def update_numbers(c: Context, early: float) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text("ReLU update ratio, first quarter", "ReLU 更新比,最初四分之一"): early
    }
    for name in T.ACTIVATIONS:
        numbers[Text(f"{L(name)} update ratio, last quarter", f"{L(name)} 更新比,最后四分之一")] = (
            c.late_update(name)
        )
    return numbers


LEAKY_RULE = Text(
    "holds when leaky_relu(x) != 0 and its gradient is at least the slope 0.01 at every grid x < 0; "
    "does not hold otherwise",
    "网格上每个 x < 0 处 leaky_relu(x) != 0 且梯度不小于斜率 0.01 则成立;否则不成立",
)


def leaky_note(c: Context, lr: float | None) -> Text:
    """What the trained networks say beyond the exact check: do Leaky ReLU's always-negative units recover?"""
    if lr is None:
        return Text(
            "Every grid lr diverged for ReLU, so the trained networks say nothing here.",
            "ReLU 在网格中每个学习率下都发散了,训练后的网络在这一点上无可比较。",
        )
    shares = [
        mean_std([s.never_positive for s in c.trained[name, lr].after], ddof=1, finite_only=True)[0]
        for name in ("relu", "leaky_relu")
    ]
    return Text(
        f"An output and a gradient (0.01x) are always produced. After training at lr {lr:g}, "
        f"{shares[1]:.1%} of Leaky ReLU units still had a negative input for every training sample (ReLU: "
        f"{shares[0]:.1%} dead): the small gradient keeps them alive in principle, whether it brings them back "
        f"within the run is what these two numbers compare.",
        f"输出和梯度(0.01x)总是存在。以学习率 {lr:g} 训练后,仍有 {shares[1]:.1%} 的 Leaky ReLU 单元对每个训练样本的输入都为负"
        f"(ReLU 死亡单元:{shares[0]:.1%}):小梯度在原理上让它们保持存活,但能否在训练中把它们拉回来,正由这两个数字比较。",
    )


def leaky_numbers(c: Context, m: Mechanics, lr: float | None) -> dict[Any, Any]:
    numbers: dict[Any, Any] = {
        Text(
            "share of x < 0 with leaky_relu(x) == 0", "x < 0 中 leaky_relu(x) == 0 的比例"
        ): m.zeros_neg,
        Text("min gradient, x < 0", "x < 0 时最小梯度"): m.min_grad_neg,
    }
    if lr is not None:
        for name in ("relu", "leaky_relu"):
            numbers[
                Text(
                    f"{L(name)} units with input <= 0 on every sample, lr {lr:g}",
                    f"{L(name)} 对所有样本输入都 <= 0 的单元比例,学习率 {lr:g}",
                )
            ] = round(
                mean_std(
                    [s.never_positive for s in c.trained[name, lr].after], ddof=1, finite_only=True
                )[0],
                4,
            )
    return numbers


INHERIT_RULE = Text(
    f"ReLU's other con in the notes is 'late in training the updates may be too large': holds when the two "
    f"activations' last-quarter update ratios at lr {COMMON_LR:g} are within a factor {FACTOR_SAME:g}, partly when "
    f"within {FACTOR_CLOSE:g}, does not hold otherwise",
    f"笔记中 ReLU 的另一个缺点是'训练后期权重更新可能太大':两个激活函数在学习率 {COMMON_LR:g} 下最后四分之一的更新比相差在 "
    f"{FACTOR_SAME:g} 倍以内则成立,{FACTOR_CLOSE:g} 倍以内为部分成立,否则不成立",
)
INHERIT_NOTE = Text(
    "Whether ReLU has this con at all is judged in 'relu_large_updates'; this verdict only says "
    "whether Leaky ReLU behaves like ReLU there.",
    "ReLU 是否真有这个缺点由 'relu_large_updates' 判定;此处只判断 Leaky ReLU 在这一点上是否与 ReLU 一样。",
)
ELU_INHERIT_NOTE = Text(
    "ELU also adds a con of its own that the notes leave out: it computes an exponential for "
    "x < 0 (see its cost per element in the cost table).",
    "ELU 还多了一个笔记没有提到的缺点:x < 0 时要计算指数(见耗时表中的每元素耗时)。",
)


def inherit_numbers(c: Context, name: str, parent: str, factor: float) -> dict[Any, Any]:
    return {
        Text(
            f"{L(name)} update ratio, last quarter", f"{L(name)} 更新比,最后四分之一"
        ): c.late_update(name),
        Text(
            f"{L(parent)} update ratio, last quarter", f"{L(parent)} 更新比,最后四分之一"
        ): c.late_update(parent),
        Text("factor between them", "两者之比"): round(factor, 3),
        Text(
            f"{L(name)} / {L(parent)} cost (fwd+bwd)", f"{L(name)} / {L(parent)} 耗时(前向+反向)"
        ): round(c.cost(name) / c.cost(parent), 2),
    }


SMOOTH_RULE = Text(
    "largest change of the derivative between neighbouring grid points (spacing 1e-4): holds when "
    "ELU's is below 1e-3 and Leaky ReLU's above 0.5; does not hold otherwise",
    "相邻网格点(间距 1e-4)之间导数的最大变化:ELU 低于 1e-3 且 Leaky ReLU 高于 0.5 则成立;否则不成立",
)
SMOOTH_NOTE = Text(
    "ELU (alpha = 1) has a continuous first derivative but its second derivative jumps from 1 to 0 at "
    "x = 0; with alpha != 1 its first derivative jumps too (from alpha to 1).",
    "ELU(alpha = 1)的一阶导数连续,但二阶导数在 x = 0 处从 1 跳到 0;alpha != 1 时一阶导数也会跳变(从 alpha 到 1)。",
)


def smooth_numbers(c: Context) -> dict[Any, Any]:
    return {
        Text(f"largest derivative jump, {L(name)}", f"导数最大跳变,{L(name)}"): c.grid[name].jump
        for name in ("elu", "leaky_relu", "relu")
    }
