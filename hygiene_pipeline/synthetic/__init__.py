"""The synthetic world behind `hygiene generate`, and the judge of a pipeline run against it.

`generate(out_dir, contacts, seed, as_of)` simulates a small world of companies and people and
writes what the company's systems record of it (`out_dir/landing/<feed>/`, the contract's layout)
beside the world's state at `as_of` (`out_dir/ground_truth/`), deterministically by seed and
`as_of`. The modules, in the order the data is made: `population` (companies, people, numbers),
`world` (fates and careers), `records` and `ghosts` (the CRM's rows), `on_file` (what the records
let anyone reach), `lives` (when numbers and mailboxes die), `behaviour` (journeys, consent,
do-not-call), `outreach` (calls and mail and what comes back), `observations` and `crm_fields`
(how systems record it), `truth` (the world's state at `as_of`), then one writer per feed and
`ground_truth`. `judge` compares a published warehouse with that truth.
"""

from hygiene_pipeline.synthetic.generator import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
