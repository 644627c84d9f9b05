"""The declarative description of a linkage problem: which columns to block on and compare, and how.

One spec drives every stage, so the same engine deduplicates contacts, accounts or the FEBRL
person records; the CRM pipeline's spec lives in `crm_spec.py`. A spec is plain data: it can be
written in Python or loaded from a mapping (YAML/JSON) with `LinkageSpec.from_dict`.

Blocking key parts are strings: a column name, or `transform(column)` with a transform from
`KEY_TRANSFORMS` (`soundex(last_name_norm)`, `initial(first_name_norm)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

ComparisonKind = Literal["exact", "string"]
BlockingMethod = Literal["block", "sorted_neighbourhood"]
OversizeStrategy = Literal["window", "skip"]

KEY_TRANSFORMS: tuple[str, ...] = ("soundex", "metaphone", "nysiis", "initial", "digits")
SCORERS: tuple[str, ...] = ("jaro_winkler", "levenshtein", "ratio", "token_set", "token_sort")
_KEY_PART = re.compile(
    r"^\s*(?:(?P<transform>\w+)\(\s*(?P<inner>[^()]+?)\s*\)|(?P<column>[^()]+?))\s*$"
)


@dataclass(frozen=True)
class KeyPart:
    """One component of a blocking key: a column, optionally reduced by a transform."""

    column: str
    transform: str | None = None

    @classmethod
    def parse(cls, text: str) -> KeyPart:
        """Read `column` or `transform(column)`."""
        match = _KEY_PART.match(text)
        if match is None:
            raise ValueError(f"blocking key part {text!r} is not 'column' or 'transform(column)'")
        if match["column"] is not None:
            return cls(column=match["column"])
        if match["transform"] not in KEY_TRANSFORMS:
            raise ValueError(f"unknown key transform {match['transform']!r}; use {KEY_TRANSFORMS}")
        return cls(column=match["inner"], transform=match["transform"])

    def __str__(self) -> str:
        return self.column if self.transform is None else f"{self.transform}({self.column})"


@dataclass(frozen=True)
class BlockingKey:
    """Records whose key values are equal (or near in sort order) become candidate pairs.

    `variants` are column substitutions under which a record is indexed a second time: a phone key
    with `{"phone_e164": "mobile_phone_e164"}` also pairs a phone with another record's mobile, and
    swapping first and last name catches names written in the other order. Blocks larger than
    `max_block_size` (a switchboard number shared by 200 records) are not expanded in full: with
    `oversize="window"` their records are sorted by `sort_by` and only neighbours within `window`
    are paired; with `"skip"` they yield no pairs.
    """

    name: str
    parts: tuple[KeyPart, ...]
    method: BlockingMethod = "block"
    window: int = 5
    max_block_size: int = 50
    oversize: OversizeStrategy = "window"
    sort_by: tuple[str, ...] = ()
    variants: tuple[Mapping[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "parts",
            tuple(p if isinstance(p, KeyPart) else KeyPart.parse(p) for p in self.parts),
        )
        object.__setattr__(self, "sort_by", tuple(self.sort_by))
        object.__setattr__(self, "variants", tuple(dict(v) for v in self.variants))
        if not self.parts:
            raise ValueError(f"blocking key {self.name!r} has no parts")
        if self.window < 2 or self.max_block_size < 2:
            raise ValueError(f"blocking key {self.name!r}: window and max_block_size must be >= 2")

    @property
    def columns(self) -> set[str]:
        """Every input column the key reads, including variant and sort columns."""
        cols = {p.column for p in self.parts} | set(self.sort_by)
        for variant in self.variants:
            cols |= set(variant.values())
        return cols


@dataclass(frozen=True)
class Comparison:
    """One comparison feature: how two records' values of a field are graded into agreement levels.

    `exact` grades equal / different; `string` grades exact / high / low / different by a
    rapidfuzz similarity in [0, 1] against `thresholds` (high, low); values in different scripts
    are not compared (missing). `also` lists further columns whose values count as the same field
    (a phone against the other record's mobile: any equal pair agrees). `crossed` names a column
    compared crosswise, so `Wei Zhang` and `Zhang Wei` agree on both name fields (a record with
    one of the two missing is judged on the other: `Ping` and `Zheng Ping`).

    Agreement carries no evidence when either record has `ignore_if` set (a role mailbox) or
    when the agreeing value is shared by more than `shared_limit` records that differ on
    `shared_distinct_on` (a switchboard number). With `compare_within`, values that differ count
    as evidence only when both records agree on that column: a work and a private mailbox
    (different `email_domain`) say nothing about each other, two mailboxes at one domain do.
    `term_frequency` lets agreement on a rare value weigh more than agreement on a common one.
    `nicknames` grades first names that are nicknames of each other (Bob, Robert) as `high`,
    `initials` grades an initial and a name it starts (C., Claire) as `low`, `typos` grades
    short names one typo apart or shortened by dropped letters (Jia, Jua; Dg, Dong) as `low`.
    """

    name: str
    column: str
    kind: ComparisonKind = "string"
    scorer: str = "jaro_winkler"
    thresholds: tuple[float, ...] = (0.92, 0.8)
    also: tuple[str, ...] = ()
    crossed: str | None = None
    ignore_if: str | None = None
    compare_within: str | None = None
    shared_limit: int | None = None
    shared_distinct_on: str | None = None
    term_frequency: bool = False
    nicknames: bool = False
    initials: bool = False
    typos: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", tuple(sorted(self.thresholds, reverse=True)))
        object.__setattr__(self, "also", tuple(self.also))
        if self.kind not in ("exact", "string"):
            raise ValueError(f"comparison {self.name!r}: unknown kind {self.kind!r}")
        if self.kind == "string" and self.scorer not in SCORERS:
            raise ValueError(f"comparison {self.name!r}: unknown scorer {self.scorer!r}")
        if self.kind == "string" and len(self.thresholds) != 2:
            raise ValueError(f"comparison {self.name!r}: string thresholds are (high, low)")
        if self.shared_limit is not None and self.shared_distinct_on is None:
            raise ValueError(f"comparison {self.name!r}: shared_limit needs shared_distinct_on")

    @property
    def value_columns(self) -> tuple[str, ...]:
        """The columns holding this field's values (they share one vocabulary)."""
        return (self.column, *self.also, *((self.crossed,) if self.crossed else ()))

    @property
    def columns(self) -> set[str]:
        """Every input column the comparison reads."""
        extra = {
            c
            for c in (self.ignore_if, self.shared_distinct_on, self.compare_within)
            if c is not None
        }
        return set(self.value_columns) | extra


@dataclass(frozen=True)
class HardNegative:
    """A pair that disagrees on all of `disagree` and agrees on none of `unless_agree` is no match.

    Namesakes at different companies: disagree on `company`, unless `email` or `phone` agree.
    Agreement means a level of `high` or better; disagreement means both values present and
    different (a missing value is neither).
    """

    name: str
    disagree: tuple[str, ...]
    unless_agree: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "disagree", tuple(self.disagree))
        object.__setattr__(self, "unless_agree", tuple(self.unless_agree))


@dataclass(frozen=True)
class LinkageSpec:
    """Everything the engine needs to know about one record type.

    `record_key` is the column with each record's unique key (None: the frame's index).
    `valid_if` maps a value column to a boolean column; values where it is False are treated as
    missing everywhere (an unparseable phone blocks and compares as nothing). Pairs with a match
    probability of at least `match_threshold` are linked; `possible_threshold` marks pairs worth a
    human look. Pairs scoring below `conflict_threshold` are strong disagreements: clustering keeps
    such records apart even when a chain of matches connects them. A cluster larger than
    `max_cluster_size` is flagged for review.
    """

    comparisons: tuple[Comparison, ...]
    blocking: tuple[BlockingKey, ...]
    record_key: str | None = None
    valid_if: Mapping[str, str] = field(default_factory=dict)
    hard_negatives: tuple[HardNegative, ...] = ()
    match_threshold: float = 0.9
    possible_threshold: float = 0.5
    conflict_threshold: float = 0.01
    max_cluster_size: int = 20
    term_frequency_cap: float = 3.0
    training_budget: int = 200_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "comparisons", tuple(self.comparisons))
        object.__setattr__(self, "blocking", tuple(self.blocking))
        object.__setattr__(self, "hard_negatives", tuple(self.hard_negatives))
        object.__setattr__(self, "valid_if", dict(self.valid_if))
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ValueError("comparison names must be unique")
        if len({b.name for b in self.blocking}) != len(self.blocking):
            raise ValueError("blocking key names must be unique")
        for rule in self.hard_negatives:
            unknown = set(rule.disagree + rule.unless_agree) - set(names)
            if unknown:
                raise ValueError(f"hard negative {rule.name!r} names unknown comparisons {unknown}")
        if not self.conflict_threshold < self.possible_threshold <= self.match_threshold:
            raise ValueError("need conflict_threshold < possible_threshold <= match_threshold")

    @property
    def columns(self) -> list[str]:
        """Every input column the spec reads, in a stable order."""
        cols: set[str] = set(self.valid_if) | set(self.valid_if.values())
        for item in (*self.comparisons, *self.blocking):
            cols |= item.columns
        return sorted(cols)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkageSpec:
        """Build a spec from plain data, as read from YAML or JSON."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown spec keys: {sorted(unknown)}")
        values = dict(data)
        values["comparisons"] = tuple(Comparison(**c) for c in data.get("comparisons", ()))
        values["blocking"] = tuple(BlockingKey(**b) for b in data.get("blocking", ()))
        values["hard_negatives"] = tuple(HardNegative(**h) for h in data.get("hard_negatives", ()))
        return cls(**values)
