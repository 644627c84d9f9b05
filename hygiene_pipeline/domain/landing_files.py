"""The files of a feed folder: which ones a feed reads, in which format, and why a file is refused.

A feed folder may hold CSV text (`.csv`, `.txt`), Excel or OpenDocument workbooks (`.xlsx`,
`.xlsm`, `.xlsb`, `.xls`, `.ods`) and, where the feed allows it, JSON (`.jsonl`, `.ndjson`,
`.json`); any of them may be gzipped (`.gz`). Hidden files (leading `.`) and sub-folders are
ignored. A file of any other type is not an error for the feed: it is refused on its own with a
reason (`UnreadableFile`), and the feed goes on with its other files.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from hygiene_pipeline.domain.feed_specs import FeedError, FeedSpec

CSV_SUFFIXES: tuple[str, ...] = (".csv", ".txt")
JSON_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json")
WORKBOOK_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


class UnreadableFile(ValueError):
    """One landing file that cannot be read at all; the message is the reason, without the path."""


def file_format(name: str) -> str | None:
    """`csv`, `json` or `workbook` by the file suffix (ignoring `.gz`), `None` for anything else."""
    lowered = name.lower().removesuffix(".gz")
    for kind, suffixes in (
        ("csv", CSV_SUFFIXES),
        ("json", JSON_SUFFIXES),
        ("workbook", WORKBOOK_SUFFIXES),
    ):
        if lowered.endswith(suffixes):
            return kind
    return None


def readable_suffixes(spec: FeedSpec) -> tuple[str, ...]:
    """The file suffixes `spec`'s feed reads (each also gzipped)."""
    return CSV_SUFFIXES + WORKBOOK_SUFFIXES + (JSON_SUFFIXES if spec.json_allowed else ())


def feed_files(folder: Path, spec: FeedSpec) -> tuple[list[Path], dict[str, str]]:
    """The readable files of a feed folder in name order, and the refused ones with a reason.

    A missing folder, or one without any file, is a `FeedError` for a required feed and an
    empty feed otherwise: no retry can make either pass, so it stops the feed.
    """
    if not folder.is_dir():
        if spec.folder_required:
            raise FeedError(f"feed folder {folder} is missing (feed {spec.name} is required)")
        return [], {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files and spec.folder_required:
        raise FeedError(f"feed folder {folder} has no data files (feed {spec.name} is required)")
    suffixes = readable_suffixes(spec)
    readable = [p for p in files if p.name.lower().removesuffix(".gz").endswith(suffixes)]
    refused = {
        p.name: f"unsupported file type '{_suffix(p.name)}' "
        f"(feed {spec.name} reads {', '.join(suffixes)}, optionally gzipped)"
        for p in files
        if p not in readable
    }
    return readable, refused


def _suffix(name: str) -> str:
    """The type suffix a user would name: `.pdf`, `.json` of `x.json.gz`, `(none)`."""
    return Path(name.lower().removesuffix(".gz")).suffix or "(none)"


def file_bytes(path: Path) -> bytes:
    """The file's content, decompressed when gzipped; `UnreadableFile` when there is none."""
    data = path.read_bytes()
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise UnreadableFile(f"not a readable gzip file ({error})") from None
        if not data:
            raise UnreadableFile("empty file (0 bytes once decompressed)")
    return data
