"""The README's code blocks run as written (issue 19, item 6).

Every fenced block of README.md tagged ```python, ```sh, ```bash or ```console runs, in
the order of the README, in one temporary folder (so a block may use the files an earlier
block wrote, as a reader following the tour would), with PYTHONPATH inherited:

- python: the block is a script, run by this Python (`sys.executable -`). A top-level
  line `print(...)  # SHOWN` shows what it prints: SHOWN must be a line of the output,
  in the order of the prints.
- sh/bash: each line is a command for bash -e (a line ending in a backslash continues on
  the next; `# ...` comments and blank lines are ignored).
- console: lines starting with `$ ` are commands; the lines after one, up to the next
  `$ ` line, are its shown output. Each shown line must appear in the real output (stdout
  and stderr), in order, as a whole line after trailing spaces are stripped; a line `...`
  stands for any number of lines.

`glassnet` and `python` on a command line are this checkout's (a folder of small shims
goes first on PATH: `python -m glassnet` with this interpreter).

Blocks with any other tag (or none: output samples, the layout tree) are not run. Two
ways to leave something out, both visible in the README's source:

- `<!-- not run: REASON -->` on its own line right before a block (blank lines between
  are allowed) marks the block as illustrative; REASON must say why (it takes minutes,
  it needs files that are not in the repository, ...).
- SKIPPED_COMMANDS below: command prefixes never run, wherever they appear. Keep it small:
  `make` (creates a virtual environment and runs everything) and `glassnet lab` (runs
  experiments for minutes; tests/lab covers it).

A failing block names its README line, the command and its output.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
RUN_TAGS = {"python": "python", "sh": "sh", "bash": "sh", "shell": "sh", "console": "console"}
SKIPPED_COMMANDS = ("make", "glassnet lab")
NOT_RUN = re.compile(r"<!--\s*not run:\s*(\S.*?)\s*-->")
TIMEOUT = 120  # seconds per command


@dataclass
class Block:
    line: int  # the README line of the opening fence
    tag: str  # python, sh or console
    text: str
    not_run: str | None  # the reason given in <!-- not run: ... -->


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks with a tag we run, with any `<!-- not run: ... -->` just before them."""
    blocks, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        fence = re.match(r"^(```+|~~~+)\s*([\w+-]*)", lines[index])
        if not fence:
            index += 1
            continue
        start, closing = index, fence.group(1)
        end = next(
            (n for n in range(start + 1, len(lines)) if lines[n].startswith(closing)), len(lines)
        )
        tag = fence.group(2).lower()
        if tag in RUN_TAGS:
            before = start - 1
            while before >= 0 and not lines[before].strip():
                before -= 1
            marker = NOT_RUN.search(lines[before]) if before >= 0 else None
            if before >= 0 and "not run" in lines[before] and marker is None:
                raise ValueError(
                    f"README.md:{before + 1}: write the marker as <!-- not run: REASON -->"
                )
            body = "\n".join(lines[start + 1 : end])
            blocks.append(
                Block(start + 1, RUN_TAGS[tag], body, marker.group(1) if marker else None)
            )
        index = end + 1
    return blocks


def shell_commands(text: str) -> list[str]:
    """sh block -> command lines (continuations joined, comments and blank lines dropped)."""
    commands, pending = [], ""
    for raw in text.splitlines():
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if line.strip() and not line.strip().startswith("#"):
            commands.append(line.strip())
    return commands


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """console block -> [(command, shown output lines)]."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].strip(), []))
        elif steps:
            steps[-1][1].append(line.rstrip())
    return steps


def check_shown_output(shown: list[str], output: str) -> str | None:
    """None if every shown line appears in `output`, in order (`...`: any lines); else why not."""
    actual = [line.rstrip() for line in output.splitlines()]
    position = 0
    for expected in shown:
        if expected.strip() in ("...", ""):
            continue
        try:
            position = actual.index(expected, position) + 1
        except ValueError:
            return f"shown line {expected!r} is not in the output (after line {position})"
    return None


def printed_comments(text: str) -> list[str]:
    """python block -> what its `print(...)  # SHOWN` lines say they print."""
    return [
        match.group(1).rstrip()
        for match in re.finditer(r"^print\(.*\)\s+#\s*(.+)$", text, flags=re.MULTILINE)
    ]


def skipped(command: str) -> bool:
    return any(command == prefix or command.startswith(prefix + " ") for prefix in SKIPPED_COMMANDS)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The shared temporary folder and an environment whose `glassnet` and `python` are ours."""
    folder = tmp_path_factory.mktemp("readme")
    shims = folder / ".bin"
    shims.mkdir()
    for name, line in (
        ("glassnet", f'exec "{sys.executable}" -m glassnet "$@"'),
        ("python", f'exec "{sys.executable}" "$@"'),
        ("python3", f'exec "{sys.executable}" "$@"'),
    ):
        path = shims / name
        path.write_text(f"#!/bin/sh\n{line}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update(OPENBLAS_NUM_THREADS="1", COLUMNS="100")
    return folder, env


def run_command(command: str, folder: Path, env: dict[str, str], where: str) -> str:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{where}: `{command}` exited {done.returncode}:\n{output}"
    return output


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{block.line}-{block.tag}" for block in BLOCKS])
def test_readme_block_runs_as_written(block, workspace):
    folder, env = workspace
    where = f"README.md:{block.line} ({block.tag} block)"
    if block.not_run is not None:
        pytest.skip(f"{where}: not run: {block.not_run}")
    if block.tag == "python":
        done = subprocess.run(
            [sys.executable, "-"],
            input=block.text,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, f"{where}:\n{done.stdout}{done.stderr}"
        problem = check_shown_output(printed_comments(block.text), done.stdout)
        assert problem is None, f"{where}: {problem}; its output:\n{done.stdout}"
        return
    steps = (
        [(command, []) for command in shell_commands(block.text)]
        if block.tag == "sh"
        else console_steps(block.text)
    )
    ran = 0
    for command, shown in steps:
        if skipped(command):
            continue
        output = run_command(command, folder, env, where)
        problem = check_shown_output(shown, output)
        assert problem is None, f"{where}: `{command}`: {problem}; its output:\n{output}"
        ran += 1
    if ran == 0:
        pytest.skip(f"{where}: every command is in SKIPPED_COMMANDS")


# -- the mechanism itself ------------------------------------------------------------------
SAMPLE = """text
<!-- not run: takes minutes -->

```sh
glassnet train --epochs 400
```

```console
$ glassnet shape 1x40 conv1d:8,k5
...
output: 8x36
```

```
a tree, not run
```
"""


def test_blocks_markers_and_steps_are_read_as_documented():
    blocks = readme_blocks(SAMPLE)
    assert [(b.line, b.tag, b.not_run) for b in blocks] == [
        (4, "sh", "takes minutes"),
        (8, "console", None),
    ]
    assert console_steps(blocks[1].text) == [
        ("glassnet shape 1x40 conv1d:8,k5", ["...", "output: 8x36"])
    ]
    assert shell_commands("a \\\n  b  # x\n# only a comment\n\nc") == ["a    b  # x", "c"]
    assert check_shown_output(["...", "output: 8x36"], "x\noutput: 8x36  \n") is None
    assert printed_comments("x = 1\nprint(x)   # 1\n    print(y)  # no\nprint(z)") == ["1"]
    assert "output: 9x36" in check_shown_output(["output: 9x36"], "output: 8x36\n")
    assert skipped("make demo") and skipped("glassnet lab x") and not skipped("glassnet labx")
    with pytest.raises(
        ValueError, match=r"README.md:1: write the marker as <!-- not run: REASON -->"
    ):
        readme_blocks("<!-- not run -->\n```sh\nls\n```\n")
