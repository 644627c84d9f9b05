"""The ways people mistype and restyle text in CRMs: typos of one or two edits, nicknames,
letter case, stray whitespace, initials.

Each function takes a column and the rows to damage and returns the new column; variants of a
value (its typos, its nicknames) are worked out once per distinct value.
"""

from __future__ import annotations

import zlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hygiene_pipeline.synthetic.columns import join, variants_distinct, where
from hygiene_pipeline.synthetic.reference_data import KEYBOARD_NEIGHBOURS, NICKNAMES


def one_edit_typos(word: str) -> list[str]:
    """Plausible one-edit typos of a word: a dropped, doubled, swapped or neighbouring key.

    The edit positions are fixed by the word itself (not by a random stream), so a name has the
    same typo variants in every run and in every record."""
    if len(word) < 3:
        return []
    position = 1 + zlib.crc32(word.encode("utf-8")) % (len(word) - 2)
    before, letter, after = word[:position], word[position], word[position + 1 :]
    typos = [before + after, before + letter + letter + after]
    if after:
        typos.append(before + after[0] + letter + after[1:])
    neighbours = KEYBOARD_NEIGHBOURS.get(letter.lower(), "")
    if neighbours:
        substitute = neighbours[len(word) % len(neighbours)]
        typos.append(before + (substitute.upper() if letter.isupper() else substitute) + after)
    return [t for t in dict.fromkeys(typos) if t != word]


def two_edit_typos(word: str) -> list[str]:
    """Typos with two edits: a one-edit typo of a one-edit typo."""
    return [t2 for t1 in one_edit_typos(word)[:2] for t2 in one_edit_typos(t1)[:1] if t2 != word]


def apply_typos(
    rng: np.random.Generator, values: pa.Array, rows: np.ndarray, two_edit_share: float = 0.2
) -> pa.Array:
    """Replace the value of `rows` by a one-edit (sometimes two-edit) typo of it."""
    one, _ = variants_distinct(rng, values, one_edit_typos)
    two, _ = variants_distinct(rng, values, two_edit_typos)
    typo = where(rng.random(len(values)) < two_edit_share, two, one)
    return where(rows, typo, values)


def nickname_variants(name: str) -> tuple[str, ...]:
    """The short forms of a given name (Robert -> Bob, Rob, Bobby)."""
    return NICKNAMES.get(name, ())


def apply_nicknames(
    rng: np.random.Generator, values: pa.Array, rows: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """Use a nickname in `rows` where the name has one; returns the column and the rows changed."""
    nick, has = variants_distinct(rng, values, nickname_variants)
    changed = rows & has
    return where(changed, nick, values), changed


def apply_case(values: pa.Array, upper: np.ndarray, lower: np.ndarray) -> pa.Array:
    """Upper-case the `upper` rows and lower-case the `lower` rows (ß upper-cases to SS, as
    people type it, not to the rare capital ẞ)."""
    out = where(upper, pc.replace_substring(pc.utf8_upper(values), "ẞ", "SS"), values)
    return where(lower & ~upper, pc.utf8_lower(values), out)


def apply_whitespace(rng: np.random.Generator, values: pa.Array, rows: np.ndarray) -> pa.Array:
    """Leading, trailing or doubled inner spaces on `rows`."""
    kind = rng.integers(0, 3, size=len(values))
    doubled = pc.replace_substring(values, " ", "  ", max_replacements=1)
    noisy = where(
        kind == 0, join(" ", values), where(kind == 1, join(values, "  "), join(" ", doubled, " "))
    )
    return where(rows, noisy, values)


def apply_initials(values: pa.Array, rows: np.ndarray) -> pa.Array:
    """Reduce `rows` to an initial with a full stop (Robert -> R.)."""
    return where(rows, join(pc.utf8_slice_codeunits(values, 0, 1), "."), values)
