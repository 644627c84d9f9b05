"""`dg check defs` and `dg list defs` load the code location as any tool does: lazily, without
reading the environment at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def dg(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `dg` of this environment in the repository, with no project setting in the env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["dg", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


def test_dg_check_defs_passes() -> None:
    result = dg("check", "defs")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_dg_list_defs_lists_the_graph_the_publication_and_the_batch_job() -> None:
    result = dg("list", "defs", "--json")

    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    keys = {asset["asset_key"] for asset in listed["assets"]}
    assert {"staging/crm_contacts", "curated/contacts_golden", "warehouse/publication"} <= keys
    assert "hygiene_batch" in {job["name"] for job in listed["jobs"]}
