"""Phone numbers: a book of unique, valid numbers per number plan, and the many ways people
write them (E.164, national, international, `00`/`011` prefixes, dots, dashes, parentheses,
extensions).

Which formats a field may use depends on the region a reader will parse it with: a national
format only reads back with the number's own country, so a record without a country (the
pipeline then falls back to its default region, US) and the feeds that carry no country at all
(call logs, DNC lists) get international formats for non-US numbers. Every format produced
here parses back to the same E.164 number under that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import assemble, group_rows, join
from hygiene_pipeline.synthetic.reference_data import (
    COUNTRIES,
    COUNTRY_CODES,
    NUMBER_PLANS,
    NumberPlan,
)

PLAN_INDEX: dict[str, int] = {plan.name: i for i, plan in enumerate(NUMBER_PLANS)}
_PLAN_COUNTRY_INDEX = np.array([COUNTRY_CODES.index(plan.country) for plan in NUMBER_PLANS])


class Style(IntEnum):
    """How a number is written."""

    E164 = 0  # +12125550123
    INTL_SPACED = 1  # +1 212 555 0123
    INTL_DASHED = 2  # +1-212-555-0123
    INTL_TRUNK = 3  # +44 (0)20 7946 0958
    IDD_00 = 4  # 0044 20 7946 0958 (read only with a non-US region)
    IDD_011 = 5  # 011 44 20 7946 0958 (dialled from the US)
    NATIONAL_SPACED = 6  # 020 7946 0958
    NATIONAL_DASHED = 7  # 212-555-0123
    NATIONAL_DOTTED = 8  # 01.23.45.67.89
    NATIONAL_PARENS = 9  # (212) 555-0123
    NATIONAL_COMPACT = 10  # 02079460958
    US_LEADING_ONE = 11  # 1-212-555-0123
    DE_SLASH = 12  # 030/12345678


STYLE_WEIGHTS: dict[Style, float] = {
    Style.E164: 0.14,
    Style.INTL_SPACED: 0.14,
    Style.INTL_DASHED: 0.04,
    Style.INTL_TRUNK: 0.06,
    Style.IDD_00: 0.06,
    Style.IDD_011: 0.20,
    Style.NATIONAL_SPACED: 0.16,
    Style.NATIONAL_DASHED: 0.1,
    Style.NATIONAL_DOTTED: 0.05,
    Style.NATIONAL_PARENS: 0.1,
    Style.NATIONAL_COMPACT: 0.06,
    Style.US_LEADING_ONE: 0.04,
    Style.DE_SLASH: 0.05,
}
_NATIONAL = (
    Style.NATIONAL_SPACED,
    Style.NATIONAL_DASHED,
    Style.NATIONAL_DOTTED,
    Style.NATIONAL_PARENS,
    Style.NATIONAL_COMPACT,
)


def allowed_styles(plan: NumberPlan, region_is_own: bool) -> set[Style]:
    """Styles that read back to this plan's numbers when parsed with the given region."""
    styles = {Style.E164, Style.INTL_SPACED, Style.INTL_DASHED}
    if plan.trunk_prefix == "0":
        styles.add(Style.INTL_TRUNK)
    is_us = plan.country == "US"
    if is_us or region_is_own:
        styles.update(_NATIONAL)
        if len(plan.groups) > 3:
            styles.discard(Style.NATIONAL_PARENS)
    if is_us:
        styles.add(Style.US_LEADING_ONE)
    elif region_is_own:
        styles.add(Style.IDD_00)
        if plan.country == "DE":
            styles.add(Style.DE_SLASH)
    else:
        styles.add(Style.IDD_011)
    return styles


def _weight_table(region_is_own: bool) -> np.ndarray:
    table = np.zeros((len(NUMBER_PLANS), len(Style)))
    for i, plan in enumerate(NUMBER_PLANS):
        for style in allowed_styles(plan, region_is_own):
            table[i, style] = STYLE_WEIGHTS[style]
    return table


_WEIGHTS_OWN_REGION = _weight_table(region_is_own=True)
_WEIGHTS_DEFAULT_REGION = _weight_table(region_is_own=False)


@dataclass(frozen=True)
class NumberBook:
    """Every phone number of a generated CRM, unique across all plans; ids index the arrays."""

    plan: np.ndarray  # int16 index into NUMBER_PLANS
    nsn: pa.Array  # national significant number, digits only

    @classmethod
    def draw(cls, rng: np.random.Generator, plans: np.ndarray) -> NumberBook:
        """One new number per entry of `plans` (plan indices), none drawn twice."""
        empty = cls(plan=np.zeros(0, dtype=np.int16), nsn=pa.array([], pa.string()))
        return empty.extend(rng, plans)[0]

    def extend(self, rng: np.random.Generator, plans: np.ndarray) -> tuple[NumberBook, np.ndarray]:
        """This book with one more number per entry of `plans`, none equal to a number already
        in it; returns the new book and the ids of the added numbers. US numbers never use the
        555 exchange: it is reserved for fiction (555-01xx) and placeholders."""
        plans = np.asarray(plans, dtype=np.int16)
        taken = self._keys()
        values = np.zeros(len(plans), dtype=np.int64)
        keys = np.zeros(len(plans), dtype=np.int64)
        reserved = np.zeros(len(plans), dtype=bool)
        pending = np.arange(len(plans))
        while len(pending):
            for index, plan in enumerate(NUMBER_PLANS):
                rows = pending[plans[pending] == index]
                if not len(rows):
                    continue
                prefixes = np.array([int(p) for p in plan.prefixes], dtype=np.int64)
                tail = plan.length - len(plan.prefixes[0])
                head = prefixes[rng.integers(0, len(prefixes), size=len(rows))]
                values[rows] = head * 10**tail + rng.integers(0, 10**tail, size=len(rows))
                code = int(COUNTRIES[plan.country].calling_code)
                keys[rows] = code * 10**plan.length + values[rows]
                if plan.country == "US":
                    reserved[rows] = values[rows] // 10**4 % 1000 == 555
            _, first = np.unique(np.concatenate([taken, keys]), return_index=True)
            repeated = np.ones(len(taken) + len(keys), dtype=bool)
            repeated[first] = False
            pending = np.flatnonzero(repeated[len(taken) :] | reserved)
        book = NumberBook(
            plan=np.concatenate([self.plan, plans]),
            nsn=pa.concat_arrays([self.nsn, pa.array(values).cast(pa.string())]),
        )
        return book, len(self.plan) + np.arange(len(plans))

    def _keys(self) -> np.ndarray:
        """One integer per number, unique across countries (calling code, then the digits)."""
        if not len(self.plan):
            return np.zeros(0, dtype=np.int64)
        nsn = self.nsn.cast(pa.int64()).to_numpy()
        codes = np.array([int(COUNTRIES[p.country].calling_code) for p in NUMBER_PLANS])
        lengths = np.array([p.length for p in NUMBER_PLANS])
        return codes[self.plan] * 10 ** lengths[self.plan] + nsn

    def __len__(self) -> int:
        return len(self.plan)

    def country_index(self, ids: np.ndarray) -> np.ndarray:
        """Country of each number as an index into COUNTRY_CODES."""
        return _PLAN_COUNTRY_INDEX[self.plan[ids]]

    def e164(self, ids: np.ndarray) -> pa.Array:
        """E.164 form (`+<country code><nsn>`) of each number."""
        return self.format(ids, np.full(len(ids), Style.E164))

    def format(self, ids: np.ndarray, styles: np.ndarray) -> pa.Array:
        """Each number written in its style, computed per (plan, style) block of rows."""
        ids = np.asarray(ids, dtype=np.int64)
        styles = np.asarray(styles, dtype=np.int64)
        nsn = self.nsn.take(pa.array(ids))
        plans = self.plan[ids]
        blocks = plans.astype(np.int64) * len(Style) + styles
        pieces: list[pa.Array] = []
        order: list[np.ndarray] = []
        for block, rows in group_rows(blocks):
            plan = NUMBER_PLANS[block // len(Style)]
            pieces.append(_written(nsn.take(pa.array(rows)), plan, Style(block % len(Style))))
            order.append(rows)
        return assemble(pieces, order) if pieces else pa.array([], type=pa.string())


def _groups(nsn: pa.Array, plan: NumberPlan) -> list[pa.Array]:
    bounds = np.concatenate([[0], np.cumsum(plan.groups)])
    return [pc.utf8_slice_codeunits(nsn, int(a), int(b)) for a, b in pairwise(bounds)]


def _spaced(parts: list[pa.Array], separator: str) -> list[pa.Array | str]:
    out: list[pa.Array | str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(separator)
        out.append(part)
    return out


def _written(nsn: pa.Array, plan: NumberPlan, style: Style) -> pa.Array:
    """One plan's numbers in one style."""
    code = COUNTRIES[plan.country].calling_code
    trunk = plan.trunk_prefix
    parts = _groups(nsn, plan)
    if style == Style.E164:
        return join("+" + code, nsn)
    if style == Style.INTL_SPACED:
        return join(f"+{code} ", *_spaced(parts, " "))
    if style == Style.INTL_DASHED:
        return join(f"+{code}-", *_spaced(parts, "-"))
    if style == Style.INTL_TRUNK:
        return join(f"+{code} ({trunk})", *_spaced(parts, " "))
    if style == Style.IDD_00:
        return join(f"00{code} ", *_spaced(parts, " "))
    if style == Style.IDD_011:
        return join(f"011 {code} ", *_spaced(parts, " "))
    if style == Style.NATIONAL_SPACED:
        return join(trunk, *_spaced(parts, " "))
    if style == Style.NATIONAL_DASHED:
        return join(trunk, *_spaced(parts, "-"))
    if style == Style.NATIONAL_DOTTED:
        return join(trunk, *_spaced(parts, "."))
    if style == Style.NATIONAL_PARENS:
        return join(f"({trunk}", parts[0], ") ", *_spaced(parts[1:], "-"))
    if style == Style.NATIONAL_COMPACT:
        return join(trunk, nsn)
    if style == Style.US_LEADING_ONE:
        return join("1-", *_spaced(parts, "-"))
    return join(trunk, parts[0], "/", pc.utf8_slice_codeunits(nsn, plan.groups[0]))


def draw_styles(
    rng: np.random.Generator, book: NumberBook, ids: np.ndarray, region_is_own: np.ndarray
) -> np.ndarray:
    """A style per number that parses back with the region the reader will use: the number's
    own country where `region_is_own`, else the default region (US)."""
    plans = book.plan[np.asarray(ids, dtype=np.int64)].astype(np.int64)
    own = np.asarray(region_is_own, dtype=bool)
    styles = np.zeros(len(plans), dtype=np.int64)
    for key, rows in group_rows(plans * 2 + own):
        weights = (_WEIGHTS_OWN_REGION if key % 2 else _WEIGHTS_DEFAULT_REGION)[key // 2]
        styles[rows] = rng.choice(len(Style), size=len(rows), p=weights / weights.sum())
    return styles


EXTENSION_FORMATS: tuple[str, ...] = (" x", " ext. ", " ext ", " #")
