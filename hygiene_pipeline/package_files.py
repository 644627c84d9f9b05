"""Where the files the package ships live: expectation suites, SQL models and their schema.yml.

People edit them at the repository root (`expectations/`, `dbt_like_sql/`); the build maps those
folders into the package as `hygiene_pipeline.expectations` and `hygiene_pipeline.dbt_like_sql`
(`[tool.setuptools.package-dir]` in pyproject.toml), so a wheel carries them and an editable
install reads the root folders themselves. Both are found the same way, through
`importlib.resources`, never by walking up from a source file (which breaks once installed).
The column-name and vocabulary mappings are package data of `hygiene_pipeline.domain.mappings`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

EXPECTATIONS_PACKAGE = "hygiene_pipeline.expectations"
SQL_MODELS_PACKAGE = "hygiene_pipeline.dbt_like_sql"


def expectations_dir() -> Path:
    """The folder of the Great Expectations suites (`<schema>.<table>.json`)."""
    return _package_folder(EXPECTATIONS_PACKAGE)


def sql_models_dir() -> Path:
    """The folder of the SQL models (`<model>.sql`) and `schema.yml`."""
    return _package_folder(SQL_MODELS_PACKAGE)


def _package_folder(package: str) -> Path:
    """A data package's folder on disk (wheels install unpacked, so it is always a folder)."""
    folder = resources.files(package)
    if not isinstance(folder, Path) or not folder.is_dir():
        raise FileNotFoundError(f"{package} is not installed as a folder (got {folder!r})")
    return folder
