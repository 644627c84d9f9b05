"""Input frames reduced to what a spec reads, addressed by position.

Every stage works on positions (int32) rather than record keys: pairs, codes and clusters are
numpy arrays, and keys come back only in outputs. Values a spec marks invalid (`valid_if`) are
set to missing here, once, so blocking and comparison never see them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.linkage.spec import LinkageSpec


def record_keys(df: pd.DataFrame, spec: LinkageSpec) -> pd.Index:
    """The unique record keys of `df`: the spec's key column, or the index."""
    keys = pd.Index(df[spec.record_key] if spec.record_key else df.index, name=spec.record_key)
    if keys.name is None:
        keys = keys.rename(df.index.name or "record_key")
    if not keys.is_unique:
        duplicated = int(keys.duplicated().sum())
        raise ValueError(f"record keys are not unique ({duplicated} repeated)")
    return keys


def text_order(values: pd.Index | pd.Series) -> np.ndarray:
    """Positions that sort `values` as text (Arrow's sort: UTF-8 byte order = code point order).

    Several times faster than sorting Python strings with numpy at a million keys.
    """
    text = pa.array(np.asarray(values, dtype=object).astype(str), type=pa.string())
    return pc.sort_indices(text).to_numpy()


def boolean_column(values: pd.Series) -> np.ndarray:
    """A flag column as plain bool, missing meaning False."""
    return values.fillna(False).astype(bool).to_numpy()


def prepare_records(df: pd.DataFrame, spec: LinkageSpec) -> pd.DataFrame:
    """The spec's columns of `df` on a positional index, invalid values set to missing.

    Flag columns (`valid_if`, `ignore_if`) become plain bool. Values keep their dtype; the
    encoders treat missing and empty values alike.
    """
    missing = [c for c in spec.columns if c not in df.columns]
    if missing:
        raise KeyError(f"columns the linkage spec needs are missing: {missing}")
    flags = set(spec.valid_if.values()) | {
        c.ignore_if for c in spec.comparisons if c.ignore_if is not None
    }
    frame = df[spec.columns].reset_index(drop=True)
    for column in flags:
        frame[column] = boolean_column(frame[column])
    for column, flag in spec.valid_if.items():
        frame[column] = frame[column].where(frame[flag])
    return frame
