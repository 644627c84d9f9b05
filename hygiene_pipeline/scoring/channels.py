"""Channel validity, kept apart from the person: which numbers and mailboxes still work.

A dead number makes the phone unusable and a hard bounce the email, but neither says the person
is gone; the person is `invalid_contact` only when no channel is left (see `status`): no valid,
working number and no usable mailbox on any member record.

- A number is dead when its latest `disconnected`/`wrong_number` call is not followed by an
  answered call on that number (by anyone: the number works again).
- A mailbox is hard-bounced for a person when `hard_bounces_to_suppress` hard bounces are dated
  after the person's last presence evidence: newer evidence outweighs older, so a connected call
  after a bounce means the person, and the address on file, are still there.
- A mailbox is soft-suppressed when `soft_bounces_to_suppress` soft bounces after the last presence
  fall within `soft_bounce_window_days`; that stops sending but does not make the email invalid.
- A complaint suppresses the mailbox for good; presence does not lift it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hygiene_pipeline.scoring.frames import DAY, day_text, latest_per, text_or_empty
from hygiene_pipeline.scoring.settings import ScoringSettings
from hygiene_pipeline.scoring.signals import (
    DEAD_NUMBER_DISPOSITIONS,
    PRESENCE_DISPOSITIONS,
    Evidence,
)


def dead_numbers(evidence: Evidence) -> pd.DataFrame:
    """Numbers that are dead as of now: `dead_at`, `dead_disposition`, indexed by `phone_e164`."""
    calls = evidence.calls[evidence.calls["phone_e164"].notna()]
    dead = latest_per(
        calls[calls["disposition"].isin(DEAD_NUMBER_DISPOSITIONS)], "phone_e164", "called_at"
    )
    answered = calls[calls["disposition"].isin(PRESENCE_DISPOSITIONS)]
    last_answer = answered.groupby("phone_e164")["called_at"].max()
    revived = last_answer.reindex(dead.index) > dead["called_at"]
    return dead.loc[~revived, ["called_at", "disposition"]].rename(
        columns={"called_at": "dead_at", "disposition": "dead_disposition"}
    )


def mailbox_states(
    evidence: Evidence, presence: pd.DataFrame, settings: ScoringSettings
) -> pd.DataFrame:
    """Bounce effects per person and mailbox (only mailboxes with an effect).

    Columns: `entity_id`, `email_key`, `email`, `hard_at` + `hard_evidence`, `soft_since`,
    `complaint_at` (dates are NaT when not reached).
    """
    bounces = evidence.bounces.drop(columns="email").merge(evidence.mailboxes, on="email_key")
    complaints = (
        bounces[bounces["bounce_class"] == "complaint"]
        .groupby(["entity_id", "email_key"])["bounced_at"]
        .min()
        .rename("complaint_at")
    )
    since_presence = bounces["entity_id"].map(presence["last_presence_at"])
    current = bounces[~(since_presence > bounces["bounced_at"])]
    hard = _reached(current[current["bounce_class"] == "hard"], settings.hard_bounces_to_suppress)
    soft = _reached(
        current[current["bounce_class"] == "soft"],
        settings.soft_bounces_to_suppress,
        settings.soft_bounce_window_days * DAY,
    )
    states = pd.concat(
        [
            hard[["bounced_at", "bounce_evidence"]].set_axis(["hard_at", "hard_evidence"], axis=1),
            soft["bounced_at"].rename("soft_since"),
            complaints,
        ],
        axis=1,
    )
    emails = evidence.mailboxes.set_index(["entity_id", "email_key"])["email"]
    states["email"] = emails.reindex(states.index).to_numpy()
    states.index.names = ["entity_id", "email_key"]
    return states.reset_index()


def usable_numbers(evidence: Evidence, dead: pd.DataFrame) -> pd.DataFrame:
    """Every valid, working number of every person: `entity_id`, `phone_e164`."""
    phones = evidence.phones
    working = phones["phone_valid"] & ~phones["phone_e164"].isin(dead.index)
    return phones.loc[working, ["entity_id", "phone_e164"]].reset_index(drop=True)


def channel_usability(
    golden: pd.DataFrame, evidence: Evidence, mailboxes: pd.DataFrame, dead: pd.DataFrame
) -> pd.DataFrame:
    """Per person (indexed by `entity_id`): whether any channel works, and why not.

    A person can be reached while any number or mailbox of any member record works; the golden
    email is the one mail goes to. `mailboxes` is `mailbox_states(...)`, `dead` is
    `dead_numbers(...)`. Columns: `phone_usable`, `phone_problem`, `email_usable`,
    `email_problem`, `golden_email_usable`, `email_soft_since`, `email_complaint_at`
    (the last three about the golden email).
    """
    people = golden.set_index("entity_id")
    index = people.index
    numbers = evidence.phones.assign(
        dead_at=evidence.phones["phone_e164"].map(dead["dead_at"]),
        how=evidence.phones["phone_e164"].map(dead["dead_disposition"]),
    )
    numbers["usable"] = numbers["phone_valid"] & numbers["dead_at"].isna()
    phone_usable, phone_problem = _channel_state(
        index, numbers, "dead_at", "how", "phone", "number", "numbers"
    )

    state = mailboxes.set_index(["entity_id", "email_key"])
    boxes = evidence.mailboxes.join(
        state[["hard_at", "hard_evidence"]], on=["entity_id", "email_key"]
    )
    boxes["usable"] = boxes["hard_at"].isna()
    boxes["how"] = "hard bounce " + boxes["hard_evidence"].fillna("")
    email_usable, email_problem = _channel_state(
        index, boxes, "hard_at", "how", "email", "address", "addresses"
    )
    members = evidence.members
    written = pd.Series(index.isin(members.loc[members["email"].notna(), "entity_id"]), index=index)
    email_problem = np.where(
        written.to_numpy() & (email_problem == "no email address"),
        "email address not valid",
        email_problem,
    )

    golden_box = pd.MultiIndex.from_arrays([index, people["email_key"]])
    golden_state = state.reindex(golden_box).set_axis(index)
    return pd.DataFrame(
        {
            "phone_usable": phone_usable,
            "phone_problem": phone_problem,
            "email_usable": email_usable,
            "email_problem": email_problem,
            "golden_email_usable": (
                people["email_key"].notna() & golden_state["hard_at"].isna()
            ).to_numpy(),
            "email_soft_since": golden_state["soft_since"],
            "email_complaint_at": golden_state["complaint_at"],
        },
        index=index,
    )


def _channel_state(
    people: pd.Index,
    channels: pd.DataFrame,
    lost_at: str,
    how: str,
    label: str,
    unit: str,
    units: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each person has a usable channel of one kind, and if not, why (latest loss).

    `channels` has `entity_id`, `usable`, the loss date column `lost_at` and its description
    `how`; the text names no address or number, only what happened and when.
    """
    usable = channels.groupby("entity_id")["usable"].any().reindex(people, fill_value=False)
    count = channels.groupby("entity_id").size().reindex(people, fill_value=0)
    lost = latest_per(channels[channels[lost_at].notna()], "entity_id", lost_at).reindex(people)
    several = np.where(count > 1, " (" + count.astype(str) + f" {units})", "")
    text = np.select(
        [usable.to_numpy(), (count == 0).to_numpy(), lost[lost_at].notna().to_numpy()],
        [
            "",
            f"no {label} {unit}",
            f"no usable {label}: "
            + text_or_empty(lost[how])
            + " on "
            + text_or_empty(day_text(lost[lost_at]))
            + several,
        ],
        default=f"no usable {label}: {unit} not valid" + several,
    )
    return usable.to_numpy(), text


def _reached(bounces: pd.DataFrame, count: int, window: pd.Timedelta | None = None) -> pd.DataFrame:
    """The bounce at which a person's mailbox reached `count` bounces (within `window`)."""
    ordered = bounces.sort_values(["entity_id", "email_key", "bounced_at"], kind="stable")
    first_of_run = ordered.groupby(["entity_id", "email_key"])["bounced_at"].shift(count - 1)
    reached = first_of_run.notna()
    if window is not None:
        reached &= (ordered["bounced_at"] - first_of_run) <= window
    return (
        ordered[reached]
        .drop_duplicates(["entity_id", "email_key"])
        .set_index(["entity_id", "email_key"])
    )
