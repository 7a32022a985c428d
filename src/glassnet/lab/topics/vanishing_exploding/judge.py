"""The vanishing_exploding topic: its tables, and one judge per claim."""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.vanishing_exploding.measure import mean_std
from glassnet.lab.topics.vanishing_exploding.settings import (
    ABNORMAL,
    ACTIVATIONS,
    BATCH,
    CONFIGS,
    EXPLODES_DECADES,
    FINE_DECADES,
    FLOAT32_RESOLUTION,
    GROWS_DECADES,
    PRODUCT_HOLDS,
    PRODUCT_PARTLY,
    PRODUCT_TOL,
    TRAIN_BATCH,
    TRAIN_LR,
    WIDTH,
    config_name,
)


def fmt(values: list[float]) -> str:
    """'mean ± std' over seeds of log10 ratios (the mean alone for one seed)."""
    mean, std = mean_std(values)
    if math.isnan(mean):
        return "nan"
    return f"{mean:+.2f} ± {std:.2f}" if len(values) > 1 else f"{mean:+.2f}"


def all_any(every: bool, some: bool) -> Verdict:
    return Verdict.HOLDS if every else Verdict.PARTLY if some else Verdict.DOES_NOT_HOLD


def setup(result: Result, m: dict) -> Text:
    return result.say(
        "setup",
        depths=m["depths"],
        width=WIDTH,
        batch=BATCH,
        scale=math.sqrt(WIDTH),
        seeds=m["seeds"],
        steps=m["steps"],
        lr=TRAIN_LR,
        train_batch=TRAIN_BATCH,
        deepest=max(m["depths"]),
    )


def signal_table(result: Result, m: dict) -> None:
    """log10 first/last backward-signal ratio of every configuration at every depth."""
    profiles, depths = m["profiles"], m["depths"]
    rows = [
        [config_name(a, i)] + [fmt([p.signal_ratio for p in profiles[(a, i, d)]]) for d in depths]
        for a, i in CONFIGS
    ]
    result.add_table(
        result.text("signal_title"),
        [result.text("col_configuration")] + [result.say("col_depth", depth=d) for d in depths],
        rows,
    )


def deepest_table(result: Result, m: dict) -> None:
    """At the deepest depth: weight gradients, signal, and the product of local factors."""
    deepest, rows = max(m["depths"]), []
    for activation, init in CONFIGS:
        runs = m["profiles"][(activation, init, deepest)]
        rows.append(
            [
                config_name(activation, init),
                fmt([p.weight_ratio for p in runs]),
                fmt([p.signal_ratio for p in runs]),
                fmt([p.predicted for p in runs]),
                f"{10 ** mean_std([np.mean(np.log10(p.factors)) for p in runs])[0]:.3g}",
                f"{np.mean([np.mean(p.phi_rms) for p in runs]):.3g}",
                f"{np.mean([np.mean(p.weight_gain) for p in runs]):.3g}",
                f"{np.median([p.weight_grads[0] for p in runs]):.3g}",
            ]
        )
    columns = ["configuration", "weight_grad", "signal", "predicted", "factor", "phi", "gain"]
    result.add_table(
        result.say("deepest_title", deepest=deepest),
        [result.text(f"col_{name}") for name in columns] + [result.text("col_first_grad")],
        rows,
        note=result.text("deepest_note"),
    )


def mean_abs(m: dict, activation: str, init: str, depth: int) -> float:
    """|mean over seeds of the log10 signal ratio| of one configuration at one depth."""
    return abs(mean_std([p.signal_ratio for p in m["profiles"][(activation, init, depth)]])[0])


def judge_too_many_layers(result: Result, m: dict) -> None:
    deepest, shallowest = max(m["depths"]), min(m["depths"])
    growth = {
        (a, i): mean_abs(m, a, i, deepest) - mean_abs(m, a, i, shallowest) for a, i in CONFIGS
    }
    grows = [config_name(a, i) for (a, i), g in growth.items() if g >= GROWS_DECADES]
    fine = [config_name(a, i) for a, i in CONFIGS if mean_abs(m, a, i, deepest) < FINE_DECADES]
    verdict = all_any(len(grows) == len(CONFIGS), bool(grows))
    numbers = {
        result.say(
            "grows_name", grows=GROWS_DECADES, shallowest=shallowest, deepest=deepest
        ): ", ".join(grows) or "none",
        result.say("fine_name", deepest=deepest): ", ".join(fine) or "none",
        **{
            result.say("num_growth", config=config_name(a, i)): round(g, 2)
            for (a, i), g in growth.items()
        },
    }
    sigmoid, relu = growth[("sigmoid", "matched")], growth[("relu", "matched")]
    result.judge(
        "too_many_layers",
        verdict,
        numbers,
        result.say("depth_rule", deepest=deepest, shallowest=shallowest, grows=GROWS_DECADES),
        asserted=True,
        margin=result.say(
            "depth_margin",
            sigmoid_growth=sigmoid,
            sigmoid_beyond=sigmoid - GROWS_DECADES,
            grows=GROWS_DECADES,
            relu_growth=relu,
            relu_beyond=abs(relu) - FINE_DECADES,
        ),
        note=result.say(
            "depth_note",
            relu_growth=relu,
            shallowest=shallowest,
            deepest=deepest,
            relu_beyond_10x=abs(relu) - 1.0,
        ),
    )


def judge_product_of_factors(result: Result, m: dict) -> None:
    cases = [
        (p.signal_ratio, p.predicted)
        for runs in m["profiles"].values()
        for p in runs
        if math.isfinite(p.signal_ratio) and abs(p.signal_ratio) >= 1.0
    ]
    within = [
        abs(pred - meas) <= max(PRODUCT_TOL[0], PRODUCT_TOL[1] * abs(meas)) for meas, pred in cases
    ]
    share = float(np.mean(within)) if within else math.nan
    verdict = (
        Verdict.NOT_MEASURED
        if not cases
        else Verdict.HOLDS
        if share >= PRODUCT_HOLDS
        else Verdict.PARTLY
        if share >= PRODUCT_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    errors = [abs(pred - meas) for meas, pred in cases]
    numbers = {
        result.text("num_networks_whose_signal_ratio_is_beyond_10x"): len(cases),
        result.text("num_predicted_within_tolerance"): int(sum(within)),
        result.text("num_share"): round(share, 3),
        result.text("num_median_predicted_measured_decades"): round(float(np.median(errors)), 3)
        if errors
        else None,
        result.text("num_largest_measured_decades"): round(max(abs(v) for v, _ in cases), 1)
        if cases
        else None,
    }
    result.judge(
        "product_of_factors",
        verdict,
        numbers,
        result.say(
            "product_rule",
            tol_abs=PRODUCT_TOL[0],
            tol_rel=PRODUCT_TOL[1],
            holds=PRODUCT_HOLDS,
            partly=PRODUCT_PARTLY,
        ),
        asserted=True,
        margin=result.say(
            "product_margin", share=share, needed=PRODUCT_HOLDS, beyond=share - PRODUCT_HOLDS
        ),
    )


def large_ratios(m: dict) -> tuple[dict, dict]:
    """Mean over seeds of the log10 weight-gradient and signal ratios, N(0,1) weights, deepest."""
    deepest = max(m["depths"])
    runs = {a: m["profiles"][(a, "large", deepest)] for a in ACTIVATIONS}
    weight = {a: mean_std([p.weight_ratio for p in runs[a]])[0] for a in ACTIVATIONS}
    signal = {a: mean_std([p.signal_ratio for p in runs[a]])[0] for a in ACTIVATIONS}
    return weight, signal


def judge_large_init_explodes(result: Result, m: dict) -> None:
    deepest = max(m["depths"])
    weight, signal = large_ratios(m)
    every = all(weight[a] >= EXPLODES_DECADES for a in ACTIVATIONS)
    some = any(max(weight[a], signal[a]) >= EXPLODES_DECADES for a in ACTIVATIONS)
    numbers: dict = {}
    for a in ACTIVATIONS:
        numbers[result.say("num_large_weight", activation=a)] = round(weight[a], 2)
        numbers[result.say("num_large_signal", activation=a)] = round(signal[a], 2)
    weakest = min(ACTIVATIONS, key=lambda a: weight[a])
    strongest = max(max(weight[a], signal[a]) for a in ACTIVATIONS)
    result.judge(
        "large_init_explodes",
        all_any(every, some),
        numbers,
        result.say("large_rule", deepest=deepest, explodes=EXPLODES_DECADES),
        asserted=True,
        margin=result.say(
            "large_margin",
            relu=weight["relu"],
            sigmoid=weight["sigmoid"],
            tanh=weight["tanh"],
            weakest_name=weakest,
            weakest=weight[weakest],
            weakest_beyond=weight[weakest] - EXPLODES_DECADES,
            strongest=strongest,
            strongest_beyond=strongest - EXPLODES_DECADES,
            explodes=EXPLODES_DECADES,
        ),
        note=result.say("large_note", **large_note_numbers(m)),
    )


def large_note_numbers(m: dict) -> dict[str, float]:
    """RMS phi'(z), the per-layer factor and ||dL/dW_1|| of the N(0,1) networks at the deepest."""
    deepest = max(m["depths"])
    runs = {
        (a, i): m["profiles"][(a, i, deepest)] for a in ACTIVATIONS for i in ("matched", "large")
    }
    phi = {a: float(np.mean([np.mean(p.phi_rms) for p in runs[(a, "large")]])) for a in ACTIVATIONS}
    factor = {
        a: float(10 ** np.mean([np.mean(np.log10(p.factors)) for p in runs[(a, "large")]]))
        for a in ACTIVATIONS
    }
    first = {
        key: float(np.median([p.weight_grads[0] for p in value])) for key, value in runs.items()
    }
    return {
        "relu_first": first[("relu", "large")],
        "he_first": first[("relu", "matched")],
        "relu_first_over_he": first[("relu", "large")] / first[("relu", "matched")],
        "sigmoid_phi": phi["sigmoid"],
        "sigmoid_factor": factor["sigmoid"],
        "tanh_phi": phi["tanh"],
        "tanh_factor": factor["tanh"],
        "scale": math.sqrt(WIDTH),
    }


def fates_table(result: Result, m: dict) -> None:
    """The first and last layers' weights after training, at the deepest depth."""
    result.add_table(
        result.say("fates_title", deepest=max(m["depths"]), steps=m["steps"], lr=TRAIN_LR),
        [
            result.text(f"col_{name}")
            for name in ("configuration", "w1_ratio", "w1_change", "wlast_ratio", "first_update")
        ],
        [
            [
                config_name(a, i),
                f"{v['first']:.4g}",
                f"{v['change']:.3g}",
                f"{v['last']:.4g}",
                f"{v['update']:.3g}",
            ]
            for (a, i), v in m["fates"].items()
        ],
    )


def abnormal(ratio: float) -> bool:
    return not math.isfinite(ratio) or ratio >= ABNORMAL or ratio <= 1 / ABNORMAL


def outside_band(ratio: float) -> float:
    """How many decades a norm ratio lies beyond [1/ABNORMAL, ABNORMAL] (negative: inside)."""
    if not (math.isfinite(ratio) and ratio > 0):
        return math.inf
    return abs(math.log10(ratio)) - math.log10(ABNORMAL)


def judge_weights_abnormal(result: Result, m: dict) -> None:
    deepest, steps = max(m["depths"]), m["steps"]
    vanishing, exploding = m["fates"][("sigmoid", "matched")], m["fates"][("relu", "large")]
    hits = [abnormal(vanishing["first"]), abnormal(exploding["first"])]
    result.judge(
        "weights_abnormal",
        all_any(all(hits), any(hits)),
        {
            result.text("num_vanishing_sigmoid_xavier_w_1_after_before"): vanishing["first"],
            result.text("num_vanishing_relative_change_of_w_1"): vanishing["change"],
            result.text("num_exploding_relu_n_0_1_w_1_after_before"): exploding["first"],
            result.text("num_exploding_first_step_s_update_ratio"): exploding["update"],
        },
        result.say("abnormal_rule", steps=steps, deepest=deepest, abnormal=ABNORMAL),
        asserted=True,
        margin=result.say(
            "abnormal_margin",
            vanishing=vanishing["first"],
            vanishing_outside=outside_band(vanishing["first"]),
            exploding=exploding["first"],
            exploding_outside=outside_band(exploding["first"]),
            update=exploding["update"],
            abnormal=ABNORMAL,
        ),
        note=result.say(
            "frozen_note",
            update=vanishing["update"],
            change=vanishing["change"],
            update_over_resolution=vanishing["update"] / FLOAT32_RESOLUTION,
            explode_update=exploding["update"],
            explode_first=exploding["first"],
            explode_outside=outside_band(exploding["first"]),
        ),
    )


def cost_table(result: Result, cpu: float, wall: float) -> None:
    result.add_table(
        result.text("cost_title"),
        [result.text("col_cpu"), result.text("col_wall")],
        [[round(cpu, 2), round(wall, 2)]],
        note=result.text("cost_note"),
    )
