"""The synthetic dirty-CRM generator behind `hygiene generate`.

`generate(out_dir, contacts, seed, as_of)` writes a CRM of `contacts` contact records in the
landing layout of the contract (`out_dir/landing/<feed>/`) and its ground truth
(`out_dir/ground_truth/`), deterministically by seed and `as_of`. The modules, in the order the
data is made: `population` (companies, people, numbers), `records` and `record_activity` (the CRM
exports' rows), `plan` (each person's story), `evidence` (calls, bounces, events, DNC entries),
`truth` (the scoring rules applied to that evidence), then one writer per feed and
`ground_truth`.
"""

from hygiene_pipeline.synthetic.generator import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
