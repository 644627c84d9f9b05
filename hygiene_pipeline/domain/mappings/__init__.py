"""Built-in mapping tables (YAML) of the standardisers, loaded from the installed package."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml


def load_mapping(name: str) -> Any:
    """Parsed content of the built-in mapping file `name` (e.g. `dispositions.yaml`)."""
    return yaml.safe_load(files(__name__).joinpath(name).read_text(encoding="utf-8"))
