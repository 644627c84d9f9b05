"""Column helpers: per-distinct evaluation and text clean-up."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from hygiene_pipeline.domain.column_ops import (
    RAW_TEXT_DTYPE,
    arrow_backed_text,
    arrow_strings,
    blank_to_none,
    clean_text,
    fold_accents,
    map_distinct,
    map_in_chunks,
    map_in_threads,
    map_values,
    shared_work,
)


def test_map_distinct_calls_the_transform_once_per_distinct_value() -> None:
    seen: list[list[str]] = []

    def upper(distinct: pd.Series) -> pd.Series:
        seen.append(distinct.tolist())
        return distinct.str.upper()

    out = map_distinct(pd.Series(["a", "b", None, "a"], index=[3, 4, 5, 6]), upper)
    assert seen == [["a", "b"]]
    assert out.tolist() == ["A", "B", None, "A"]
    assert out.index.tolist() == [3, 4, 5, 6]


def test_map_distinct_gives_none_for_every_missing_result() -> None:
    def unreadable(distinct: pd.Series) -> pd.Series:
        return pd.Series([float("nan"), pd.NA, pd.NaT, "ok"], dtype=object)

    out = map_distinct(pd.Series(["a", None, "b", "c", "d", "a"]), unreadable)
    assert out.tolist() == [None, None, None, None, "ok", None]
    assert out.dtype == object


def test_map_distinct_spreads_frames_with_false_for_missing_flags() -> None:
    def describe(distinct: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"length": distinct.str.len(), "long": distinct.str.len() > 1})

    out = map_distinct(pd.Series(["ab", None, "c"]), describe)
    assert out["long"].tolist() == [True, False, False]
    assert out["long"].dtype == bool
    assert out["length"].tolist() == [2, None, 1]


def test_blank_to_none_and_clean_text() -> None:
    values = pd.Series(["  a  b ", "", "   ", None, "Ｆｏｏ\tbar"])
    assert blank_to_none(values).tolist() == ["a  b", None, None, None, "Ｆｏｏ\tbar"]
    assert clean_text(values).tolist() == ["a b", None, None, None, "Foo bar"]


def test_fold_accents_keeps_other_scripts() -> None:
    assert fold_accents(pd.Series(["Ærøskøbing", "Straße", "Zoë", "王小明"])).tolist() == [
        "aeroskobing",
        "strasse",
        "zoe",
        "王小明",
    ]


def test_map_in_chunks_halves_large_inputs_across_workers() -> None:
    items = [f"v{i}" for i in range(25)]
    assert map_in_chunks(len, items, workers=2, threshold=10) == [13, 12]
    assert map_in_chunks(len, items, workers=2, threshold=26) == [25]  # too few: in-process
    assert map_in_chunks(len, items, workers=1, threshold=1) == [25]


def test_map_in_threads_keeps_the_items_order_on_several_threads() -> None:
    def sorted_on_a_thread(size: int) -> tuple[int, str]:
        values = np.random.default_rng(size).integers(0, 1000, size * 10_000)
        return int(np.sort(values)[-1]), threading.current_thread().name

    results = map_in_threads(sorted_on_a_thread, [5, 1, 3, 2, 4])

    assert [top for top, _ in results] == [
        int(np.random.default_rng(size).integers(0, 1000, size * 10_000).max())
        for size in [5, 1, 3, 2, 4]
    ]
    assert all(name != threading.main_thread().name for _, name in results)
    assert map_in_threads(str, []) == []


def test_map_values_in_workers_equals_the_serial_map() -> None:
    values = pd.Series(["ab", None, "cd", "ab", "éf", "gh", "ij"] * 3, index=range(100, 121))
    serial = map_distinct(values, lambda d: d.map(str.upper))
    pooled = map_values(values, str.upper, workers=2, threshold=2)
    pd.testing.assert_series_equal(pooled, serial)
    flags = map_values(values, str.isascii, workers=1)
    assert flags.dtype == bool
    assert flags.tolist() == map_distinct(values, lambda d: d.map(str.isascii)).tolist()


def test_blank_to_none_strips_as_python_does() -> None:
    rng = np.random.default_rng(3)
    pool = list("ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u200b\ufeffé中")
    texts = ["".join(rng.choice(pool, size=rng.integers(0, 6))) for _ in range(3000)]
    values = pd.Series([*texts, None, np.nan, pd.NA], index=range(5, 3008), dtype="object")
    expected = [text.strip() or None for text in texts] + [None, None, None]
    out = blank_to_none(values)
    assert out.tolist() == expected
    assert out.index.equals(values.index)
    assert blank_to_none(values.astype("string")).tolist() == expected


def test_arrow_strings_of_an_arrow_backed_column_in_several_chunks() -> None:
    chunks = pa.chunked_array([["a", None], [" b", "ü"]], pa.large_string())
    values = pd.Series(pd.arrays.ArrowStringArray(chunks))
    array = arrow_strings(values)
    assert isinstance(array, pa.Array) and array.type == pa.string()
    assert array.to_pylist() == ["a", None, " b", "ü"]
    assert arrow_strings(values.astype(object)).equals(array)


def test_shared_work_does_each_part_once_in_order_and_the_caller_takes_what_waits() -> None:
    started, gate = threading.Event(), threading.Event()
    done_by: dict[int, str] = {}

    def square(value: int) -> int:
        if value == 0:
            started.set()
            gate.wait(5)  # the worker holds its first part while the caller collects
        done_by[value] = threading.current_thread().name
        return value * value

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as background:
        collect = shared_work(background, square, [(value,) for value in range(6)])
        assert started.wait(5)
        threading.Timer(0.5, gate.set).start()
        results = collect()

    assert results == [0, 1, 4, 9, 16, 25]
    assert sorted(done_by) == list(range(6))
    assert done_by[0].startswith("worker")
    assert all(done_by[value] == threading.main_thread().name for value in range(1, 6))


def test_arrow_backed_text_moves_only_text_columns_into_arrow() -> None:
    frame = pd.DataFrame(
        {"text": pd.Series(["a", None], dtype=object), "flag": [True, False], "n": [1, 2]}
    )
    backed = arrow_backed_text(frame)
    assert backed["text"].dtype == RAW_TEXT_DTYPE
    assert backed["text"].isna().tolist() == [False, True]
    assert backed["flag"].dtype == bool and backed["n"].dtype == frame["n"].dtype
    assert pa.array(backed["text"].array).to_pylist() == ["a", None]
