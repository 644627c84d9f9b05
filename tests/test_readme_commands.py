"""The README's quick-start commands are the ones CI runs: its test command installs the test
prerequisites with the same script `.ci/run` calls, so a fresh machine passes it too."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "scripts/install-test-prerequisites"


def quick_start_commands() -> list[str]:
    """The command lines of the README's quick-start block, comments dropped."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\s+```bash\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no Quick start bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_the_readme_test_command_runs_the_prerequisites_script_before_pytest() -> None:
    test_command = quick_start_commands()[1]

    assert SCRIPT in test_command
    assert test_command.index(SCRIPT) < test_command.index("pytest")


def test_ci_runs_exactly_that_script_and_it_is_executable() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and line[0] != "#"]

    assert SCRIPT in commands
    assert not any("apt-get" in c or "pg_ctlcluster" in c for c in commands)
    assert os.access(REPO / SCRIPT, os.X_OK)
