"""The declarative spec: parsing from plain data and the checks that catch mistakes early."""

from __future__ import annotations

import pytest
import yaml

from hygiene_pipeline.linkage import BlockingKey, Comparison, HardNegative, LinkageSpec
from hygiene_pipeline.linkage.spec import KeyPart

SPEC_YAML = """
record_key: id
valid_if: {phone: phone_ok}
comparisons:
  - {name: surname, column: last, term_frequency: true}
  - {name: phone, column: phone, kind: exact, also: [mobile]}
blocking:
  - {name: sound, parts: ["soundex(last)", "initial(first)"], max_block_size: 30}
  - {name: near, parts: [last], method: sorted_neighbourhood, window: 4}
hard_negatives:
  - {name: other_phone, disagree: [phone], unless_agree: [surname]}
match_threshold: 0.8
"""


def test_a_spec_loads_from_yaml() -> None:
    spec = LinkageSpec.from_dict(yaml.safe_load(SPEC_YAML))
    assert spec.record_key == "id"
    assert spec.blocking[0].parts == (
        KeyPart("last", "soundex"),
        KeyPart("first", "initial"),
    )
    assert spec.blocking[1].method == "sorted_neighbourhood"
    assert spec.comparisons[1].also == ("mobile",)
    assert spec.hard_negatives == (HardNegative("other_phone", ("phone",), ("surname",)),)
    assert spec.columns == ["first", "last", "mobile", "phone", "phone_ok"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: KeyPart.parse("bogus(last)"), "unknown key transform"),
        (lambda: Comparison("x", "x", scorer="cosine"), "unknown scorer"),
        (lambda: Comparison("x", "x", shared_limit=3), "needs shared_distinct_on"),
        (lambda: BlockingKey("k", ("a",), window=1), "must be >= 2"),
        (
            lambda: LinkageSpec(
                comparisons=(Comparison("x", "x"),),
                blocking=(),
                hard_negatives=(HardNegative("h", ("y",)),),
            ),
            "unknown comparisons",
        ),
        (
            lambda: LinkageSpec(
                comparisons=(Comparison("x", "x"),), blocking=(), match_threshold=0.2
            ),
            "conflict_threshold < possible_threshold <= match_threshold",
        ),
        (lambda: LinkageSpec.from_dict({"comparisons": [], "blocking": [], "oops": 1}), "oops"),
    ],
)
def test_mistakes_are_rejected_with_a_reason(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
