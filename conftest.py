"""Repository-wide pytest policy: in CI (CI=true) a skipped test is a failed test.

Locally a test may skip when a prerequisite is missing (say, no Chromium for the browser test) and
say why (`-ra` prints the reasons). In CI nothing may be skipped: each skip, whether from a test, a
fixture or a whole module, is reported as a failure with its reason, so a missing prerequisite can
never turn into a green run. Expected failures (xfail) are strict through pyproject.toml.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True where the CI environment variable says so (CI=true, as .ci/run sets it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def pytest_report_header(config):
    return "CI=true: skipped tests count as failures" if in_ci() else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {_skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"module skipped in CI, which counts as a failure: {_skip_reason(report)}"
