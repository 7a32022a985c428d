"""The report opened in headless Chromium, as a reader opens it: it must load with no console message.

How: Chromium runs with `--enable-logging=stderr --v=0`, which copies every console message
(console.* calls, uncaught errors, Content-Security-Policy violations) to stderr as a line
containing ':CONSOLE'; `--dump-dom` prints the DOM once the page has loaded. The report has
no script and a CSP that forbids every load but inline CSS and data: images, so a clean
report logs nothing; a positive control (a page that breaks the policy) proves the check
can see a violation. The network is unreachable on purpose: every host resolves to
nothing (`--host-resolver-rules`) and background services are off.

Chromium is Debian's `chromium` (apt-get install -y chromium); CI installs it, so there a
missing browser fails the test; elsewhere it is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from glassnet.lab.report.html import CONTENT_SECURITY_POLICY

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    message = "Chromium is not on PATH (Debian/Ubuntu: apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI installs it, so the report must be checked in a browser")
    pytest.skip(message)


def open_in_chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    """(the DOM after load, the console lines Chromium logged) for the local file `page`."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"chromium exited with {done.returncode}:\n{done.stderr[-3000:]}"
    console = [
        line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line
    ]
    return done.stdout, console


@pytest.mark.timeout(300)
def test_the_check_sees_a_page_that_breaks_the_policy(tmp_path):
    control = tmp_path / "control.html"
    control.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}"><title>control</title></head>
<body><p id="loaded">control</p><img src="http://example.invalid/x.png" alt="external"></body></html>""")
    dom, console = open_in_chromium(control, tmp_path / "profile")
    assert 'id="loaded"' in dom
    assert any(
        "Content Security Policy" in line and "example.invalid" in line for line in console
    ), console


@pytest.mark.timeout(300)
@pytest.mark.parametrize("which", ["smoke_report", "smoke_report_zh"])
def test_the_report_loads_in_chromium_without_console_messages(which, request, tmp_path):
    report = request.getfixturevalue(which)
    dom, console = open_in_chromium(report.html, tmp_path / "profile")
    assert console == []
    assert 'id="topic-conv_arithmetic"' in dom and 'id="contents"' in dom
    figures = sum(len(result.figures) for result in report.results)
    assert dom.count("<img ") == figures >= 1
    assert dom.count('src="data:image/png;base64,') == figures
