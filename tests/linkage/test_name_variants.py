"""Typo variants: the same first letter, then one edit apart or letters dropped."""

from __future__ import annotations

import numpy as np

from hygiene_pipeline.linkage.name_variants import NameVariants


def test_typos_read_names_trimmed_and_in_lower_case_and_need_the_same_first_letter() -> None:
    texts = np.array([" Jia", "jua", "Lu", "liu", "ana", "bna", "dg", "Dong", "  "], dtype=object)
    variants = NameVariants(texts)
    left = np.array([0, 2, 4, 6, 8, 0, -1, 1])
    right = np.array([1, 3, 5, 7, 8, 0, 1, 0])
    assert variants.typos(left, right).tolist() == [
        True,  # one edit apart, case and spaces aside
        True,  # lu is liu with a letter dropped
        False,  # one edit apart, but another first letter
        True,  # dg is dong with letters dropped
        False,  # blank
        False,  # the same name is no typo
        False,  # one name missing
        True,  # either order
    ]
