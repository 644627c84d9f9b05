"""Status history spells: a row only on change, nothing deleted, re-runs change nothing."""

from __future__ import annotations

import pandas as pd

from hygiene_pipeline.scoring.history import apply_status_history, status_history_changes

DAY_1 = pd.Timestamp("2026-01-01", tz="UTC")
DAY_2 = pd.Timestamp("2026-02-01", tz="UTC")
DAY_3 = pd.Timestamp("2026-03-01", tz="UTC")


def statuses(**by_person: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity_id": list(by_person),
            "status": list(by_person.values()),
            "status_reason": [f"{s}: because" for s in by_person.values()],
        }
    )


def run(history: pd.DataFrame | None, current: pd.DataFrame, run_id: str, as_of: pd.Timestamp):
    close, open_ = status_history_changes(history, current, run_id, as_of)
    return apply_status_history(history, close, open_), close, open_


def test_first_run_opens_one_spell_per_person() -> None:
    history, close, open_ = run(None, statuses(a="active", b="stale_inactive"), "r1", DAY_1)
    assert close.empty
    assert list(open_["entity_id"]) == ["a", "b"]
    assert (open_["valid_from"] == DAY_1).all()
    assert open_["valid_to"].isna().all()
    assert set(history["run_id"]) == {"r1"}


def test_rerunning_the_same_batch_changes_nothing() -> None:
    current = statuses(a="active", b="stale_inactive")
    history, _, _ = run(None, current, "r1", DAY_1)
    again, close, open_ = run(history, current, "r1", DAY_1)
    assert close.empty and open_.empty
    pd.testing.assert_frame_equal(again, history)
    later, close, open_ = run(history, current, "r2", DAY_2)
    assert close.empty and open_.empty
    assert len(later) == 2


def test_a_change_closes_the_spell_and_opens_a_new_one() -> None:
    history, _, _ = run(None, statuses(a="active", b="active"), "r1", DAY_1)
    history, close, open_ = run(history, statuses(a="left_company", b="active"), "r2", DAY_2)
    assert list(close["entity_id"]) == ["a"]
    assert close.loc[0, "status"] == "active"
    assert close.loc[0, "valid_to"] == DAY_2
    assert list(open_[["entity_id", "status", "run_id"]].itertuples(index=False, name=None)) == [
        ("a", "left_company", "r2")
    ]
    spells_of_a = history[history["entity_id"] == "a"].sort_values("valid_from")
    assert list(spells_of_a["status"]) == ["active", "left_company"]
    assert list(spells_of_a["valid_to"].isna()) == [False, True]
    history, close, open_ = run(history, statuses(a="left_company", b="active"), "r2", DAY_2)
    assert close.empty and open_.empty


def test_reason_changes_alone_add_no_row() -> None:
    history, _, _ = run(None, statuses(a="active"), "r1", DAY_1)
    current = statuses(a="active").assign(status_reason="active: newer evidence")
    _, close, open_ = run(history, current, "r2", DAY_2)
    assert close.empty and open_.empty


def test_nothing_is_deleted_and_backdated_runs_leave_history_alone() -> None:
    history, _, _ = run(None, statuses(a="active", gone="active"), "r1", DAY_2)
    history, _, _ = run(history, statuses(a="stale_inactive"), "r2", DAY_3)
    assert set(history["entity_id"]) == {"a", "gone"}
    assert history.loc[history["entity_id"] == "gone", "valid_to"].isna().all()
    _, close, open_ = run(history, statuses(a="active", new="active"), "r0", DAY_1)
    assert close.empty
    assert list(open_["entity_id"]) == ["new"]
