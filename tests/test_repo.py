"""The repository keeps its promises: README commands, Spaces front matter, pins and CI agree."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# The README's two commands, run from the repository root of a fresh clone.
RUN_COMMAND = "make run"
TEST_COMMAND = "make test"

LOAD_SECTION = "## Load a model in Python"  # the README's few lines that load a shipped model outside the app
SPACE_COLORS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _pins(path: Path) -> dict[str, str]:
    """name -> pinned version for each `name==version` line (other lines: includes, comments)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s;]+)", line)
        assert match, f"{path.name}: {line!r} is not pinned as name==version"
        pins[match.group(1).lower()] = match.group(2)
    return pins


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def front_matter(readme: str) -> dict:
    assert readme.startswith("---\n"), "README.md must open with the Spaces YAML front matter"
    block = readme.split("\n---\n", 1)[0][4:]
    return yaml.safe_load(block)


@pytest.fixture(scope="module")
def requirements() -> dict[str, str]:
    return _pins(ROOT / "requirements.txt")


def _code_lines(markdown: str) -> list[str]:
    """The lines inside fenced code blocks."""
    lines, inside = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line.strip())
    return lines


def test_front_matter_is_a_gradio_space(front_matter: dict, requirements: dict[str, str]):
    for key in ("title", "emoji", "colorFrom", "colorTo", "sdk", "sdk_version", "app_file", "license",
                "short_description"):
        assert front_matter.get(key), f"front matter lacks {key}"
    assert front_matter["sdk"] == "gradio"
    assert str(front_matter["sdk_version"]) == requirements["gradio"], "sdk_version must equal the gradio pin"
    assert (ROOT / front_matter["app_file"]).is_file(), f"app_file {front_matter['app_file']} does not exist"
    assert front_matter["colorFrom"] in SPACE_COLORS and front_matter["colorTo"] in SPACE_COLORS
    assert len(front_matter["short_description"]) <= 60, "Spaces cut short_description at 60 characters"
    assert front_matter["license"] == "mit"


def test_requirements_pin_what_the_app_needs_within_the_local_caps(requirements: dict[str, str]):
    for name in ("torch", "torchvision", "gradio", "numpy", "pillow"):
        assert name in requirements, f"requirements.txt must pin {name}"
    assert _version_tuple(requirements["torch"]) <= (2, 14, 1)
    assert _version_tuple(requirements["torchvision"]) <= (0, 29, 1)


def test_dev_requirements_add_the_test_tools_to_the_app_requirements():
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in text.splitlines()
    pins = _pins(ROOT / "requirements-dev.txt")
    assert {"pytest", "playwright"} <= set(pins)


def test_tests_run_against_the_pinned_gradio(requirements: dict[str, str]):
    assert metadata.version("gradio") == requirements["gradio"]


def test_readme_gives_the_two_commands(readme: str):
    code = _code_lines(readme)
    assert RUN_COMMAND in code and TEST_COMMAND in code


def _make_dry_run(target: str) -> str:
    result = subprocess.run(["make", "-n", "-B", target, "VENV=", "PYTHON=python3"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command, needs", [
    (RUN_COMMAND, ["pip install", "-r requirements.txt", "app.py"]),
    (TEST_COMMAND, ["pip install", "-r requirements-dev.txt", "chromium", "-m pytest"]),
])
def test_each_readme_command_installs_then_runs(command: str, needs: list[str]):
    plan = _make_dry_run(command.split()[1])
    for piece in needs:
        assert piece in plan, f"`{command}` does not do {piece!r}:\n{plan}"


def test_ci_calls_the_readme_test_command_itself():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert TEST_COMMAND in commands, ".ci/run must run the README's test command as it stands"
    assert any("MNIST_DATA_DIR" in line and "../shared/mnist" in line for line in commands)


def test_cli_commands_in_the_readme_exist():
    from mnist_core.__main__ import build_parser

    parser = build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command").choices
    text = README.read_text(encoding="utf-8")
    for name in subcommands:
        assert f"python -m mnist_core {name}" in text, f"README does not show `python -m mnist_core {name}`"
    for line in _code_lines(text):
        if line.startswith("python -m mnist_core "):
            words = shlex.split(line.split(" #", 1)[0].rstrip("\\ "))
            assert words[3] in subcommands, f"README shows an unknown subcommand: {line}"


def test_readme_pictures_are_committed_small_pngs(readme: str):
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    assert pictures, "README shows no screenshot"
    for picture in pictures:
        path = ROOT / picture
        assert path.is_file(), f"README shows {picture}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{picture} is not a PNG"
        assert path.stat().st_size < 400_000, f"{picture} is larger than 400 kB"


def test_checkpoints_go_to_lfs_for_spaces():
    attributes = (ROOT / ".gitattributes").read_text()
    assert re.search(r"^\*\.safetensors\s+filter=lfs\s+diff=lfs\s+merge=lfs\s+-text", attributes, re.M)


def _section(markdown: str, heading: str) -> str:
    """One section of a Markdown text: from its heading to the next heading of the same level."""
    level = heading.split(" ", 1)[0]
    start = markdown.index(f"\n{heading}\n")
    end = markdown.find(f"\n{level} ", start + 1)
    return markdown[start: end if end != -1 else len(markdown)]


def _python_blocks(markdown: str) -> list[str]:
    """The code of each ```python block."""
    return re.findall(r"^```python\n(.*?)^```$", markdown, re.S | re.M)


def test_the_readme_loads_a_shipped_model_in_a_few_lines_outside_the_app(readme: str):
    """Each Python block of the README's section runs as it stands, from the repository root, in a fresh
    interpreter, and prints what its comments say."""
    blocks = _python_blocks(_section(readme, LOAD_SECTION))
    assert blocks, f"README has no Python in {LOAD_SECTION!r}"
    for code in blocks:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, f"{code}\n{result.stderr[-2000:]}"
        for line in code.splitlines():
            if line.startswith("print(") and "  # " in line:  # what the README says it prints
                said = line.split("  # ", 1)[1].removesuffix("...").strip()
                assert said in result.stdout, f"README says {line!r} prints {said!r}; it printed {result.stdout!r}"


def test_gitignore_keeps_local_artifacts_out():
    ignored = set((ROOT / ".gitignore").read_text().split())
    assert {"data/", "runs/", "screenshots/", ".venv/", "__pycache__/", ".pytest_cache/"} <= ignored


def test_every_page_workaround_is_in_its_table_and_names_tests_that_exist():
    """demo/page/'s header table lists each of its scripts and CSS, and every test it names is a test in tests/."""
    import demo.page

    table = demo.page.__doc__
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| ---")][1:]
    for name in (*demo.page.PAGE_SCRIPTS, "phone.css", "CLEAR_JS", "ACCESSIBLE_CSS", "guards.py"):
        assert any(name in row.split(" | ")[1] for row in rows), f"{name} has no row in demo/page/'s table"
    defined = {name for path in (ROOT / "tests").glob("test_*.py")
               for name in re.findall(r"^def (test_\w+)", path.read_text(), flags=re.M)}
    named = re.findall(r"`(test_\w+?)(?:_\.\.\.)?`", table)
    assert named
    for name in named:
        assert any(test.startswith(name) for test in defined), f"demo/page/'s table names {name}, which no test is"
    files = {match for row in rows for match in re.findall(r"tests/(test_\w+\.py)", row)}
    assert files and all((ROOT / "tests" / file).exists() for file in files), files
