"""Lighthouse's accessibility audit of the app's first page, as a visitor's browser loads it.

Lighthouse 12.2.3 (npm, pinned; `make test` installs it into ~/.cache/mnist-demo, or $LIGHTHOUSE names
its command) drives Debian's Chromium headless against the app served in this process. The score must
reach the goal, and every audit that still fails must be one known to be Gradio's own.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness import CHROMIUM

pytestmark = pytest.mark.e2e

LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE = Path(os.environ.get(
    "LIGHTHOUSE", Path.home() / ".cache" / "mnist-demo" / f"lighthouse-{LIGHTHOUSE_VERSION}" / "node_modules" / ".bin" / "lighthouse"
))
GOAL = 0.98
# Audits that fail on a bare Gradio 6.31 page and that the app cannot fix without patching Gradio's page:
# the footer's Settings button holds an <img alt="Settings"> beside the word Settings.
GRADIOS_OWN = {"image-redundant-alt"}
AUDIT_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def report(served_url: str, tmp_path_factory) -> dict:
    """Lighthouse's JSON report of the app's first page (accessibility only, no throttling: nothing here is timed)."""
    if not LIGHTHOUSE.is_file():
        pytest.skip(f"{LIGHTHOUSE} is missing: `make test` installs lighthouse@{LIGHTHOUSE_VERSION} (npm)")
    out = tmp_path_factory.mktemp("lighthouse") / "report.json"
    command = [
        str(LIGHTHOUSE), served_url, "--only-categories=accessibility", "--output=json", f"--output-path={out}",
        "--quiet", "--throttling-method=provided", "--form-factor=desktop", "--screenEmulation.disabled",
        "--max-wait-for-load=30000", "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking",
    ]
    result = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                            timeout=AUDIT_TIMEOUT_S)
    assert result.returncode == 0 and out.is_file(), result.stderr[-2000:]
    return json.loads(out.read_text())


def failing(report: dict) -> dict[str, str]:
    """{audit id: title} of the accessibility audits that fail."""
    refs = report["categories"]["accessibility"]["auditRefs"]
    audits = {ref["id"]: report["audits"][ref["id"]] for ref in refs}
    return {name: audit["title"] for name, audit in audits.items() if audit["score"] is not None and audit["score"] < 1}


def test_lighthouse_accessibility_reaches_the_goal(report):
    score = report["categories"]["accessibility"]["score"]
    assert report["lighthouseVersion"] == LIGHTHOUSE_VERSION
    print(f"\nLighthouse {LIGHTHOUSE_VERSION} accessibility {score}; failing: {failing(report)}")  # for docs/results.md (-s)
    assert score >= GOAL, f"accessibility {score} < {GOAL}; failing: {failing(report)}"


def test_every_audit_still_failing_is_gradios(report):
    assert set(failing(report)) <= GRADIOS_OWN, failing(report)
