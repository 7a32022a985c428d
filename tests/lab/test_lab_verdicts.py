"""docs/lab-verdicts.md's renderer and script: verdicts per seed, what differs between modes, robust,
the budget table; written reports reused. Fake topics and fake reports keep it fast."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from glassnet import lab
from glassnet.lab import Result, Verdict, registry
from glassnet.lab.budget import share
from glassnet.lab.notes_index import topic as index_topic
from glassnet.lab.verdicts import (
    QUICK_BUDGET_S,
    QUICK_TOTAL_S,
    VerdictsError,
    claim_rows,
    load_report,
    over_seeds,
    render_verdicts,
)

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "lab_verdicts.py"
NEW_TOPICS = ("compression", "style_transfer", "hyperparameters")
COMPRESSION = len(index_topic("compression").claims)  # the notes' 15 and the lab's sub-claims


def fake_zero_init(mode: str, seed: int) -> Result:
    """not_all_zero: holds everywhere; single_layer_ok: partly on quick seed 1 and in full mode;
    zero_vanishing: does not hold in quick, holds in smoke."""
    result = Result.start("zero_init", mode, seed)
    result.judge("not_all_zero", Verdict.HOLDS, {}, "rule")
    partly = (mode == "quick" and seed == 1) or mode == "full"
    result.judge("single_layer_ok", Verdict.PARTLY if partly else Verdict.HOLDS, {}, "rule")
    vanishing = Verdict.HOLDS if mode == "smoke" else Verdict.DOES_NOT_HOLD
    result.judge("zero_vanishing", vanishing, {}, "rule")
    result.judge("symmetry", Verdict.HOLDS, {}, "rule")
    return result


@pytest.fixture
def written(fake_experiment, monkeypatch, tmp_path) -> dict[str, Path]:
    """Report folders: zero_init (fake) and compression (its experiment removed) in three modes."""
    fake_experiment("zero_init", fake_zero_init)
    monkeypatch.delitem(registry._discover(), "compression", raising=False)
    folders = {}
    for mode, seeds in (("quick", [0, 1, 2]), ("smoke", [0, 1]), ("full", [0])):
        folders[mode] = tmp_path / mode
        lab.run(["zero_init", "compression"], mode=mode, seeds=seeds, out=folders[mode], progress=0)
    return folders


def test_over_seeds_names_the_common_verdict_or_the_split():
    assert over_seeds({0: "holds", 1: "holds"}) == "holds"
    assert over_seeds({0: "partly", 1: "holds", 2: "holds"}) == "unsettled (holds 2/3, partly 1/3)"
    assert over_seeds({}) == ""


def test_rows_compare_each_claim_over_seeds_and_modes(written):
    runs = {mode: [load_report(folder, mode)] for mode, folder in written.items()}
    rows = {row.key: row for row in claim_rows(runs)}
    assert len(rows) == 4 + COMPRESSION
    steady, split = rows["zero_init.not_all_zero"], rows["zero_init.single_layer_ok"]
    assert steady.modes == {
        "quick": {0: "holds", 1: "holds", 2: "holds"},
        "smoke": {0: "holds", 1: "holds"},
        "full": {0: "holds"},
    }
    assert steady.robust and not steady.differs("smoke", "quick")
    assert split.over("quick") == "unsettled (holds 2/3, partly 1/3)" and not split.robust
    assert split.differs("full", "quick") and split.differs("smoke", "quick")
    vanishing = rows["zero_init.zero_vanishing"]
    assert vanishing.differs("smoke", "quick") and not vanishing.differs("full", "quick")
    pending = rows["compression.pruning"]
    assert pending.over("quick") == "not judged yet" and not pending.robust


def test_the_page_lists_every_claim_the_differences_and_the_budget(written):
    runs = {mode: [load_report(folder, mode)] for mode, folder in written.items()}
    page = render_verdicts(runs, machine="test machine", date="2026-12-06", seconds=90)
    assert (
        "on 2026-12-06; machine: test machine. This call took 1.5 minutes (runs it reused" in page
    )
    assert (
        "| claim | kind | seed 0 | seed 1 | seed 2 | over seeds | smoke | full | robust |" in page
    )
    assert (
        "| `zero_init.not_all_zero` | empirical | holds | holds | holds | holds | = | = | robust |"
        in page
    )
    assert (
        "| `compression.pruning` | empirical | not judged yet | not judged yet | not judged yet"
        in page
    )
    smoke = page.split("## Verdicts that differ in smoke mode")[1].split("##")[0]
    full = page.split("## Verdicts that differ in full mode")[1].split("##")[0]
    assert "`zero_init.zero_vanishing`: quick does not hold; smoke holds" in smoke
    assert (
        "`zero_init.single_layer_ok`: quick unsettled (holds 2/3, partly 1/3); full partly" in full
    )
    assert "zero_vanishing" not in full
    assert (
        f"Quick mode over its seeds, {4 + COMPRESSION} claims: 2 holds, 0 partly, 1 does not hold, "
        f"{COMPRESSION} not judged yet, 1 unsettled" in page
    )
    assert "| zero_init | shared | 15 | " in page
    assert f"| **the run, wall (1 job)** | - | **{QUICK_TOTAL_S}** |" in page
    assert "A trial page" not in page
    trial = render_verdicts({"smoke": runs["smoke"]}, main="smoke")
    assert "> **A trial page: its main mode is smoke, not quick.**" in trial
    assert "| claim | kind | seed 0 | seed 1 | over seeds | quick | full | robust |" in trial
    assert "quick mode was not run for this page." in trial
    assert f"| **the run, wall** | - | **{QUICK_TOTAL_S}** | - |" in trial  # no quick run
    assert ", load average over the last 15 minutes at its end " in page


def test_the_budgets_share_ten_minutes_of_wall_time_as_the_issue_says():
    assert list(QUICK_BUDGET_S) == list(lab.notes_topics())  # every topic, in the notes' order
    shares = {topic: share(topic, seconds) for topic, seconds in QUICK_BUDGET_S.items()}
    assert shares["compression"] == 60 and shares["resnet"] == 25  # alone; shared by 2 jobs
    assert sum(shares[t] for t in NEW_TOPICS) <= 210  # 3.5 minutes
    assert sum(v for t, v in shares.items() if t not in NEW_TOPICS) <= 390  # 6.5
    assert sum(shares.values()) <= QUICK_TOTAL_S == 600


def test_a_folder_that_is_not_a_report_of_the_mode_is_refused(written, tmp_path):
    with pytest.raises(VerdictsError, match=r"nowhere/report.json: not a readable lab report"):
        load_report(tmp_path / "nowhere")
    with pytest.raises(
        VerdictsError, match=r"quick/report.json: a quick mode report, expected full"
    ):
        load_report(written["quick"], "full")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "report.json").write_text(json.dumps({"generator": "x"}))
    with pytest.raises(VerdictsError, match="not a glassnet lab report"):
        load_report(tmp_path / "other")
    with pytest.raises(VerdictsError, match="no quick-mode report given"):
        claim_rows({"smoke": [load_report(written["smoke"])]})


def script():
    spec = importlib.util.spec_from_file_location("lab_verdicts_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_reuses_written_reports_and_writes_the_page(written, tmp_path, capsys):
    out = tmp_path / "docs" / "lab-verdicts.md"
    argv = ["--quick", str(written["quick"]), "--smoke", str(written["smoke"]), "--skip-full"]
    assert script().main([*argv, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "full mode was not run for this page." in page and "- full: not run" in page
    assert "- quick: seeds 0, 1, 2: " in page and "logical CPUs, BLAS" in page
    assert f"lab_verdicts: wrote {out}" in capsys.readouterr().out
    # a folder of the wrong mode: one line, exit 2, nothing written
    wrong = ["--quick", str(written["smoke"]), "--skip-full", "--out", str(tmp_path / "x.md")]
    assert script().main(wrong) == 2
    assert "a smoke mode report, expected quick mode" in capsys.readouterr().err
    assert not (tmp_path / "x.md").exists()


def test_the_budget_table_can_take_its_times_from_a_run_alone(written):
    runs = {mode: [load_report(folder, mode)] for mode, folder in written.items()}
    quick = runs["quick"][0]
    seeds = len(quick.get("seeds") or [quick["seed"]])
    alone = {**quick, "seconds": 30.0 * seeds, "jobs": 2}
    page = render_verdicts(runs, timing=[alone])
    assert f"| **the run, wall (2 jobs)** | - | **{QUICK_TOTAL_S}** | **30.0** |" in page
    assert "| **the run, wall (2 jobs)**" not in render_verdicts(runs)  # default: the quick runs
