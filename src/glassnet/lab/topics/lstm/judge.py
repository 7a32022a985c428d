"""lstm's verdict on 'long_range', and the note that says what the numbers show beyond it."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.topics.lstm.settings import CONFIG, FAILS, LEARNS

LSTMS = ("lstm", "lstm_chrono")


def mean_accuracy(data: dict) -> dict:
    """{(arm, length): mean test accuracy over seeds}."""
    return {key: float(np.mean(values)) for key, values in data["accuracy"].items()}


def listed(values: list) -> str:
    return ", ".join(map(str, values))


def faster(data: dict, acc: dict, lengths: list[int]) -> list[tuple[str, int]]:
    """Where both learn: the LSTM arms that reached LEARNS in at most half the RNN's steps."""
    found = []
    for t in lengths:
        rnn_steps = data["learned_at"][("rnn", t)]
        if acc[("rnn", t)] < LEARNS or None in rnn_steps:
            continue
        for arm in LSTMS:
            steps = data["learned_at"][(arm, t)]
            if acc[(arm, t)] >= LEARNS and None not in steps:
                if np.mean(steps) <= 0.5 * np.mean(rnn_steps):
                    found.append((arm, t))
    return found


def separating(acc: dict, lengths: list[int]) -> dict[str, list[int]]:
    """{LSTM arm: the lengths where the RNN fails and that arm learns}."""
    return {
        arm: [t for t in lengths if acc[("rnn", t)] <= FAILS and acc[(arm, t)] >= LEARNS]
        for arm in LSTMS
    }


def seeds_reaching(data: dict, arm: str, lengths: list[int]) -> str:
    """'T=10: 2/2, T=25: 1/2': per length, the seeds whose accuracy reached LEARNS."""
    accuracy = data["accuracy"]
    return ", ".join(
        f"T={t}: {sum(a >= LEARNS for a in accuracy[(arm, t)])}/{len(accuracy[(arm, t)])}"
        for t in lengths
    )


def numbers(result: Result, data: dict, acc: dict, lengths: list[int]) -> dict:
    """The deciding numbers of 'long_range', their names from the catalog."""
    none = result.text("none")
    found: dict = {}
    for t in lengths:
        for arm in ("rnn", *LSTMS):
            found[result.say("num_accuracy", length=t, arm=arm)] = round(acc[(arm, t)], 3)
    for arm, lengths_there in separating(acc, lengths).items():
        found[result.text(f"num_separating_{arm}")] = listed(lengths_there) or none
    where = [result.say("faster_at", arm=arm, length=t) for arm, t in faster(data, acc, lengths)]
    joined = Text(", ".join(w.en for w in where), "、".join(w.zh for w in where))
    found[result.text("num_faster")] = joined if where else none
    reversed_at = [t for t in lengths if acc[("rnn", t)] >= LEARNS and acc[("lstm", t)] <= FAILS]
    found[result.text("num_reversed")] = listed(reversed_at) or none
    for arm in ("rnn", *LSTMS):
        label = result.say("num_seeds_reaching", arm=arm, learns=LEARNS)
        found[label] = seeds_reaching(data, arm, lengths)
    return found


def note(result: Result, data: dict, acc: dict, lengths: list[int]) -> Text | None:
    """What the numbers say beyond the verdict, each sentence only when the data show it."""
    accuracy, said = data["accuracy"], []
    every_seed = all(min(accuracy[("lstm_chrono", t)]) >= LEARNS for t in lengths)
    default_fails = [t for t in lengths if acc[("lstm", t)] <= FAILS]
    if every_seed and default_fails:
        said.append(result.say("note_default_fails", lengths=listed(default_fails)))
    worse = [t for t in lengths if acc[("rnn", t)] >= LEARNS and acc[("lstm", t)] <= FAILS]
    if worse:
        said.append(result.say("note_worse", lengths=listed(worse)))
    mixed = [
        t
        for t in lengths
        if min(accuracy[("rnn", t)]) <= FAILS < LEARNS <= max(accuracy[("rnn", t)])
    ]
    if mixed:
        said.append(result.say("note_mixed", lengths=listed(mixed)))
    if not said:
        return None
    return Text(" ".join(t.en for t in said), "".join(t.zh for t in said))


def smoke_margin(result: Result, acc: dict, longest: int) -> Text:
    """How far the smoke run's two accuracies sit from their bars."""
    chrono, rnn = acc[("lstm_chrono", longest)], acc[("rnn", longest)]
    return result.say("margin", longest=longest, chrono=chrono, rnn=rnn, learns=LEARNS, fails=FAILS)


def judge_long_range(result: Result, data: dict, mode: str) -> Verdict:
    """An LSTM learns a length the tanh RNN cannot (or, failing that, learns it faster)."""
    lengths = CONFIG[mode]["lengths"]
    acc = mean_accuracy(data)
    apart = separating(acc, lengths)
    if [t for t in apart["lstm"] if t in apart["lstm_chrono"]]:
        verdict = Verdict.HOLDS
    elif apart["lstm"] or apart["lstm_chrono"] or faster(data, acc, lengths):
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "long_range",
        verdict,
        numbers(result, data, acc, lengths),
        result.say("rule", fails=FAILS, learns=LEARNS),
        asserted=mode == "smoke",
        margin=smoke_margin(result, acc, lengths[-1]) if mode == "smoke" else None,
        note=note(result, data, acc, lengths),
    )
    return verdict
