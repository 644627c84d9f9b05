"""Column helpers shared by the standardisers: per-distinct evaluation, text clean-up, Arrow.

CRM columns repeat the same values many times (countries, first names, domains), so every
transformation that is not a cheap vectorised string operation runs once per distinct value
and is mapped back onto the column with `map_distinct`. Per-value Python work on many distinct
values uses both cores: `map_values` and `map_in_chunks` split it across spawned worker
processes, and `background_executor` runs independent work in one beside the caller (so scripts
that call them need the usual `if __name__ == "__main__":` guard). Work on numbers, which NumPy
does without the GIL, shares the cores in threads (`map_in_threads`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

T = TypeVar("T")
R = TypeVar("R")

RAW_TEXT_DTYPE = pd.StringDtype("pyarrow")
"""Text kept in Arrow's memory (`string[pyarrow]`): no Python object per value, read by Arrow's
kernels without a copy (`arrow_strings`), handed to another process or to the warehouse as
buffers, not pickled or converted value by value."""
STRING_ARRAY_MAX_BYTES = 2**31 - 1
"""Above this, text stays `large_string`: Arrow's `string` offsets are 32-bit."""
POOL_THRESHOLD = 50_000
"""Items below which per-value work stays in-process (starting a worker costs about a second)."""

# Letters that Unicode decomposition does not split into base letter + mark.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
_COMBINING_MARKS = r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
INVISIBLE_CHARACTERS = (
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
"""Characters that show nothing or only steer direction: zero-width spaces and joiners, soft
hyphen, bidi marks, embeddings, overrides and isolates (U+202E turns `evil.exe` around), word
joiners, variation selectors, fillers, tag characters. NFKC keeps them; a name never needs them
to be read, and they make equal names compare unequal or display reversed."""


def map_distinct(
    values: pd.Series, transform: Callable[[pd.Series], pd.Series | pd.DataFrame]
) -> pd.Series | pd.DataFrame:
    """Apply `transform` to the distinct non-missing values only and spread the result back.

    `transform` receives a Series of distinct values (default index) and returns a Series, or a
    DataFrame of several result columns, of the same length. Rows with a missing input get
    False in `bool` result columns and None in all others.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = transform(pd.Series(uniques, dtype="object"))
    if isinstance(mapped, pd.DataFrame):
        return pd.DataFrame(
            {name: _spread(column, codes, values.index) for name, column in mapped.items()},
            index=values.index,
        )
    return _spread(mapped, codes, values.index)


def _spread(column: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-row values from per-distinct `column` through factorize `codes` (-1 = missing)."""
    present = codes >= 0
    if column.dtype == bool:
        flags = np.zeros(len(codes), dtype=bool)
        flags[present] = column.to_numpy()[codes[present]]
        return pd.Series(flags, index=index)
    distinct = column.to_numpy(dtype=object, copy=True)
    distinct[pd.isna(distinct)] = None  # on the distinct values, not on every row
    out = np.full(len(codes), None, dtype=object)
    out[present] = distinct[codes[present]]
    return pd.Series(out, index=index, dtype="object")


def default_workers() -> int:
    """Worker processes for per-value work: the cores this process may use, at most two."""
    return max(1, min(2, len(os.sched_getaffinity(0))))


def map_in_chunks(
    function: Callable[[list[T]], R],
    items: list[T],
    workers: int | None = None,
    threshold: int | None = None,
) -> list[R]:
    """`function` on `items` cut into one chunk per worker process, results in chunk order.

    With fewer than `threshold` items (default `POOL_THRESHOLD`) or one worker, the result is
    `[function(items)]`, computed in-process. `function` runs in spawned processes, so it must
    be importable (defined at module level) and its items and results picklable.
    """
    workers = default_workers() if workers is None else workers
    threshold = POOL_THRESHOLD if threshold is None else threshold
    if workers <= 1 or len(items) < threshold:
        return [function(items)]
    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=get_context("spawn")) as pool:
        return list(pool.map(function, chunks))


def map_in_threads(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`function` on each item in a thread per core (`default_workers`), results in order: for
    work on numbers that NumPy, Arrow or DuckDB do without holding the GIL, where a process
    would cost more to start and to feed than it saves."""
    workers = min(default_workers(), len(items))
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


@contextmanager
def background_executor(items: int, threshold: int | None = None) -> Iterator[Executor]:
    """One worker for work that runs beside the caller's own: a spawned process when there are
    `threshold` items or more (default `POOL_THRESHOLD`) and a second core, so that both run at
    once free of the GIL, else a thread (a process costs one to two seconds to start: more when
    it must import the program that spawned it). Work handed to a process must be importable and
    its arguments and results picklable.

    On leaving, the caller does not wait for the worker to wind down (a process takes most of a
    second to exit): the results it waited for are in hand, and work not started is cancelled.
    """
    threshold = POOL_THRESHOLD if threshold is None else threshold
    if default_workers() > 1 and items >= threshold:
        executor: Executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    else:
        executor = ThreadPoolExecutor(max_workers=1)
    try:
        yield executor
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def shared_work(
    background: Executor, function: Callable[..., R], parts: Sequence[tuple[Any, ...]]
) -> Callable[[], list[R]]:
    """Hand `function(*part)` of every part to `background`, and return the call that collects
    the results in order once the caller's own work is done: it first does itself each part
    the worker has not started (last first, while the worker goes on from the front), so
    neither side waits long for the other whatever their speeds. Each part runs exactly once:
    a started one can no longer be cancelled."""
    futures = [background.submit(function, *part) for part in parts]

    def collect() -> list[R]:
        done: dict[int, R] = {}
        for position in reversed(range(len(parts))):
            if futures[position].cancel():
                done[position] = function(*parts[position])
        return [
            done[position] if position in done else future.result()
            for position, future in enumerate(futures)
        ]

    return collect


def worker_processes_of(executor: Executor) -> int | None:
    """The `workers` argument for work submitted to `executor`: 1 (no processes of its own)
    when it runs in a worker process, since the caller keeps the other core busy, else None
    (`default_workers`)."""
    return 1 if isinstance(executor, ProcessPoolExecutor) else None


def _each(function: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    return [function(value) for value in values]


def map_values(
    values: pd.Series,
    function: Callable[[Any], Any],
    workers: int | None = None,
    threshold: int | None = None,
) -> pd.Series:
    """`function` of each distinct non-missing value, spread back as `map_distinct` does (the
    same as `map_distinct(values, lambda d: d.map(function))`); many distinct values are split
    across worker processes (`map_in_chunks`), so `function` must be defined at module level."""

    def transform(distinct: pd.Series) -> pd.Series:
        parts = map_in_chunks(partial(_each, function), distinct.tolist(), workers, threshold)
        return pd.Series([result for part in parts for result in part], index=distinct.index)

    return map_distinct(values, transform)


_ASCII_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
"""The ASCII characters `str.strip` removes (`str.isspace`)."""


def blank_to_none(values: pd.Series) -> pd.Series:
    """Missing and whitespace-only values become None; the rest are stripped strings.

    Stripped as `str.strip` does: with Arrow for ASCII text, in Python for the other values,
    whose whitespace (no-break and ideographic spaces...) Python's own tables define.
    """
    text = arrow_strings(values)
    stripped = beyond_ascii(text, pc.utf8_trim(text, _ASCII_WHITESPACE), str.strip)
    stripped[stripped == ""] = None
    return pd.Series(stripped, index=values.index, dtype="object")


def clean_text(values: pd.Series) -> pd.Series:
    """Display form of free text: Unicode NFKC, invisible and bidi control characters removed
    (`INVISIBLE_CHARACTERS`), whitespace runs collapsed, trimmed, '' -> None."""

    def clean(distinct: pd.Series) -> pd.Series:
        normalised = distinct.astype(str).str.normalize("NFKC")
        visible = normalised.str.replace(INVISIBLE_CHARACTERS, "", regex=True)
        return blank_to_none(visible.str.replace(r"\s+", " ", regex=True))

    return map_distinct(values, clean)


def has_invisible(values: pd.Series) -> pd.Series:
    """Whether a value holds any of `INVISIBLE_CHARACTERS` (what `clean_text` removes)."""
    return map_distinct(
        values, lambda d: d.astype(str).str.contains(INVISIBLE_CHARACTERS, regex=True).astype(bool)
    )


def fold_accents(values: pd.Series) -> pd.Series:
    """Lower-case and strip accents (é -> e, ß -> ss) while keeping non-Latin letters as they are.

    Works on distinct values of any text column; the caller decides what else to remove.
    """
    folded = values.str.translate(_UNDECOMPOSABLE).str.normalize("NFKD")
    folded = folded.str.replace(_COMBINING_MARKS, "", regex=True)
    return folded.str.normalize("NFKC").str.lower()


def arrow_strings(values: pd.Series | np.ndarray) -> pa.Array:
    """Arrow string array of a text column (missing -> null), for Arrow's vectorised kernels;
    from an Arrow-backed column's own buffers, without a Python object per value."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        array = pa.array(values.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.string()) if array.nbytes < STRING_ARRAY_MAX_BYTES else array
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    return pa.array(array, pa.string(), from_pandas=True)


def beyond_ascii(text: pa.Array, result: pa.Array, python: Callable[[str], str]) -> np.ndarray:
    """Python strings of `result`, an Arrow kernel's output on `text`, but `python` of the text
    where it is not ASCII: Arrow's kernels are exact on ASCII (whitespace, digits), and beyond
    it Python's own Unicode tables decide, as everywhere else in the pipeline."""
    out = arrow_objects(result)
    wider = np.flatnonzero(arrow_flags(pc.invert(pc.string_is_ascii(text))))
    out[wider] = [python(value) for value in arrow_objects(text.take(wider))]
    return out


def arrow_objects(values: pa.Array) -> np.ndarray:
    """Python strings (None for null) of an Arrow string array."""
    return values.to_numpy(zero_copy_only=False).astype(object)


def arrow_backed_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text columns in Arrow's memory (`RAW_TEXT_DTYPE`), for a frame made
    in a worker process: its millions of strings then travel back as a few buffers instead of
    being pickled one by one, and reach the warehouse without a conversion per value."""
    text = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_object_dtype(dtype)]
    return frame.astype(dict.fromkeys(text, RAW_TEXT_DTYPE)) if text else frame


def arrow_flags(values: pa.Array) -> np.ndarray:
    """`bool` array of an Arrow boolean array, null read as False."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)
