"""The notes ship inside the package and the index quotes them exactly."""

from __future__ import annotations

import hashlib
import itertools
import tomllib

import pytest

from glassnet.lab import notes_index
from glassnet.lab.notes_index import (
    NotesIndexError,
    notes_bytes,
    notes_lines,
    notes_text,
    topic,
    topics,
)

# What issues 7 and 8 (and the later ones) need a topic for: the index must keep them.
EXPECTED_TOPICS = [
    "conv_arithmetic",
    "activations",
    "activation_choice",
    "zero_init",
    "xavier_he",
    "init_diagnosis",
    "vanishing_exploding",
    "batchnorm",
    "optimizers",
    "lstm",
    "gradient_clipping",
    "resnet",
    "style_transfer",
    "fitting_remedies",
    "bias_variance",
    "input_pipeline",
    "evaluation",
    "compression",
    "hyperparameters",
    "mnist1d_benchmark",
]


def index_data() -> dict:
    return tomllib.loads(notes_index._package_file(notes_index.INDEX_FILE).decode("utf-8"))


def test_the_shipped_notes_are_the_pinned_file():
    data = notes_bytes()
    assert hashlib.sha256(data).hexdigest() == index_data()["notes_sha256"]
    assert len(notes_lines()) == 289
    assert notes_lines()[0] == "- 给定卷积神经网络输入,卷积核大小,padding,步长,求输出的shape?"
    assert notes_text().startswith("- 给定卷积神经网络输入")


def test_the_index_has_every_topic_in_the_notes_order():
    assert list(topics()) == EXPECTED_TOPICS
    ranges = [entry.lines for entry in topics().values() if entry.lines is not None]
    assert ranges == sorted(ranges)
    assert all(
        last < next_first for (_, last), (next_first, _) in itertools.pairwise(ranges)
    )  # no overlaps


@pytest.mark.parametrize("topic_id", EXPECTED_TOPICS)
def test_each_excerpt_and_quote_is_verbatim_in_the_shipped_file(topic_id):
    entry = topic(topic_id)
    text = notes_text()
    if entry.lines is None:
        assert entry.excerpt == "" and all(claim.source == "lab" for claim in entry.claims)
        return
    first, last = entry.lines
    assert entry.excerpt == "\n".join(text.splitlines()[first - 1 : last])
    assert entry.excerpt in text
    assert entry.question.zh in entry.excerpt
    quoted = [claim for claim in entry.claims if claim.source == "notes"]
    for claim in quoted:
        assert claim.zh in entry.excerpt, claim.key
    assert entry.english.strip() and entry.title.en and entry.title.zh
    assert entry.claims, f"{topic_id} has no claims"
    assert all(claim.en and claim.zh for claim in entry.claims)


def test_compact_excerpt_drops_only_the_empty_bullets():
    entry = topic("zero_init")
    assert entry.excerpt.splitlines() == [
        "如何初始化CNN?(理论)",
        "-",
        "不要全部把超参数设置为0(单层网络可以)",
        "- 容易梯度消失",
    ]
    assert entry.compact_excerpt.splitlines() == [
        "如何初始化CNN?(理论)",
        "不要全部把超参数设置为0(单层网络可以)",
        "- 容易梯度消失",
    ]


def test_claim_keys_are_unique_and_lookups_name_the_valid_ones():
    keys = [claim.key for entry in topics().values() for claim in entry.claims]
    assert len(keys) == len(set(keys))
    assert (
        topic("xavier_he").claim("init_snippet").zh
        == "代码Np.randon.rand(fan_in,fan_out)/np.sqrt(fan_in/2)"
    )
    with pytest.raises(
        KeyError, match="topic 'xavier_he' has no claim 'nope'; its claims are: xavier_tanh, "
    ):
        topic("xavier_he").claim("nope")
    with pytest.raises(
        KeyError, match="no topic 'nope'; known topics: conv_arithmetic, activations"
    ):
        topic("nope")


def _load_with(monkeypatch, edit) -> None:
    source = notes_index._package_file(notes_index.INDEX_FILE).decode("utf-8")
    original = notes_index._package_file
    monkeypatch.setattr(
        notes_index,
        "_package_file",
        lambda name: (
            edit(source).encode("utf-8") if name == notes_index.INDEX_FILE else original(name)
        ),
    )
    notes_index._load.cache_clear()
    try:
        notes_index._load()
    finally:
        monkeypatch.undo()
        notes_index._load.cache_clear()


def test_a_quote_that_is_not_in_the_notes_is_refused(monkeypatch):
    with pytest.raises(
        NotesIndexError,
        match=r"claim 'sigmoid_range': source 'notes' but '输出值0-2.*' is not "
        r"quoted verbatim from lines 3-60",
    ):
        _load_with(
            monkeypatch,
            lambda text: text.replace(
                'zh = "输出值0-1(很重大的优点)"', 'zh = "输出值0-2(很重大的优点)"'
            ),
        )


def test_a_changed_notes_file_or_bad_range_is_refused(monkeypatch):
    with pytest.raises(
        NotesIndexError, match="the notes' SHA-256 is 38614f16.* but the index pins 'abc'"
    ):
        pin = index_data()["notes_sha256"]
        _load_with(monkeypatch, lambda text: text.replace(pin, "abc"))
    with pytest.raises(
        NotesIndexError,
        match=r"topic 'lstm': lines must be \[first, last\] with 1 <= first <= "
        r"last <= 289, got \[184, 999\]",
    ):
        _load_with(
            monkeypatch, lambda text: text.replace("lines = [184, 184]", "lines = [184, 999]")
        )
    with pytest.raises(NotesIndexError, match="claim 'long_range': source must be one of"):
        _load_with(
            monkeypatch,
            lambda text: text.replace(
                'id = "long_range"\nsource = "lab"', 'id = "long_range"\nsource = "web"'
            ),
        )


def test_claim_kinds_reasons_and_pending_reasons():
    claims = [c for entry in topics().values() for c in entry.claims]
    assert {c.kind for c in claims} == {"empirical", "definition", "advice"}
    assert all((c.kind == "advice") == (c.reason is not None) for c in claims)
    assert topic("conv_arithmetic").claim("floor_formula").kind == "definition"
    assert topic("input_pipeline").claim("pipeline_steps").kind == "definition"
    advice = topic("bias_variance").claim("orthogonal_debugging")
    assert advice.kind == "advice" and advice.zh == "清晰的正交化方案\n- ……\n- 思路逻辑清晰的调试"
    # the three topics still to come say why their claims are not judged yet
    for topic_id, issue in (("style_transfer", 16), ("compression", 15), ("hyperparameters", 17)):
        entry = topic(topic_id)
        assert f"(issue {issue})" in entry.pending.en and entry.pending.zh
        assert all(entry.pending_reason(c) is entry.pending for c in entry.claims)
    resnet = topic("resnet")
    assert resnet.pending is None and resnet.pending_reason(resnet.claim("efficiency")) is None
    assert all(resnet.pending_reason(c) is None for c in resnet.claims)  # every one judged now


def test_bad_kinds_reasons_and_pending_are_refused(monkeypatch):
    lstm = 'id = "long_range"\nsource = "lab"'
    with pytest.raises(NotesIndexError, match=r"claim 'long_range': kind must be one of"):
        _load_with(monkeypatch, lambda t: t.replace(lstm, lstm + '\nkind = "opinion"', 1))
    with pytest.raises(NotesIndexError, match="'long_range': an advice claim needs a reason"):
        _load_with(monkeypatch, lambda t: t.replace(lstm, lstm + '\nkind = "advice"', 1))
    with pytest.raises(NotesIndexError, match=r"only an advice claim has one; kind 'empirical'"):
        _load_with(
            monkeypatch,
            lambda t: t.replace(lstm, lstm + '\nreason = { en = "a", zh = "b" }', 1),
        )
    with pytest.raises(NotesIndexError, match=r"'pending' must be \{ en = .*got 'soon'"):
        _load_with(monkeypatch, lambda t: t.replace(lstm, lstm + '\npending = "soon"', 1))
    with pytest.raises(NotesIndexError, match=r"topic 'lstm': 'pending' must be"):
        _load_with(
            monkeypatch,
            lambda t: t.replace("lines = [184, 184]", 'lines = [184, 184]\npending = { en = "x" }'),
        )
