"""How a published warehouse's decisions compare with a generated world's ground truth.

`judge(warehouse_url, ground_truth_dir)` reads `curated.contact_xref`, `curated.contacts_golden`,
`curated.dial_list` and (when present) `curated.accounts` through SQLAlchemy, and the truth that
`hygiene generate` wrote (`records.csv`, `people.csv`), and returns:

- linkage: pairwise precision / recall / F1 of entities against true people over the records of
  real people (ghost records are nobody: how they group is not linkage), and of `account_id`
  against true companies when the cross-reference has it;
- status: the confusion matrix (true x predicted) with each person judged by the entity holding
  most of their records (ties: the smallest entity id); coarse status accuracy (active / stale /
  unreachable / relocated) over real people; intent-tier accuracy over truly active people;
- the dial list: violations (people truly do-not-call, or without valid consent, a ghost included,
  who hold a record in a listed entity), listed people not truly active (counted apart), and dial
  recall (the share of truly dialable people whose entity is listed);
- ghosts: precision and recall of the records of entities with status `ghost` against the true
  ghost records, and the share of real people merged with a ghost record.

A figure the warehouse cannot give yet (no `account_id`, no `ghost` status) is "n/a". Pure:
neither Dagster nor the scoring code is imported, so the measure shares nothing with what it
measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from hygiene_pipeline.linkage.evaluation import pairwise_scores
from hygiene_pipeline.synthetic.truth import COARSE_STATUS

NOT_AVAILABLE = "n/a"
Figure = float | int | str


@dataclass(frozen=True)
class Judgement:
    """The figures (name -> number or "n/a") and the status confusion matrix."""

    figures: dict[str, Figure]
    status_confusion: pd.DataFrame = field(default_factory=pd.DataFrame)

    def lines(self) -> list[str]:
        """The figures and the confusion matrix as aligned text lines."""
        width = max((len(name) for name in self.figures), default=0) + 2
        out = [f"{name:<{width}}{_shown(value)}" for name, value in self.figures.items()]
        if not self.status_confusion.empty:
            out.append("status confusion (rows: true, columns: predicted):")
            out.extend(self.status_confusion.to_string().splitlines())
        return out


def _shown(value: Figure) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)


def _read(engine: sa.Engine, table: str, wanted: tuple[str, ...]) -> pd.DataFrame | None:
    """Columns `wanted` (those that exist) of curated.`table`; None when the table does not.
    Asks `information_schema`, which DuckDB and PostgreSQL both answer alike."""
    listing = sa.text(
        "select column_name from information_schema.columns"
        " where table_schema = 'curated' and table_name = :table"
    )
    with engine.connect() as connection:
        present = set(connection.execute(listing, {"table": table}).scalars())
        if not present:
            return None
        quoted = ", ".join(f'"{c}"' for c in wanted if c in present)
        return pd.read_sql(sa.text(f'select {quoted} from curated."{table}"'), connection)


def _flags(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype(str).str.strip().str.lower().isin(["true", "1"])
    return frame


def read_truth(ground_truth: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`(records, people)` of a generated ground truth, ids as text and flags as booleans."""
    folder = Path(ground_truth)
    records = pd.read_csv(folder / "records.csv", dtype=str, keep_default_na=False)
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    records = _flags(records, ("is_ghost",))
    people = _flags(people, ("is_ghost", "is_dnc", "consent_valid", "dialable"))
    return records, people


def _main_entity(members: pd.DataFrame) -> pd.Series:
    """Per person, the entity holding most of their records (ties: the smallest id)."""
    counts = members.groupby(["person_id", "entity_id"]).size().rename("records").reset_index()
    counts = counts.sort_values(
        ["person_id", "records", "entity_id"], ascending=[True, False, True]
    )
    return counts.drop_duplicates("person_id").set_index("person_id")["entity_id"]


def _share(hits: pd.Series | np.ndarray) -> Figure:
    hits = np.asarray(hits, dtype=bool)
    return float(hits.mean()) if len(hits) else NOT_AVAILABLE


def judge(warehouse_url: str, ground_truth: Path) -> Judgement:
    """The figures of one published run against the world it ran on."""
    engine = sa.create_engine(warehouse_url)
    try:
        xref = _read(
            engine, "contact_xref", ("contact_id", "source_system", "entity_id", "account_id")
        )
        golden = _read(engine, "contacts_golden", ("entity_id", "status", "intent_tier"))
        dial = _read(engine, "dial_list", ("entity_id",))
        accounts = _read(engine, "accounts", ("account_id", "status"))
    finally:
        engine.dispose()
    if xref is None or golden is None or dial is None:
        raise ValueError("the warehouse lacks curated.contact_xref, contacts_golden or dial_list")
    records, people = read_truth(ground_truth)
    return _figures(xref, golden, dial, accounts, records, people)


def _figures(
    xref: pd.DataFrame,
    golden: pd.DataFrame,
    dial: pd.DataFrame,
    accounts: pd.DataFrame | None,
    records: pd.DataFrame,
    people: pd.DataFrame,
) -> Judgement:
    for frame, columns in (
        (xref, ("contact_id", "source_system", "entity_id")),
        (golden, ("entity_id",)),
    ):
        for column in columns:
            frame[column] = frame[column].astype(str)
    members = xref.merge(
        records[["source_system", "contact_id", "person_id", "account", "is_ghost"]],
        on=["source_system", "contact_id"],
        how="inner",
    )
    figures: dict[str, Figure] = {
        "records judged": len(members),
        "records not in contact_xref": len(records) - len(members),
    }
    real = members[~members["is_ghost"]]
    linkage = pairwise_scores(real["person_id"], real["entity_id"])
    figures |= {f"linkage {name}": value for name, value in linkage.items()}
    if "account_id" in real.columns:
        predicted = (
            real["account_id"]
            .astype(object)
            .where(real["account_id"].notna(), "none:" + real["contact_id"])
        )
        accounts_scores = pairwise_scores(real["account"], predicted.astype(str))
        figures |= {f"account linkage {name}": v for name, v in accounts_scores.items()}
    else:
        figures |= {f"account linkage {n}": NOT_AVAILABLE for n in ("precision", "recall", "f1")}
    figures["accounts table"] = "present" if accounts is not None else NOT_AVAILABLE

    judged = people.set_index("person_id").join(
        _main_entity(members).rename("entity_id"), how="inner"
    )
    scored = golden.set_index("entity_id")
    predicted_status = scored["status"].reindex(judged["entity_id"]).fillna("(none)").to_numpy()
    confusion = pd.crosstab(
        pd.Series(judged["status"].to_numpy(), name="true"),
        pd.Series(predicted_status, name="predicted"),
    )
    not_ghost = ~judged["is_ghost"].to_numpy()
    true_coarse = judged["coarse_status"].to_numpy()
    predicted_coarse = pd.Series(predicted_status).map(COARSE_STATUS).fillna("(other)").to_numpy()
    figures["people judged"] = int(not_ghost.sum())
    figures["coarse status accuracy"] = _share((true_coarse == predicted_coarse)[not_ghost])
    figures["status accuracy"] = _share(
        (judged["status"].to_numpy() == predicted_status)[not_ghost]
    )
    active = (judged["status"] == "active").to_numpy()
    if "intent_tier" in scored.columns:
        predicted_tier = scored["intent_tier"].reindex(judged["entity_id"]).to_numpy()
        figures["intent tier accuracy (active)"] = _share(
            (judged["intent_tier"].to_numpy() == predicted_tier)[active]
        )
    else:
        figures["intent tier accuracy (active)"] = NOT_AVAILABLE

    figures |= _dial_list(members, judged, dial, people)
    figures |= _ghosts(members, scored)
    return Judgement(figures=figures, status_confusion=confusion)


def _dial_list(
    members: pd.DataFrame, judged: pd.DataFrame, dial: pd.DataFrame, people: pd.DataFrame
) -> dict[str, Figure]:
    listed_entities = set(dial["entity_id"].astype(str))
    listed = members[members["entity_id"].isin(listed_entities)]
    truth = people.set_index("person_id").reindex(listed["person_id"].unique())
    dnc = truth["is_dnc"]
    no_consent = ~truth["consent_valid"]
    not_active = (truth["status"] != "active") & ~truth["is_ghost"]
    bad_people = set(truth.index[dnc | no_consent])
    bad_entities = listed.loc[listed["person_id"].isin(bad_people), "entity_id"].nunique()
    dialable = judged[judged["dialable"]]
    return {
        "dial list entities": len(listed_entities),
        "dial list people": len(truth),
        "dial list violations (entities)": int(bad_entities),
        "dial list violations: dnc people": int(dnc.sum()),
        "dial list violations: no consent people": int(no_consent.sum()),
        "dial list: ghost records": int(listed["is_ghost"].sum()),
        "dial list: people not active": int(not_active.sum()),
        "truly dialable people": len(dialable),
        "dial recall": _share(dialable["entity_id"].isin(listed_entities)),
    }


def _ghosts(members: pd.DataFrame, scored: pd.DataFrame) -> dict[str, Figure]:
    ghost_entities = set(scored.index[scored["status"] == "ghost"])
    held = members.groupby("entity_id")["is_ghost"].any()
    with_ghost = set(held.index[held])
    real = members[~members["is_ghost"]]
    merged = real["entity_id"].isin(with_ghost).groupby(real["person_id"]).any()
    figures: dict[str, Figure] = {"people merged with a ghost": _share(merged.to_numpy())}
    if not ghost_entities:
        return {"ghost precision": NOT_AVAILABLE, "ghost recall": NOT_AVAILABLE, **figures}
    predicted = members["entity_id"].isin(ghost_entities).to_numpy()
    truth = members["is_ghost"].to_numpy()
    return {
        "ghost precision": float((predicted & truth).sum() / predicted.sum()),
        "ghost recall": float((predicted & truth).sum() / truth.sum())
        if truth.any()
        else NOT_AVAILABLE,
        **figures,
    }
