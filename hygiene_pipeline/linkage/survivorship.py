"""Golden records: one row per entity, each field chosen from its members by a rule.

Rules per field (`FieldRule.rule`):
- `most_recent`: the valid value of the most recently updated record (`recency` columns);
- `source_priority`: the valid value from the best-ranked source system, then the most recent;
- `most_complete`: the valid value of the record with the most filled `completeness_columns`;
- `max` / `min`: the largest / smallest value (dates such as the last activity);
- `any_true`: True when any member is True, so a do-not-call, do-not-email or opt-out flag on one
  record holds for the person.

A value is valid when present, not in `ignore_values` and its `valid_if` column is True.
`sticky_values` win over any rule (an `opted_out` consent on any member is the person's consent).
`companions` come from the same winning record (an email with its key, a consent with its expiry).
`default` fills the field of an entity without any valid value.
Ties are broken by recency, then by record key, so results do not depend on row order.
`provenance` is JSON: field -> {"record_key": ..., "rule": ...}.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.linkage.entity_ids import assign_entity_ids
from hygiene_pipeline.linkage.records import boolean_column, text_order

SurvivorshipRule = Literal[
    "most_recent", "source_priority", "most_complete", "max", "min", "any_true"
]
_LAST = np.iinfo(np.int64).max
PROVENANCE_ENTITIES = 65_536
"""Entities whose provenance text is built at a time (`_provenance`)."""


@dataclass(frozen=True)
class FieldRule:
    """How one golden field is chosen; `source` defaults to the field's own name."""

    field: str
    rule: SurvivorshipRule = "most_recent"
    source: str | None = None
    valid_if: str | None = None
    ignore_values: tuple[Any, ...] = ()
    sticky_values: tuple[Any, ...] = ()
    companions: tuple[str, ...] = ()
    default: Any = None

    @property
    def source_column(self) -> str:
        """The input column the value comes from."""
        return self.source or self.field


@dataclass(frozen=True)
class SurvivorshipRules:
    """The golden-record recipe for one record type.

    `record_key` is the key column of the input (None: its index). `xref_columns` are copied
    into the cross-reference next to each record's entity id.
    """

    fields: tuple[FieldRule, ...]
    record_key: str | None = None
    recency: tuple[str, ...] = ()
    source_column: str | None = None
    source_priority: tuple[str, ...] = ()
    completeness_columns: tuple[str, ...] = ()
    xref_columns: tuple[str, ...] = ()
    count_column: str = "source_count"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every input column the recipe reads, each once."""
        per_field = (
            name
            for rule in self.fields
            for name in (rule.source_column, rule.valid_if, *rule.companions)
            if name is not None
        )
        return tuple(
            dict.fromkeys(
                name
                for name in (
                    self.record_key,
                    *self.recency,
                    self.source_column,
                    *self.completeness_columns,
                    *self.xref_columns,
                    *per_field,
                )
                if name is not None
            )
        )


def _descending(values: pd.Series) -> np.ndarray:
    """Sort key putting the largest value first and missing last."""
    numbers = _as_int64(values)
    return np.where(values.isna().to_numpy(), _LAST, -numbers)


def _ascending(values: pd.Series) -> np.ndarray:
    numbers = _as_int64(values)
    return np.where(values.isna().to_numpy(), _LAST, numbers)


def _as_int64(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values):
        return values.to_numpy(dtype="datetime64[ns]").view(np.int64)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values.fillna(0).to_numpy(dtype=np.float64).astype(np.int64)
    codes, _ = pd.factorize(values, sort=True)
    return codes.astype(np.int64)


class _Members:
    """The member records of all entities, with the sort keys every rule shares.

    All rules break ties the same way (recency, then record key), so that order is computed
    once; a rule with its own keys needs one more sort with those keys in front.
    """

    def __init__(self, frame: pd.DataFrame, entity: np.ndarray, rules: SurvivorshipRules) -> None:
        self.frame = frame
        self.entity = entity
        key_rank = np.empty(len(frame), dtype=np.int64)
        key_rank[text_order(frame.index)] = np.arange(len(frame))
        recency = [_descending(frame[c]) for c in rules.recency]
        self.base_order = np.lexsort([key_rank, *reversed(recency)])
        self.base_rank = np.empty(len(frame), dtype=np.int64)
        self.base_rank[self.base_order] = np.arange(len(frame))
        source_rank = {s: i for i, s in enumerate(rules.source_priority)}
        self.source_rank = (
            frame[rules.source_column].map(source_rank).fillna(len(source_rank)).to_numpy(np.int64)
            if rules.source_column
            else np.zeros(len(frame), dtype=np.int64)
        )
        columns = list(rules.completeness_columns)
        self.completeness = -frame[columns].notna().sum(axis=1).to_numpy(np.int64)

    def winners(
        self, eligible: np.ndarray, keys: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each entity with an eligible record, the record that sorts first by `keys`."""
        order = np.lexsort([self.base_rank, *reversed(keys)]) if keys else self.base_order
        ranked = order[eligible[order]]
        entities, first = np.unique(self.entity[ranked], return_index=True)
        return entities, ranked[first]


def _eligible(frame: pd.DataFrame, rule: FieldRule) -> np.ndarray:
    values = frame[rule.source_column]
    eligible = values.notna().to_numpy()
    if rule.ignore_values:
        eligible &= ~values.isin(rule.ignore_values).to_numpy()
    if rule.valid_if:
        eligible &= boolean_column(frame[rule.valid_if])
    return eligible


def _rule_keys(members: _Members, rule: FieldRule) -> list[np.ndarray]:
    values = members.frame[rule.source_column]
    keys: list[np.ndarray] = []
    if rule.sticky_values:
        rank = {v: i for i, v in enumerate(rule.sticky_values)}
        keys.append(values.map(rank).fillna(len(rank)).to_numpy(np.int64))
    if rule.rule == "source_priority":
        keys.append(members.source_rank)
    elif rule.rule == "most_complete":
        keys.append(members.completeness)
    elif rule.rule == "max":
        keys.append(_descending(values))
    elif rule.rule == "min":
        keys.append(_ascending(values))
    return keys


def _provenance(
    winners: dict[str, np.ndarray], rules: dict[str, str], keys: pd.Index, entities: int
) -> np.ndarray:
    """JSON text per entity, built column-wise with Arrow string kernels, `PROVENANCE_ENTITIES`
    entities at a time: the pieces of every field for all entities at once, with their joins,
    took over a gigabyte at a million records."""
    quoted = pa.array([encode_basestring(str(k)) for k in keys], type=pa.string())
    texts = [
        _provenance_text(
            {name: rows[start : start + PROVENANCE_ENTITIES] for name, rows in winners.items()},
            rules,
            quoted,
        )
        for start in range(0, entities, PROVENANCE_ENTITIES)
    ]
    return np.concatenate(texts) if texts else np.empty(0, dtype=object)


def _provenance_text(
    winners: dict[str, np.ndarray], rules: dict[str, str], quoted: pa.Array
) -> np.ndarray:
    pieces = []
    for field_name, rows in winners.items():
        key_text = quoted.take(pa.array(rows, mask=rows < 0))
        prefix = f'{encode_basestring(field_name)}:{{"record_key":'
        suffix = f',"rule":{encode_basestring(rules[field_name])}}}'
        pieces.append(
            pc.binary_join_element_wise(prefix, key_text, suffix, "", null_handling="emit_null")
        )
    body = pc.binary_join_element_wise(*pieces, ",", null_handling="skip")
    return pc.binary_join_element_wise("{", body, "}", "").to_numpy(zero_copy_only=False)


def _columns_read(rules: SurvivorshipRules) -> list[str]:
    """Every input column the rules read, once each (the rest of the frame is not reordered)."""
    columns = [*rules.recency, *rules.completeness_columns, *rules.xref_columns]
    columns += [rules.source_column] if rules.source_column else []
    for rule in rules.fields:
        columns += [rule.source_column, *rule.companions]
        columns += [rule.valid_if] if rule.valid_if else []
    return list(dict.fromkeys(columns))


def golden_records(
    df: pd.DataFrame,
    assignments: pd.DataFrame,
    rules: SurvivorshipRules,
    previous_xref: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Golden records per entity and the cross-reference of every record to its entity.

    `assignments` is what `cluster` returns (indexed by record key, in any order). Entity ids
    are carried over from `previous_xref` (a previous run's cross-reference) where clusters
    persist; see `entity_ids.py`.
    """
    started = time.perf_counter()
    # The input's own columns, not a copy (at a million records they are gigabytes), unless
    # the records must be put in the assignments' order.
    frame = df.set_axis(df[rules.record_key] if rules.record_key else df.index, copy=False)
    keys = assignments.index
    if not frame.index.equals(keys):
        frame = frame[_columns_read(rules)].reindex(keys)
    frame.index = keys
    entity_ids, id_stats = assign_entity_ids(keys, assignments["cluster"].to_numpy(), previous_xref)
    entity_codes, entity_values = pd.factorize(entity_ids, sort=True)
    n_entities = len(entity_values)
    members = _Members(frame, entity_codes, rules)
    golden: dict[str, Any] = {"entity_id": np.asarray(entity_values, dtype=object)}
    winners: dict[str, np.ndarray] = {}
    for rule in rules.fields:
        eligible = _eligible(frame, rule)
        if rule.rule == "any_true":
            eligible &= boolean_column(frame[rule.source_column])
        entities, rows = members.winners(eligible, _rule_keys(members, rule))
        chosen = np.full(n_entities, -1, dtype=np.int64)
        chosen[entities] = rows
        winners[rule.field] = chosen
        if rule.rule == "any_true":
            golden[rule.field] = np.isin(np.arange(n_entities), entities)
            continue
        for out, column in ((rule.field, rule.source_column), *((c, c) for c in rule.companions)):
            values = frame[column].iloc[rows].set_axis(entities).reindex(np.arange(n_entities))
            golden[out] = (
                values if out != rule.field or rule.default is None else values.fillna(rule.default)
            )
    golden[rules.count_column] = np.bincount(entity_codes, minlength=n_entities)
    golden["provenance"] = _provenance(
        winners, {r.field: r.rule for r in rules.fields}, keys, n_entities
    )
    golden_frame = pd.DataFrame(golden)
    xref = pd.DataFrame(
        {
            keys.name or "record_key": keys.to_numpy(),
            **{c: frame[c].to_numpy() for c in rules.xref_columns},
            "entity_id": entity_ids,
            "match_probability": assignments["match_probability"].to_numpy(),
            "merge_probability": assignments["merge_probability"].to_numpy(),
            "cluster_flag": assignments["cluster_flag"].to_numpy(),
        }
    )
    merged = golden_frame[rules.count_column] > 1
    stats = {
        **id_stats,
        "golden_records": n_entities,
        "merged_entities": int(merged.sum()),
        "records_in_merged_entities": int(golden_frame.loc[merged, rules.count_column].sum()),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return golden_frame, xref, stats
